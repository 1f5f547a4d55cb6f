package controllers

import (
	"context"
	"fmt"
	"time"

	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/events"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
)

// ServerImageReconciler drives a ServerImage to an active cloud image.
type ServerImageReconciler struct {
	client.Client
	// APIReader reads the live object before a create, so that a stale
	// cache can never cause a second image.
	APIReader client.Reader
	Recorder  events.EventRecorder
	Providers *Providers
	// Now is the clock; tests may replace it.
	Now func() time.Time
	// OrphanGrace overrides OrphanQueuedGrace (tests).
	OrphanGrace time.Duration
	// ClusterCloudNamespace holds the Secrets of ClusterClouds.
	ClusterCloudNamespace string

	poller *imagePoller
}

// +kubebuilder:rbac:groups=images.serverimage.dev,resources=serverimages,verbs=get;list;watch;patch
// +kubebuilder:rbac:groups=images.serverimage.dev,resources=serverimages/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=images.serverimage.dev,resources=serverimages/finalizers,verbs=update
// +kubebuilder:rbac:groups=images.serverimage.dev,resources=clouds,verbs=get;list;watch
// +kubebuilder:rbac:groups=images.serverimage.dev,resources=clusterclouds,verbs=get;list;watch
// +kubebuilder:rbac:groups="",resources=namespaces,verbs=get;list;watch
// +kubebuilder:rbac:groups=events.k8s.io,resources=events,verbs=create;patch

// pass is one reconcile of one ServerImage: the object as read, and what
// the pass learnt on the way.
type pass struct {
	si   *imagesv1.ServerImage
	orig *imagesv1.ServerImage
	// cloud and prov are set once the Cloud is resolved.
	cloud *imagesv1.Cloud
	prov  cloud.Provider
	// firstPass: this pass put the finalizer and the create intent on the
	// object, so no create can have been sent for it before.
	firstPass bool
}

// Reconcile is one pass over one ServerImage. It reads as a state machine,
// top to bottom; each step is one function, and each step's cloud work
// sits behind the cloud.Provider boundary:
//
//	deleting        → apply the deletion policy, then release the object
//	no finalizer    → add it, with the create intent, before any cloud call
//	Cloud           → resolve the Cloud and its Provider, or wait for it
//	no image yet    → import the named image, or adopt what an earlier
//	                  attempt created, or create it
//	image recorded  → observe what the poller last read: progress, Ready,
//	                  failed, gone, or an orphan to replace
//
// After every pass, finish writes the status (with an Event when Ready
// changed) and tells the poller what to watch, worked out from the
// status alone.
func (r *ServerImageReconciler) Reconcile(ctx context.Context, req reconcile.Request) (reconcile.Result, error) {
	si := &imagesv1.ServerImage{}
	if err := r.Get(ctx, req.NamespacedName, si); err != nil {
		return reconcile.Result{}, client.IgnoreNotFound(err)
	}
	logger := log.FromContext(ctx).WithValues("cloud", si.Spec.CloudRef.Name)
	if si.Status.ImageID != "" {
		logger = logger.WithValues("imageID", si.Status.ImageID)
	}
	ctx = log.IntoContext(ctx, logger)
	// A ClusterCloud's rate limit is shared fairly between namespaces.
	ctx = cloud.WithLane(ctx, req.Namespace)

	p := &pass{si: si, orig: si.DeepCopy()}
	res, err := r.step(ctx, p)
	return res, r.finish(ctx, p, err)
}

// step runs the one step the object is at.
func (r *ServerImageReconciler) step(ctx context.Context, p *pass) (reconcile.Result, error) {
	si := p.si
	if !si.DeletionTimestamp.IsZero() {
		return r.reconcileDelete(ctx, p)
	}
	if !controllerutil.ContainsFinalizer(si, imagesv1.FinalizerName) {
		if err := r.addFinalizer(ctx, p); err != nil {
			return reconcile.Result{}, err
		}
	}
	if res, done, err := r.powerBefore(ctx, p); done {
		return res, err
	}
	if res, ok := r.resolveCloud(ctx, p, false); !ok {
		return res, nil
	}
	if refuseUnsupported(p) {
		return reconcile.Result{}, nil
	}
	switch {
	case si.Status.ImageID != "":
		res, err := r.observe(ctx, p)
		return r.powerAfter(ctx, p, res, err)
	case si.Spec.Import != nil:
		return r.importImage(ctx, p)
	default:
		res, err := r.adoptOrCreate(ctx, p)
		return r.powerAfter(ctx, p, res, err)
	}
}

// addFinalizer puts the finalizer on before any cloud call, so that no
// image can be created that the operator would not get a chance to clean
// up. The same write records the intent to create: an object that carries
// the finalizer without it (or whose intent was there before this pass)
// may have had a create sent, and is looked up in the cloud first.
//
// The patch is optimistically locked on the version this pass read, so
// its success also proves the cache was current: the object had no image
// recorded, and this pass may create without a live read or a lookup.
func (r *ServerImageReconciler) addFinalizer(ctx context.Context, p *pass) error {
	before := p.si.DeepCopy()
	controllerutil.AddFinalizer(p.si, imagesv1.FinalizerName)
	if p.si.Status.ImageID == "" && p.si.Spec.Import == nil {
		if p.si.Annotations == nil {
			p.si.Annotations = map[string]string{}
		}
		p.si.Annotations[imagesv1.CreateIntentAnnotation] = "true"
	}
	if err := r.Patch(ctx, p.si, client.MergeFromWithOptions(before, client.MergeFromWithOptimisticLock{})); err != nil {
		return err
	}
	p.firstPass = true
	// The status written at the end of this pass is a diff against what
	// the patch returned.
	p.orig = p.si.DeepCopy()
	return nil
}

