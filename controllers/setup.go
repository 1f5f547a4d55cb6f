package controllers

import (
	"context"
	"maps"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/metadata"
	"k8s.io/utils/clock"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
	"sigs.k8s.io/controller-runtime/pkg/source"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
)

// Field indexes used to find the objects a watch event concerns.
const (
	indexCloudRef = "spec.cloudRef.name"
)

// DefaultMaxConcurrentReconciles is the number of workers per controller.
// A reconcile spends most of its time waiting: a create makes about seven
// round trips (two to the API server before the cloud calls, three to the
// cloud, the status write), so throughput grows with workers until the
// CPU is busy. On two cores, 16 workers issue about 160 creates/s where 8
// issue about 110 (docs/performance.md); the per-Cloud rate limit, not the
// worker count, is what protects a cloud.
const DefaultMaxConcurrentReconciles = 16

// Options tune the controllers.
type Options struct {
	// MaxConcurrentReconciles per controller
	// (DefaultMaxConcurrentReconciles when zero).
	MaxConcurrentReconciles int
	// Now is the clock (tests).
	Now func() time.Time
	// DriftCheckInterval is how often Ready images are checked for
	// out-of-band deletion (DriftCheckInterval when zero).
	DriftCheckInterval time.Duration
	// OrphanGrace overrides OrphanQueuedGrace (tests).
	OrphanGrace time.Duration
	// PerObjectPolling reads every image with its own GET instead of in
	// batches: only for measuring what batching saves.
	PerObjectPolling bool
	// NoChangeFeed reads in-flight images by ID even where the Cloud has a
	// change feed: only for measuring what the feed saves.
	NoChangeFeed bool
	// Clock drives ServerImageSchedules (tests step a fake one); real time
	// when nil.
	Clock clock.PassiveClock
	// SkipSchedules leaves ServerImageSchedules to another manager (tests
	// run one with a fake Clock).
	SkipSchedules bool
	// ClusterCloudNamespace holds the credentials Secrets of ClusterClouds.
	ClusterCloudNamespace string
}

