package controllers

import (
	"context"
	"errors"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/events"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
)

// CloudReconciler checks that a Cloud's credentials work.
type CloudReconciler struct {
	client.Client
	Recorder  events.EventRecorder
	Providers *Providers
	Now       func() time.Time

	backoff *backoff
}

// +kubebuilder:rbac:groups=images.serverimage.dev,resources=clouds,verbs=get;list;watch;patch
// +kubebuilder:rbac:groups=images.serverimage.dev,resources=clouds/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=images.serverimage.dev,resources=clouds/finalizers,verbs=update

// Reconcile authenticates against the cloud and reports the result.
func (r *CloudReconciler) Reconcile(ctx context.Context, req reconcile.Request) (reconcile.Result, error) {
	c := &imagesv1.Cloud{}
	if err := r.Get(ctx, req.NamespacedName, c); err != nil {
		if apierrors.IsNotFound(err) {
			r.backoff.reset(req.String())
		}
		return reconcile.Result{}, client.IgnoreNotFound(err)
	}
	if !c.DeletionTimestamp.IsZero() {
		return reconcile.Result{}, r.reconcileDelete(ctx, c)
	}
	if !controllerutil.ContainsFinalizer(c, imagesv1.CloudFinalizer) {
		before := c.DeepCopy()
		controllerutil.AddFinalizer(c, imagesv1.CloudFinalizer)
		if err := r.Patch(ctx, c, client.MergeFromWithOptions(before, client.MergeFromWithOptimisticLock{})); err != nil {
			return reconcile.Result{}, client.IgnoreNotFound(err)
		}
	}
	orig := c.DeepCopy()
	res := r.check(ctx, c)
	c.Status.ObservedGeneration = c.Generation
	if equality.Semantic.DeepEqual(orig.Status, c.Status) {
		return res, nil
	}
	if err := r.Status().Patch(ctx, c, client.MergeFrom(orig)); err != nil {
		return reconcile.Result{}, client.IgnoreNotFound(err)
	}
	before, after := readyCondition(orig.Status.Conditions), readyCondition(c.Status.Conditions)
	if after != nil && (before == nil || before.Status != after.Status || before.Reason != after.Reason || before.Message != after.Message) {
		typ := "Normal"
		if after.Status != metav1.ConditionTrue {
			typ = "Warning"
		}
		r.Recorder.Eventf(c, nil, typ, after.Reason, "Authenticate", "%s", after.Message)
	}
	return res, nil
}

func (r *CloudReconciler) check(ctx context.Context, c *imagesv1.Cloud) reconcile.Result {
	key := client.ObjectKeyFromObject(c).String()
	conds := &c.Status.Conditions
	if c.Spec.InsecureSkipTLSVerify {
		set(conds, c.Generation, imagesv1.ConditionTLSVerificationDisabled, metav1.ConditionTrue, "InsecureSkipTLSVerify",
			"spec.insecureSkipTLSVerify is set: the cloud's certificate is not verified; use a CA bundle (Secret key cacert) instead")
	} else {
		meta.RemoveStatusCondition(conds, imagesv1.ConditionTLSVerificationDisabled)
	}

	prov, err := r.Providers.ForCloud(ctx, c)
	var cerr *configError
	switch {
	case errors.As(err, &cerr):
		setStalled(conds, c.Generation, cerr.reason, cerr.msg)
		return reconcile.Result{}
	case err != nil:
		setRetrying(conds, c.Generation, imagesv1.ReasonTransientError, err.Error())
		return reconcile.Result{RequeueAfter: r.backoff.next(key)}
	}

	if w, ok := prov.(cloud.ConfigWarner); ok && len(w.Warnings()) > 0 {
		set(conds, c.Generation, imagesv1.ConditionConfigurationWarning, metav1.ConditionTrue, "DriverWarning", strings.Join(w.Warnings(), "; "))
	} else {
		meta.RemoveStatusCondition(conds, imagesv1.ConditionConfigurationWarning)
	}

	if err := prov.Authenticate(ctx); err != nil {
		log.FromContext(ctx).Info("authentication failed", "error", err.Error())
		return r.authFailure(c, key, err)
	}
	r.backoff.reset(key)
	if !meta.IsStatusConditionTrue(c.Status.Conditions, imagesv1.ConditionReady) || c.Status.LastAuthenticatedTime == nil {
		now := metav1.NewTime(r.now())
		c.Status.LastAuthenticatedTime = &now
	}
	setReady(conds, c.Generation, imagesv1.ReasonAuthenticated, "credentials accepted by "+string(c.Spec.Provider))
	return reconcile.Result{RequeueAfter: jitter(CloudReauthInterval)}
}

// authFailure turns a failed authentication into the Cloud's conditions
// and the time of the next check.
func (r *CloudReconciler) authFailure(c *imagesv1.Cloud, key string, err error) reconcile.Result {
	conds := &c.Status.Conditions
	switch cloud.ClassOf(err) {
	case cloud.ClassUnauthorized, cloud.ClassForbidden:
		setStalled(conds, c.Generation, imagesv1.ReasonAuthenticationFailed, err.Error())
		return reconcile.Result{RequeueAfter: jitter(CloudReauthInterval)}
	case cloud.ClassInvalid, cloud.ClassNotFound:
		setStalled(conds, c.Generation, imagesv1.ReasonInvalidConfiguration, err.Error())
		return reconcile.Result{RequeueAfter: jitter(CloudReauthInterval)}
	}
	// Ready=False while the cloud cannot be reached: ServerImages wait for
	// it rather than failing one by one.
	setProgressing(conds, c.Generation, reasonFor(err), err.Error())
	d := r.backoff.next(key)
	if ra, ok := retryAfter(err); ok && ra > d {
		d = min(ra, backoffCap)
	}
	return reconcile.Result{RequeueAfter: d}
}

func (r *CloudReconciler) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

// reconcileDelete releases the Cloud once no ServerImage refers to it. The
// ServerImages' own deletions wake it (see Setup).
func (r *CloudReconciler) reconcileDelete(ctx context.Context, c *imagesv1.Cloud) error {
	if !controllerutil.ContainsFinalizer(c, imagesv1.CloudFinalizer) {
		return nil
	}
	var users imagesv1.ServerImageList
	if err := r.List(ctx, &users, client.InNamespace(c.Namespace), client.MatchingFields{indexCloudRef: c.Name}); err != nil {
		return err
	}
	if n := len(users.Items); n > 0 {
		names := make([]string, 0, min(n, 5))
		for i := 0; i < n && i < 5; i++ {
			names = append(names, users.Items[i].Name)
		}
		r.Recorder.Eventf(c, nil, "Normal", "InUse", "Delete",
			"waiting for %d ServerImage(s) that use this Cloud to be deleted first (%s); their images are cleaned up with these credentials",
			n, strings.Join(names, ", "))
		return nil
	}
	r.Providers.Forget(c)
	before := c.DeepCopy()
	controllerutil.RemoveFinalizer(c, imagesv1.CloudFinalizer)
	return client.IgnoreNotFound(r.Patch(ctx, c, client.MergeFromWithOptions(before, client.MergeFromWithOptimisticLock{})))
}