// resolveCloud finds the Cloud and its Provider, or sets CloudNotReady
// and says when to look again.
//
// For cleanup the Cloud need not be Ready (a delete may still work) and
// credentials cached from before the Secret was deleted are good enough.
func (r *ServerImageReconciler) resolveCloud(ctx context.Context, p *pass, cleanup bool) (reconcile.Result, bool) {
	si := p.si
	if si.Spec.CloudRef.Kind == imagesv1.KindClusterCloud {
		return r.resolveClusterCloud(ctx, p, cleanup)
	}
	c := &imagesv1.Cloud{}
	key := types.NamespacedName{Namespace: si.Namespace, Name: si.Spec.CloudRef.Name}
	wait := reconcile.Result{RequeueAfter: jitter(CloudNotReadyRecheck)}
	if err := r.Get(ctx, key, c); err != nil {
		if apierrors.IsNotFound(err) {
			r.notReadyCloud(si, "Cloud %q not found in namespace %q", key.Name, key.Namespace)
		} else {
			r.notReadyCloud(si, "reading Cloud %q: %v", key.Name, err)
		}
		return wait, false
	}
	return r.useCloud(ctx, p, c, cleanup)
}

// useCloud gets the Provider of a resolved Cloud (or ClusterCloud view),
// once it is Ready.
func (r *ServerImageReconciler) useCloud(ctx context.Context, p *pass, c *imagesv1.Cloud, cleanup bool) (reconcile.Result, bool) {
	si := p.si
	wait := reconcile.Result{RequeueAfter: jitter(CloudNotReadyRecheck)}
	var prov cloud.Provider
	var err error
	if cleanup {
		prov, err = r.Providers.ForCleanup(ctx, c)
	} else {
		if ready := readyCondition(c.Status.Conditions); ready == nil || ready.Status != metav1.ConditionTrue || ready.ObservedGeneration != c.Generation {
			msg := "not checked yet"
			if ready != nil && ready.Status != metav1.ConditionTrue {
				msg = ready.Reason + ": " + ready.Message
			}
			r.notReadyCloud(si, "%s %q is not Ready (%s)", kindOf(c), c.Name, msg)
			return wait, false
		}
		prov, err = r.Providers.ForCloud(ctx, c)
	}
	if err != nil {
		r.notReadyCloud(si, "%s %q: %v", kindOf(c), c.Name, err)
		return wait, false
	}
	p.cloud, p.prov = c, prov
	return reconcile.Result{}, true
}

func (r *ServerImageReconciler) notReadyCloud(si *imagesv1.ServerImage, format string, args ...any) {
	setRetrying(&si.Status.Conditions, si.Generation, imagesv1.ReasonCloudNotReady, fmt.Sprintf(format, args...))
}

// finish writes the status if it changed, emits an Event when the Ready
// condition changed, so every transition is visible in kubectl describe,
// and hands the poller what the object needs watched now.
func (r *ServerImageReconciler) finish(ctx context.Context, p *pass, err error) error {
	si := p.si
	si.Status.ObservedGeneration = si.Generation
	si.Status.Phase = phaseOf(si)
	if !equality.Semantic.DeepEqual(p.orig.Status, si.Status) {
		if perr := r.Status().Patch(ctx, si, client.MergeFrom(p.orig)); perr != nil {
			if !apierrors.IsNotFound(perr) {
				return perr
			}
		} else {
			r.emitTransition(p.orig, si)
		}
	}
	r.poller.sync(si, p.cloud, p.prov)
	return err
}

func (r *ServerImageReconciler) emitTransition(orig, si *imagesv1.ServerImage) {
	after := readyChanged(orig.Status.Conditions, si.Status.Conditions)
	if after == nil {
		return
	}
	typ := "Normal"
	if isWarningReason(after.Reason) {
		typ = "Warning"
	}
	r.Recorder.Eventf(si, nil, typ, after.Reason, actionFor(after.Reason), "%s", after.Message)
}

func isWarningReason(reason string) bool {
	switch reason {
	case imagesv1.ReasonImageActive, imagesv1.ReasonCreating, imagesv1.ReasonImageSaving,
		imagesv1.ReasonCheckingServer, imagesv1.ReasonDeleting, imagesv1.ReasonCloudNotReady,
		imagesv1.ReasonVolumeSnapshotsPending,
		imagesv1.ReasonStoppingServer, imagesv1.ReasonStartingServer, imagesv1.ReasonWaitingForServer:
		return false
	}
	return true
}

func actionFor(reason string) string {
	switch reason {
	case imagesv1.ReasonDeleting, imagesv1.ReasonDeletionFailed:
		return "DeleteImage"
	case imagesv1.ReasonCreating, imagesv1.ReasonServerBusy, imagesv1.ReasonServerNotFound, imagesv1.ReasonServerNotReady:
		return "CreateImage"
	}
	return "ObserveImage"
}

func (r *ServerImageReconciler) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}
