package controllers

import (
	"context"
	"time"

	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/client-go/tools/events"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
)

// ClusterCloudReconciler checks that a ClusterCloud's credentials work. The
// check is the Cloud reconciler's, run on the ClusterCloud's Cloud view.
type ClusterCloudReconciler struct {
	client.Client
	Recorder  events.EventRecorder
	Providers *Providers
	// Namespace holds the ClusterClouds' credentials Secrets.
	Namespace string
	Now       func() time.Time
}

// +kubebuilder:rbac:groups=images.serverimage.dev,resources=clusterclouds,verbs=get;list;watch;patch
// +kubebuilder:rbac:groups=images.serverimage.dev,resources=clusterclouds/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=images.serverimage.dev,resources=clusterclouds/finalizers,verbs=update

// Reconcile is one pass over one ClusterCloud, as for a Cloud:
//
//	deleting      → wait until no ServerImage in any namespace uses it
//	no finalizer  → add it
//	check         → build the Provider and authenticate
//
// finish writes the status and emits an Event when Ready changed. The
// count of ServerImages is kept by clusterCloudUsage.
func (r *ClusterCloudReconciler) Reconcile(ctx context.Context, req reconcile.Request) (reconcile.Result, error) {
	return reconcileCloudPass(ctx, r.Client, req, &imagesv1.ClusterCloud{}, cloudSteps[*imagesv1.ClusterCloud]{
		remove: r.reconcileDelete, check: r.check, finish: r.finish,
	})
}

// check runs the Cloud check on the view and takes its status back.
func (r *ClusterCloudReconciler) check(ctx context.Context, cc *imagesv1.ClusterCloud) (reconcile.Result, error) {
	if r.Namespace == "" {
		setStalled(&cc.Status.Conditions, cc.Generation, imagesv1.ReasonInvalidConfiguration,
			"the operator has no ClusterCloud credentials namespace: set --cluster-cloud-namespace (Helm value clusterCloudNamespace) or POD_NAMESPACE")
		return reconcile.Result{}, nil
	}
	view := asCloud(cc, r.Namespace)
	checker := &CloudReconciler{Client: r.Client, Recorder: r.Recorder, Providers: r.Providers, Now: r.Now}
	res, err := checker.check(ctx, view)
	cc.Status.CloudStatus = view.Status
	return res, err
}

func (r *ClusterCloudReconciler) finish(ctx context.Context, orig, cc *imagesv1.ClusterCloud, err error) error {
	cc.Status.ObservedGeneration = cc.Generation
	changed := !equality.Semantic.DeepEqual(orig.Status, cc.Status)
	return writeCloudStatus(ctx, r.Client, r.Recorder, cc, orig, orig.Status.Conditions, changed, err)
}

// reconcileDelete releases the ClusterCloud once no ServerImage in any
// namespace refers to it; their deletions wake it.
func (r *ClusterCloudReconciler) reconcileDelete(ctx context.Context, cc *imagesv1.ClusterCloud) error {
	users, err := usersOf(ctx, r.Client, cc.Name)
	if err != nil {
		return err
	}
	cc.SetGroupVersionKind(imagesv1.GroupVersion.WithKind(imagesv1.KindClusterCloud))
	return releaseUnused(ctx, r.Client, r.Recorder, cc, users, func() { r.Providers.Forget(asCloud(cc, r.Namespace)) })
}

// usersOf lists the ServerImages, in every namespace, that name the
// ClusterCloud name.
func usersOf(ctx context.Context, c client.Reader, name string) ([]imagesv1.ServerImage, error) {
	var list imagesv1.ServerImageList
	ref := imagesv1.CloudReference{Kind: imagesv1.KindClusterCloud, Name: name}
	if err := c.List(ctx, &list, client.MatchingFields{indexCloudRef: cloudRefIndex(ref)}); err != nil {
		return nil, err
	}
	return list.Items, nil
}
