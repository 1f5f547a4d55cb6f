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

	backoff *backoff
	poller  *imagePoller
}

// +kubebuilder:rbac:groups=images.serverimage.dev,resources=serverimages,verbs=get;list;watch;patch
// +kubebuilder:rbac:groups=images.serverimage.dev,resources=serverimages/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=images.serverimage.dev,resources=serverimages/finalizers,verbs=update
// +kubebuilder:rbac:groups=images.serverimage.dev,resources=clouds,verbs=get;list;watch
// +kubebuilder:rbac:groups="",resources=secrets,verbs=get;list;watch
// +kubebuilder:rbac:groups=events.k8s.io,resources=events,verbs=create;patch

// Reconcile is one pass over one ServerImage.
func (r *ServerImageReconciler) Reconcile(ctx context.Context, req reconcile.Request) (reconcile.Result, error) {
	si := &imagesv1.ServerImage{}
	if err := r.Get(ctx, req.NamespacedName, si); err != nil {
		if apierrors.IsNotFound(err) {
			r.backoff.reset(req.String())
		}
		return reconcile.Result{}, client.IgnoreNotFound(err)
	}
	logger := log.FromContext(ctx).WithValues("cloud", si.Spec.CloudRef.Name)
	if si.Status.ImageID != "" {
		logger = logger.WithValues("imageID", si.Status.ImageID)
	}
	ctx = log.IntoContext(ctx, logger)

	if !si.DeletionTimestamp.IsZero() {
		orig := si.DeepCopy()
		res, err := r.reconcileDelete(ctx, si)
		return res, r.finish(ctx, orig, si, err)
	}

	// The finalizer goes on before any cloud call, so that no image can be
	// created that the operator would not get a chance to clean up.
	if !controllerutil.ContainsFinalizer(si, imagesv1.FinalizerName) {
		before := si.DeepCopy()
		controllerutil.AddFinalizer(si, imagesv1.FinalizerName)
		if err := r.Patch(ctx, si, client.MergeFromWithOptions(before, client.MergeFromWithOptimisticLock{})); err != nil {
			return reconcile.Result{}, err
		}
	}

	orig := si.DeepCopy()
	res, err := r.reconcileNormal(ctx, si)
	return res, r.finish(ctx, orig, si, err)
}

// finish writes the status if it changed and emits an Event when the Ready
// condition changed, so every transition is visible in kubectl describe.
func (r *ServerImageReconciler) finish(ctx context.Context, orig, si *imagesv1.ServerImage, err error) error {
	si.Status.ObservedGeneration = si.Generation
	if !equality.Semantic.DeepEqual(orig.Status, si.Status) {
		if perr := r.Status().Patch(ctx, si, client.MergeFrom(orig)); perr != nil {
			if apierrors.IsNotFound(perr) {
				return err
			}
			return perr
		}
		r.emitTransition(orig, si)
	}
	return err
}

func (r *ServerImageReconciler) emitTransition(orig, si *imagesv1.ServerImage) {
	before, after := readyCondition(orig.Status.Conditions), readyCondition(si.Status.Conditions)
	if after == nil || (before != nil && before.Status == after.Status && before.Reason == after.Reason && before.Message == after.Message) {
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
		imagesv1.ReasonCheckingServer, imagesv1.ReasonDeleting, imagesv1.ReasonCloudNotReady:
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

func (r *ServerImageReconciler) reconcileNormal(ctx context.Context, si *imagesv1.ServerImage) (reconcile.Result, error) {
	c, prov, res, ok := r.resolveCloud(ctx, si, false)
	if !ok {
		return res, nil
	}
	if si.Status.ImageID == "" {
		if si.Spec.Import != nil {
			return r.importImage(ctx, si, c, prov)
		}
		return r.createImage(ctx, si, c, prov)
	}
	return r.pollImage(ctx, si, c, prov)
}

// resolveCloud returns the Cloud and its Provider, or sets CloudNotReady
// and says when to look again.
//
// For cleanup the Cloud need not be Ready (a delete may still work) and
// credentials cached from before the Secret was deleted are good enough.
func (r *ServerImageReconciler) resolveCloud(ctx context.Context, si *imagesv1.ServerImage, cleanup bool) (*imagesv1.Cloud, cloud.Provider, reconcile.Result, bool) {
	c := &imagesv1.Cloud{}
	key := types.NamespacedName{Namespace: si.Namespace, Name: si.Spec.CloudRef.Name}
	wait := reconcile.Result{RequeueAfter: jitter(CloudNotReadyRecheck)}
	if err := r.Get(ctx, key, c); err != nil {
		if apierrors.IsNotFound(err) {
			r.notReadyCloud(si, "Cloud %q not found in namespace %q", key.Name, key.Namespace)
		} else {
			r.notReadyCloud(si, "reading Cloud %q: %v", key.Name, err)
		}
		return nil, nil, wait, false
	}
	ready := readyCondition(c.Status.Conditions)
	if cleanup {
		prov, err := r.Providers.ForCleanup(ctx, c)
		if err != nil {
			r.notReadyCloud(si, "Cloud %q: %v", key.Name, err)
			return nil, nil, wait, false
		}
		return c, prov, reconcile.Result{}, true
	}
	if ready == nil || ready.Status != metav1.ConditionTrue || ready.ObservedGeneration != c.Generation {
		msg := "not checked yet"
		if ready != nil && ready.Status != metav1.ConditionTrue {
			msg = ready.Reason + ": " + ready.Message
		}
		r.notReadyCloud(si, "Cloud %q is not Ready (%s)", key.Name, msg)
		return nil, nil, wait, false
	}
	prov, err := r.Providers.ForCloud(ctx, c)
	if err != nil {
		r.notReadyCloud(si, "Cloud %q: %v", key.Name, err)
		return nil, nil, wait, false
	}
	return c, prov, reconcile.Result{}, true
}

func (r *ServerImageReconciler) notReadyCloud(si *imagesv1.ServerImage, format string, args ...any) {
	setRetrying(&si.Status.Conditions, si.Generation, imagesv1.ReasonCloudNotReady, fmt.Sprintf(format, args...))
}

func (r *ServerImageReconciler) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}
