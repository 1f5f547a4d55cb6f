package controllers

import (
	"context"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/events"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
)

// What the Cloud and ClusterCloud reconcilers share around the check
// itself (which ClusterClouds run on their Cloud view).

// cloudSteps are the steps of one pass over a Cloud or ClusterCloud;
// reconcileCloudPass runs them in the order both reconcilers document.
type cloudSteps[T client.Object] struct {
	remove func(ctx context.Context, obj T) error
	check  func(ctx context.Context, obj T) (reconcile.Result, error)
	finish func(ctx context.Context, orig, obj T, err error) error
}

// reconcileCloudPass reads obj, then: deleting → remove; no finalizer → add
// it; otherwise check, and finish with the object as read.
func reconcileCloudPass[T interface {
	client.Object
	DeepCopy() T
}](ctx context.Context, c client.Client, req reconcile.Request, obj T, steps cloudSteps[T]) (reconcile.Result, error) {
	if err := c.Get(ctx, req.NamespacedName, obj); err != nil {
		return reconcile.Result{}, client.IgnoreNotFound(err)
	}
	if !obj.GetDeletionTimestamp().IsZero() {
		return reconcile.Result{}, steps.remove(ctx, obj)
	}
	if err := addCloudFinalizer(ctx, c, obj); err != nil {
		return reconcile.Result{}, client.IgnoreNotFound(err)
	}
	orig := obj.DeepCopy()
	res, err := steps.check(ctx, obj)
	return res, steps.finish(ctx, orig, obj, err)
}

// addCloudFinalizer puts the in-use finalizer on a Cloud or ClusterCloud.
func addCloudFinalizer(ctx context.Context, c client.Client, obj client.Object) error {
	if controllerutil.ContainsFinalizer(obj, imagesv1.CloudFinalizer) {
		return nil
	}
	before := obj.DeepCopyObject().(client.Object)
	controllerutil.AddFinalizer(obj, imagesv1.CloudFinalizer)
	return c.Patch(ctx, obj, client.MergeFromWithOptions(before, client.MergeFromWithOptimisticLock{}))
}

// writeCloudStatus patches the status of a Cloud or ClusterCloud when it
// changed, and emits an Event when its Ready condition changed (before is
// the conditions as read). err is the pass's, returned unless the write
// fails.
func writeCloudStatus(ctx context.Context, c client.Client, rec events.EventRecorder, obj, orig client.Object, before []metav1.Condition, changed bool, err error) error {
	if !changed {
		return err
	}
	if perr := c.Status().Patch(ctx, obj, client.MergeFrom(orig)); perr != nil {
		return client.IgnoreNotFound(perr)
	}
	ready := readyChanged(before, conditionsOf(obj))
	if ready == nil {
		return err
	}
	typ := "Normal"
	if ready.Status != metav1.ConditionTrue {
		typ = "Warning"
	}
	rec.Eventf(obj, nil, typ, ready.Reason, "Authenticate", "%s", ready.Message)
	return err
}

func conditionsOf(obj client.Object) []metav1.Condition {
	switch o := obj.(type) {
	case *imagesv1.Cloud:
		return o.Status.Conditions
	case *imagesv1.ClusterCloud:
		return o.Status.Conditions
	}
	return nil
}

// releaseUnused removes the in-use finalizer once users is empty, or says
// which ServerImages it waits for. forget drops the cached Provider.
func releaseUnused(ctx context.Context, c client.Client, rec events.EventRecorder, obj client.Object, users []imagesv1.ServerImage, forget func()) error {
	if !controllerutil.ContainsFinalizer(obj, imagesv1.CloudFinalizer) {
		return nil
	}
	if n := len(users); n > 0 {
		names := make([]string, 0, min(n, 5))
		for i := 0; i < n && i < 5; i++ {
			names = append(names, userName(obj, &users[i]))
		}
		rec.Eventf(obj, nil, "Normal", "InUse", "Delete",
			"waiting for %d ServerImage(s) that use this %s to be deleted first (%s); their images are cleaned up with these credentials",
			n, obj.GetObjectKind().GroupVersionKind().Kind, strings.Join(names, ", "))
		return nil
	}
	forget()
	before := obj.DeepCopyObject().(client.Object)
	controllerutil.RemoveFinalizer(obj, imagesv1.CloudFinalizer)
	return client.IgnoreNotFound(c.Patch(ctx, obj, client.MergeFromWithOptions(before, client.MergeFromWithOptimisticLock{})))
}

// userName names a ServerImage as seen from obj: by name in its Cloud's
// namespace, with the namespace from a ClusterCloud.
func userName(obj client.Object, si *imagesv1.ServerImage) string {
	if obj.GetNamespace() == "" {
		return si.Namespace + "/" + si.Name
	}
	return si.Name
}
