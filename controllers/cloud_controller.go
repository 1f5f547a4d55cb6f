package controllers

import (
	"context"
	"errors"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/events"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
	"github.com/serverimage-operator/serverimage-operator/internal/policy"
)

// CloudReconciler checks that a Cloud's credentials work.
type CloudReconciler struct {
	client.Client
	Recorder  events.EventRecorder
	Providers *Providers
	Now       func() time.Time
}

// +kubebuilder:rbac:groups=images.serverimage.dev,resources=clouds,verbs=get;list;watch;patch
// +kubebuilder:rbac:groups=images.serverimage.dev,resources=clouds/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=images.serverimage.dev,resources=clouds/finalizers,verbs=update

// Reconcile is one pass over one Cloud, read top to bottom:
//
//	deleting      → wait until no ServerImage uses it, then release it
//	no finalizer  → add it
//	check         → build the Provider and authenticate
//
// finish writes the status and emits an Event when Ready changed.
func (r *CloudReconciler) Reconcile(ctx context.Context, req reconcile.Request) (reconcile.Result, error) {
	return reconcileCloudPass(ctx, r.Client, req, &imagesv1.Cloud{}, cloudSteps[*imagesv1.Cloud]{
		remove: r.reconcileDelete, check: r.check, finish: r.finish,
	})
}

// finish writes the status if it changed and emits an Event when the Ready
// condition changed.
func (r *CloudReconciler) finish(ctx context.Context, orig, c *imagesv1.Cloud, err error) error {
	c.Status.ObservedGeneration = c.Generation
	changed := !equality.Semantic.DeepEqual(orig.Status, c.Status)
	return writeCloudStatus(ctx, r.Client, r.Recorder, c, orig, orig.Status.Conditions, changed, err)
}

// check builds the Cloud's Provider and authenticates with it.
func (r *CloudReconciler) check(ctx context.Context, c *imagesv1.Cloud) (reconcile.Result, error) {
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
		return reconcile.Result{}, nil
	case err != nil:
		// Reading the Secret failed: the API server, not the cloud.
		setRetrying(conds, c.Generation, imagesv1.ReasonTransientError, err.Error())
		return reconcile.Result{}, err
	}

	return r.authenticate(ctx, c, prov)
}

// authenticate shows the driver's warnings and checks the credentials.
func (r *CloudReconciler) authenticate(ctx context.Context, c *imagesv1.Cloud, prov cloud.Provider) (reconcile.Result, error) {
	conds := &c.Status.Conditions
	if w := prov.Capabilities().Warnings; len(w) > 0 {
		set(conds, c.Generation, imagesv1.ConditionConfigurationWarning, metav1.ConditionTrue, "DriverWarning", strings.Join(w, "; "))
	} else {
		meta.RemoveStatusCondition(conds, imagesv1.ConditionConfigurationWarning)
	}

	if err := prov.Authenticate(ctx); err != nil {
		log.FromContext(ctx).Info("authentication failed", "error", err.Error())
		// Ready=False while the cloud cannot be reached, so ServerImages
		// wait for it rather than failing one by one.
		if meta.IsStatusConditionTrue(*conds, imagesv1.ConditionReady) {
			meta.RemoveStatusCondition(conds, imagesv1.ConditionReady)
		}
		return fail(conds, c.Generation, policy.Authenticate, err, "")
	}
	if !meta.IsStatusConditionTrue(c.Status.Conditions, imagesv1.ConditionReady) || c.Status.LastAuthenticatedTime == nil {
		now := metav1.NewTime(r.now())
		c.Status.LastAuthenticatedTime = &now
	}
	setReady(conds, c.Generation, imagesv1.ReasonAuthenticated, "credentials accepted by "+string(c.Spec.Provider))
	return reconcile.Result{RequeueAfter: jitter(CloudReauthInterval)}, nil
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
	c.SetGroupVersionKind(imagesv1.GroupVersion.WithKind(imagesv1.KindCloud))
	return releaseUnused(ctx, r.Client, r.Recorder, c, users.Items, func() { r.Providers.Forget(c) })
}
