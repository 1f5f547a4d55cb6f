package controllers

import (
	"context"
	"fmt"

	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
	"github.com/serverimage-operator/serverimage-operator/internal/policy"
)

// reconcileDelete applies the deletion policy, then releases the object.
func (r *ServerImageReconciler) reconcileDelete(ctx context.Context, p *pass) (reconcile.Result, error) {
	si := p.si
	if !controllerutil.ContainsFinalizer(si, imagesv1.FinalizerName) {
		return reconcile.Result{}, nil
	}
	if res, wait, err := r.startBeforeRelease(ctx, p); wait {
		return res, err
	}
	switch {
	case si.Annotations[imagesv1.AbandonAnnotation] == "true":
		r.Recorder.Eventf(si, nil, "Warning", "Abandoned", "DeleteImage",
			"annotation %s=true: released without touching cloud image %q", imagesv1.AbandonAnnotation, si.Status.ImageID)
		return reconcile.Result{}, r.release(ctx, si)
	case si.Spec.DeletionPolicy != imagesv1.DeletionPolicyDelete:
		if si.Status.ImageID != "" {
			r.Recorder.Eventf(si, nil, "Normal", "Retained", "DeleteImage", "cloud image %s retained (deletionPolicy Retain)", si.Status.ImageID)
		}
		return reconcile.Result{}, r.release(ctx, si)
	}

	if res, ok := r.resolveCloud(ctx, p, true); !ok {
		ready := readyCondition(si.Status.Conditions)
		setProgressing(&si.Status.Conditions, si.Generation, imagesv1.ReasonDeletionFailed, fmt.Sprintf(
			"cannot delete cloud image %q yet: %s; the finalizer stays until it is deleted (or set annotation %s=true to release the object and keep the image)",
			si.Status.ImageID, ready.Message, imagesv1.AbandonAnnotation))
		return res, nil
	}
	prov := p.prov
	var ids []string
	var err error
	// Once snapshot deletion has begun the image is gone: asking again
	// would only cost two calls and repeat the Event on every pass.
	if !volumeSnapshotDeletionBegun(si) {
		ids, err = r.imagesToDelete(ctx, si, prov)
		if err == nil {
			err = r.releaseProperties(ctx, p)
		}
	}
	if err != nil {
		return deleteFailure(si, err)
	}
	for _, id := range ids {
		if err := prov.DeleteImage(ctx, id); err != nil {
			return deleteFailure(si, err)
		}
	}
	// Deletion is asynchronous in some clouds: wait until the image is gone.
	for _, id := range ids {
		img, err := prov.GetImage(ctx, id)
		if cloud.IsNotFound(err) || (err == nil && img.Phase == cloud.PhaseDeleted) {
			continue
		}
		if err != nil {
			return deleteFailure(si, err)
		}
		setProgressing(&si.Status.Conditions, si.Generation, imagesv1.ReasonDeleting, fmt.Sprintf("waiting for image %s to be deleted (%s)", id, img.Status))
		return reconcile.Result{RequeueAfter: DeletePollInterval}, nil
	}
	if len(ids) > 0 {
		r.Recorder.Eventf(si, nil, "Normal", "ImageDeleted", "DeleteImage", "cloud image %v deleted (deletionPolicy Delete)", ids)
	}
	if res, done, err := r.deleteVolumeSnapshots(ctx, p); !done {
		return res, err
	}
	return reconcile.Result{}, r.release(ctx, si)
}

// imagesToDelete is the recorded image, or, when none was recorded, any
// image a create may have left behind under this object's key: deleting an
// object mid-create must not leak the image.
func (r *ServerImageReconciler) imagesToDelete(ctx context.Context, si *imagesv1.ServerImage, prov cloud.Provider) ([]string, error) {
	if si.Status.ImageID != "" {
		return []string{si.Status.ImageID}, nil
	}
	if si.Spec.Import != nil {
		return nil, nil
	}
	found, err := prov.FindImages(ctx, cloud.FindImagesQuery{ServerID: si.Spec.ServerID, Name: imageNameOf(si), IdempotencyKey: string(si.UID)})
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(found))
	for _, img := range found {
		ids = append(ids, img.ID)
	}
	return ids, nil
}

// deleteFailure shows a failed delete and schedules the next attempt: a
// delete keeps trying until it works or the object is abandoned.
func deleteFailure(si *imagesv1.ServerImage, err error) (reconcile.Result, error) {
	react := policy.For(policy.Delete, cloud.ClassOf(err))
	setProgressing(&si.Status.Conditions, si.Generation, react.Reason, fmt.Sprintf(
		"deleting cloud image %q: %v; retrying (set annotation %s=true to release the object and keep the image)", si.Status.ImageID, err, imagesv1.AbandonAnnotation))
	return retryOf(react, err)
}

func (r *ServerImageReconciler) release(ctx context.Context, si *imagesv1.ServerImage) error {
	before := si.DeepCopy()
	controllerutil.RemoveFinalizer(si, imagesv1.FinalizerName)
	return r.Patch(ctx, si, client.MergeFromWithOptions(before, client.MergeFromWithOptimisticLock{}))
}