// Setup registers both reconcilers with mgr, sharing one Provider cache.
func Setup(ctx context.Context, mgr ctrl.Manager, opts Options) error {
	if opts.MaxConcurrentReconciles <= 0 {
		opts.MaxConcurrentReconciles = DefaultMaxConcurrentReconciles
	}
	if opts.DriftCheckInterval <= 0 {
		opts.DriftCheckInterval = DriftCheckInterval
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	idx := mgr.GetFieldIndexer()
	if err := idx.IndexField(ctx, &imagesv1.ServerImage{}, indexCloudRef, func(o client.Object) []string {
		return []string{cloudRefIndex(o.(*imagesv1.ServerImage).Spec.CloudRef)}
	}); err != nil {
		return err
	}
	metaClient, err := metadata.NewForConfig(mgr.GetConfig())
	if err != nil {
		return err
	}
	secrets := newSecretWatches(ctx, metaClient)
	providers := &Providers{Client: mgr.GetClient(), Reader: mgr.GetAPIReader(), Cache: cloud.NewCache(), secrets: secrets}
	cr := &CloudReconciler{
		Client:    mgr.GetClient(),
		Recorder:  mgr.GetEventRecorder("serverimage-operator"),
		Providers: providers,
		Now:       opts.Now,
	}
	if err := completeCloudController(mgr, opts, "cloud", &imagesv1.Cloud{}, secrets.events, cloudOfServerImage, cr); err != nil {
		return err
	}
	if err := setupClusterClouds(mgr, opts, providers); err != nil {
		return err
	}

	poller := newImagePoller(now, opts.DriftCheckInterval)
	poller.perObject = opts.PerObjectPolling
	poller.noFeed = opts.NoChangeFeed
	if opts.OrphanGrace > 0 {
		poller.orphanGrace = opts.OrphanGrace
	}
	if err := mgr.Add(poller); err != nil {
		return err
	}
	if err := AddStateMetrics(mgr, 0); err != nil {
		return err
	}
	sr := &ServerImageReconciler{
		Client:    mgr.GetClient(),
		APIReader: mgr.GetAPIReader(),
		Recorder:  mgr.GetEventRecorder("serverimage-operator"),
		Providers: providers,
		Now:       opts.Now,
		poller:    poller,

		OrphanGrace: opts.OrphanGrace,

		ClusterCloudNamespace: opts.ClusterCloudNamespace,
	}
	err = ctrl.NewControllerManagedBy(mgr).
		// Status writes do not change the generation: reacting to them would
		// only repeat the reconcile that wrote them. Deletion and finalizer
		// changes still come through (annotations for the abandon escape).
		For(&imagesv1.ServerImage{}, builder.WithPredicates(predicate.Or(
			predicate.GenerationChangedPredicate{}, userAnnotationChanged()))).
		// A Cloud becoming Ready (a status change) wakes its ServerImages.
		Watches(&imagesv1.Cloud{}, handler.EnqueueRequestsFromMapFunc(sr.serverImagesForCloud)).
		// The per-Cloud poller wakes exactly the objects whose image changed.
		WatchesRawSource(source.Channel(poller.events, &handler.EnqueueRequestForObject{})).
		// Access to a ClusterCloud is re-evaluated when the ClusterCloud or
		// a namespace's labels change.
		Watches(&imagesv1.ClusterCloud{}, handler.EnqueueRequestsFromMapFunc(sr.serverImagesForClusterCloud),
			builder.WithPredicates(clusterCloudAccessChanged())).
		WatchesMetadata(&corev1.Namespace{}, handler.EnqueueRequestsFromMapFunc(sr.serverImagesInNamespace),
			builder.WithPredicates(predicate.LabelChangedPredicate{})).
		WithOptions(controllerOptions(opts)).
		Named("serverimage").
		Complete(sr)
	if err != nil || opts.SkipSchedules {
		return err
	}
	return SetupSchedules(mgr, opts)
}

// controllerOptions are every controller's: its workers, and the
// workqueue rate limiter its failures retry through.
func controllerOptions(opts Options) controller.Options {
	return controller.Options{MaxConcurrentReconciles: opts.MaxConcurrentReconciles, RateLimiter: newRateLimiter()}
}

// userAnnotationChanged passes annotation changes other than the create
// intent the operator writes itself, which needs no second pass.
func userAnnotationChanged() predicate.Predicate {
	return predicate.Funcs{UpdateFunc: func(e event.UpdateEvent) bool {
		if e.ObjectOld == nil || e.ObjectNew == nil {
			return false
		}
		return !maps.Equal(withoutIntent(e.ObjectOld.GetAnnotations()), withoutIntent(e.ObjectNew.GetAnnotations()))
	}}
}

func withoutIntent(a map[string]string) map[string]string {
	if _, ok := a[imagesv1.CreateIntentAnnotation]; !ok {
		return a
	}
	out := maps.Clone(a)
	delete(out, imagesv1.CreateIntentAnnotation)
	return out
}

func (r *ServerImageReconciler) serverImagesForCloud(ctx context.Context, o client.Object) []reconcile.Request {
	var list imagesv1.ServerImageList
	if err := r.List(ctx, &list, client.InNamespace(o.GetNamespace()), client.MatchingFields{indexCloudRef: o.GetName()}); err != nil {
		return nil
	}
	out := make([]reconcile.Request, 0, len(list.Items))
	for i := range list.Items {
		si := &list.Items[i]
		// Ready objects have their own slow timer; everything else may be
		// waiting on this Cloud (or on credentials that just changed).
		if c := readyCondition(si.Status.Conditions); c != nil && c.Status == metav1.ConditionTrue && si.DeletionTimestamp.IsZero() {
			continue
		}
		out = append(out, reconcile.Request{NamespacedName: types.NamespacedName{Namespace: si.Namespace, Name: si.Name}})
	}
	return out
}

// completeCloudController registers the credential check of a Cloud or
// ClusterCloud. Besides its own spec, two things wake it: secretEvents, a
// change to a Secret it references (a rotation; no other Secret is
// watched), and the deletion of a ServerImage (userOf names the object it
// used), which may have been the last one holding it.
func completeCloudController(mgr ctrl.Manager, opts Options, name string, obj client.Object,
	secretEvents <-chan event.GenericEvent, userOf handler.MapFunc, r reconcile.Reconciler) error {
	return ctrl.NewControllerManagedBy(mgr).
		For(obj, builder.WithPredicates(predicate.GenerationChangedPredicate{})).
		WatchesRawSource(source.Channel(secretEvents, &handler.EnqueueRequestForObject{})).
		Watches(&imagesv1.ServerImage{}, handler.EnqueueRequestsFromMapFunc(userOf),
			builder.WithPredicates(onlyDeletes())).
		WithOptions(controllerOptions(opts)).
		Named(name).
		Complete(r)
}

func cloudOfServerImage(_ context.Context, o client.Object) []reconcile.Request {
	si := o.(*imagesv1.ServerImage)
	if si.Spec.CloudRef.Kind == imagesv1.KindClusterCloud {
		return nil
	}
	return []reconcile.Request{{NamespacedName: types.NamespacedName{Namespace: si.Namespace, Name: si.Spec.CloudRef.Name}}}
}
