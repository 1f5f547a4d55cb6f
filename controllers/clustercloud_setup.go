package controllers

import (
	"context"

	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
)

// setupClusterClouds registers the ClusterCloud reconciler and the counter
// of its users.
func setupClusterClouds(mgr ctrl.Manager, opts Options, providers *Providers) error {
	r := &ClusterCloudReconciler{
		Client:    mgr.GetClient(),
		Recorder:  mgr.GetEventRecorder("serverimage-operator"),
		Providers: providers,
		Namespace: opts.ClusterCloudNamespace,
		Now:       opts.Now,
	}
	// Its Secrets are in the credentials namespace.
	err := completeCloudController(mgr, opts, "clustercloud", &imagesv1.ClusterCloud{},
		providers.secrets.clusterEvents, clusterCloudOfServerImage, r)
	if err != nil {
		return err
	}
	return ctrl.NewControllerManagedBy(mgr).
		For(&imagesv1.ClusterCloud{}, builder.WithPredicates(predicate.GenerationChangedPredicate{})).
		Watches(&imagesv1.ServerImage{}, handler.EnqueueRequestsFromMapFunc(clusterCloudOfServerImage),
			builder.WithPredicates(predicate.Funcs{UpdateFunc: func(event.UpdateEvent) bool { return false }})).
		WithOptions(controllerOptions(opts)).
		Named("clustercloud-usage").
		Complete(&clusterCloudUsage{Client: mgr.GetClient()})
}

// clusterCloudUsage keeps status.serverImages. It is apart from the
// credential check so that a burst of new ServerImages costs status writes
// but no authentication.
type clusterCloudUsage struct {
	client.Client
}

func (u *clusterCloudUsage) Reconcile(ctx context.Context, req reconcile.Request) (reconcile.Result, error) {
	cc := &imagesv1.ClusterCloud{}
	if err := u.Get(ctx, req.NamespacedName, cc); err != nil {
		return reconcile.Result{}, client.IgnoreNotFound(err)
	}
	users, err := usersOf(ctx, u.Client, cc.Name)
	if err != nil {
		return reconcile.Result{}, err
	}
	n := int32(0)
	for i := range users {
		if users[i].DeletionTimestamp.IsZero() {
			n++
		}
	}
	if n == cc.Status.ServerImages {
		return reconcile.Result{}, nil
	}
	orig := cc.DeepCopy()
	cc.Status.ServerImages = n
	return reconcile.Result{}, client.IgnoreNotFound(u.Status().Patch(ctx, cc, client.MergeFrom(orig)))
}

func onlyDeletes() predicate.Predicate {
	return predicate.Funcs{
		CreateFunc:  func(event.CreateEvent) bool { return false },
		UpdateFunc:  func(event.UpdateEvent) bool { return false },
		GenericFunc: func(event.GenericEvent) bool { return false },
	}
}

func clusterCloudOfServerImage(_ context.Context, o client.Object) []reconcile.Request {
	si := o.(*imagesv1.ServerImage)
	if si.Spec.CloudRef.Kind != imagesv1.KindClusterCloud {
		return nil
	}
	return []reconcile.Request{{NamespacedName: types.NamespacedName{Name: si.Spec.CloudRef.Name}}}
}

// clusterCloudAccessChanged passes the ClusterCloud changes its
// ServerImages react to: the spec (allowedNamespaces among it) and Ready,
// re-checked for a new generation too, not the count of users.
func clusterCloudAccessChanged() predicate.Predicate {
	return predicate.Or(predicate.GenerationChangedPredicate{}, predicate.Funcs{
		UpdateFunc: func(e event.UpdateEvent) bool {
			before, ok1 := e.ObjectOld.(*imagesv1.ClusterCloud)
			after, ok2 := e.ObjectNew.(*imagesv1.ClusterCloud)
			if !ok1 || !ok2 {
				return false
			}
			b, a := readyCondition(before.Status.Conditions), readyCondition(after.Status.Conditions)
			return readyChanged(before.Status.Conditions, after.Status.Conditions) != nil ||
				(a != nil && b != nil && a.ObservedGeneration != b.ObservedGeneration)
		},
	})
}

// serverImagesForClusterCloud wakes every ServerImage of the ClusterCloud,
// Ready ones too: a change of allowedNamespaces may take their access away.
func (r *ServerImageReconciler) serverImagesForClusterCloud(ctx context.Context, o client.Object) []reconcile.Request {
	users, err := usersOf(ctx, r.Client, o.GetName())
	if err != nil {
		return nil
	}
	return requestsFor(users, func(*imagesv1.ServerImage) bool { return true })
}

// serverImagesInNamespace wakes the ServerImages of a namespace whose labels
// changed, those that use a ClusterCloud (whose selector may now match, or
// no longer).
func (r *ServerImageReconciler) serverImagesInNamespace(ctx context.Context, o client.Object) []reconcile.Request {
	var list imagesv1.ServerImageList
	if err := r.List(ctx, &list, client.InNamespace(o.GetName())); err != nil {
		return nil
	}
	return requestsFor(list.Items, func(si *imagesv1.ServerImage) bool {
		return si.Spec.CloudRef.Kind == imagesv1.KindClusterCloud
	})
}

func requestsFor(items []imagesv1.ServerImage, keep func(*imagesv1.ServerImage) bool) []reconcile.Request {
	out := make([]reconcile.Request, 0, len(items))
	for i := range items {
		if keep(&items[i]) {
			out = append(out, reconcile.Request{NamespacedName: types.NamespacedName{Namespace: items[i].Namespace, Name: items[i].Name}})
		}
	}
	return out
}
