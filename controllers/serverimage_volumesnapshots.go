package controllers

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
	"github.com/serverimage-operator/serverimage-operator/internal/policy"
)

// An image of a volume-backed server is a list of block-storage snapshots,
// active before they are (Nova does not wait for them) and leaving them
// behind when it is deleted. The status records them when the image turns
// active; that record decides Ready and drives their deletion, so cleanup
// works after a crash and when the image was deleted by hand.

// snapshotStatusNotFound is the recorded status of a snapshot that is gone.
const snapshotStatusNotFound = "NotFound"

// withVolumeSnapshots follows applyImage (whose result is res): an active
// image's snapshots are recorded, and waited for.
func (r *ServerImageReconciler) withVolumeSnapshots(ctx context.Context, p *pass, img *cloud.Image, res reconcile.Result) (reconcile.Result, error) {
	if recordVolumeSnapshots(p.si, img, p.prov) {
		return r.observeVolumeSnapshots(ctx, p)
	}
	return res, nil
}

// recordVolumeSnapshots copies the snapshots an active image lists into
// the status, once: the image's property is user-editable, the record is
// what the operator took responsibility for. It reports whether the
// object has snapshots to wait for.
func recordVolumeSnapshots(si *imagesv1.ServerImage, img *cloud.Image, prov cloud.Provider) bool {
	if img.Phase != cloud.PhaseActive || prov.Capabilities().VolumeSnapshots != cloud.SnapshotsListed {
		return false
	}
	if len(si.Status.VolumeSnapshots) == 0 {
		for _, s := range img.VolumeSnapshots {
			st := imagesv1.VolumeSnapshotStatus{ID: s.ID}
			if s.VolumeSizeGiB != nil {
				n := int32(*s.VolumeSizeGiB)
				st.VolumeSizeGiB = &n
			}
			si.Status.VolumeSnapshots = append(si.Status.VolumeSnapshots, st)
		}
	}
	return volumeSnapshotsPending(si)
}

// volumeSnapshotsPending: the image is active but a recorded snapshot was
// not seen available yet.
func volumeSnapshotsPending(si *imagesv1.ServerImage) bool {
	if si.Status.ActivatedTime == nil {
		return false
	}
	for _, s := range si.Status.VolumeSnapshots {
		if s.Status != string(cloud.SnapshotAvailable) {
			return true
		}
	}
	return false
}

// observeVolumeSnapshots reads the recorded snapshots of an active image
// until all are available: until then the object is not Ready, since a
// server booted from the image could fail.
func (r *ServerImageReconciler) observeVolumeSnapshots(ctx context.Context, p *pass) (reconcile.Result, error) {
	si := p.si
	var creating, failed []string
	for i := range si.Status.VolumeSnapshots {
		rec := &si.Status.VolumeSnapshots[i]
		snap, err := p.prov.GetVolumeSnapshot(ctx, rec.ID)
		if err != nil {
			return fail(&si.Status.Conditions, si.Generation, policy.VolumeSnapshots, err,
				fmt.Sprintf("reading volume snapshot %s of image %s: %v", rec.ID, si.Status.ImageID, err))
		}
		recordSnapshot(rec, snap)
		switch snap.Phase {
		case cloud.SnapshotAvailable:
		case cloud.SnapshotCreating:
			creating = append(creating, rec.ID)
		default:
			failed = append(failed, fmt.Sprintf("%s (%s)", rec.ID, rec.Status))
		}
	}
	conds, gen := &si.Status.Conditions, si.Generation
	switch {
	case len(failed) > 0:
		setStalled(conds, gen, imagesv1.ReasonVolumeSnapshotFailed, fmt.Sprintf(
			"image %s is active, but its volume snapshots %s are not usable: a server booted from it would fail; delete and re-create this ServerImage",
			si.Status.ImageID, strings.Join(failed, ", ")))
		return reconcile.Result{RequeueAfter: jitter(VolumeSnapshotRecheck)}, nil
	case len(creating) > 0:
		setProgressing(conds, gen, imagesv1.ReasonVolumeSnapshotsPending, fmt.Sprintf(
			"image %s is active, waiting for its volume snapshots %s to be available (a server booted from it now could fail)",
			si.Status.ImageID, strings.Join(creating, ", ")))
		return reconcile.Result{RequeueAfter: jitter(DeletePollInterval)}, nil
	}
	// applyImage's words: the drift check's later reads write nothing.
	setReady(conds, gen, imagesv1.ReasonImageActive, fmt.Sprintf("image %s is active", si.Status.ImageID))
	return reconcile.Result{}, nil
}

func recordSnapshot(rec *imagesv1.VolumeSnapshotStatus, snap *cloud.VolumeSnapshot) {
	rec.Status = snap.Status
	if snap.Phase == cloud.SnapshotGone {
		rec.Status = snapshotStatusNotFound
	}
	if snap.SizeGiB > 0 {
		n := int32(snap.SizeGiB)
		rec.VolumeSizeGiB = &n
	}
}

// volumeSnapshotDeletionBegun: snapshots are deleted only after the
// image is gone, so a recorded snapshot that is deleting or gone means the
// image step is done and need not be repeated.
func volumeSnapshotDeletionBegun(si *imagesv1.ServerImage) bool {
	for _, s := range si.Status.VolumeSnapshots {
		if s.Status == string(cloud.SnapshotDeleting) || s.Status == snapshotStatusNotFound {
			return true
		}
	}
	return false
}

// errSnapshotInUse is why a snapshot delete is retried with backoff.
var errSnapshotInUse = errors.New("volume snapshot in use")

// deleteVolumeSnapshots deletes the recorded snapshots after the image and
// waits until they are gone; done reports that nothing is left. Each pass
// reads every snapshot not yet gone, so a repeat after a crash only
// finds some already deleting or gone.
func (r *ServerImageReconciler) deleteVolumeSnapshots(ctx context.Context, p *pass) (res reconcile.Result, done bool, err error) {
	si, prov := p.si, p.prov
	if prov.Capabilities().VolumeSnapshots == cloud.SnapshotsHidden {
		msg := fmt.Sprintf("this cloud gives no way to find the volume snapshots behind image %s: if it was an image of a volume-backed server, its snapshots are left (see the provider's documentation)", si.Status.ImageID)
		// The condition is written before the finalizer goes, so that a
		// watch on the delete (kubectl get -w, a pipeline) sees it; the
		// Event outlives the object.
		setProgressing(&si.Status.Conditions, si.Generation, imagesv1.ReasonVolumeSnapshotsUnknown, msg)
		if err := r.Status().Patch(ctx, si, client.MergeFrom(p.orig)); err != nil {
			return reconcile.Result{}, false, fmt.Errorf("recording that volume snapshots may be left: %w", err)
		}
		p.orig = si.DeepCopy()
		r.Recorder.Eventf(si, nil, "Warning", imagesv1.ReasonVolumeSnapshotsUnknown, "DeleteImage", "%s", msg)
		return reconcile.Result{}, true, nil
	}
	var waiting, inUse []string
	for i := range si.Status.VolumeSnapshots {
		rec := &si.Status.VolumeSnapshots[i]
		if rec.Status == snapshotStatusNotFound {
			continue
		}
		snap, err := prov.GetVolumeSnapshot(ctx, rec.ID)
		if err != nil {
			res, err := snapshotDeleteFailure(si, rec.ID, err)
			return res, false, err
		}
		deleteSent := rec.Status == string(cloud.SnapshotDeleting)
		recordSnapshot(rec, snap)
		switch {
		case snap.Phase == cloud.SnapshotGone:
			continue
		case snap.Phase == cloud.SnapshotAvailable && deleteSent:
			// Back from deleting: the cloud refused in the background,
			// because a volume was made from it. The next pass asks again.
			inUse = append(inUse, rec.ID)
			continue
		case snap.Phase == cloud.SnapshotAvailable || snap.Phase == cloud.SnapshotError:
			if err := prov.DeleteVolumeSnapshot(ctx, rec.ID); err != nil {
				res, err := snapshotDeleteFailure(si, rec.ID, err)
				return res, false, err
			}
			rec.Status = string(cloud.SnapshotDeleting)
		}
		waiting = append(waiting, fmt.Sprintf("%s (%s)", rec.ID, rec.Status))
	}
	conds, gen := &si.Status.Conditions, si.Generation
	switch {
	case len(inUse) > 0:
		msg := fmt.Sprintf("volume snapshots %s of image %s were not deleted: the cloud put them back to available, which means a volume was created from them (a server was booted from the image); delete that volume, or set annotation %s=true to release the object and keep them",
			strings.Join(inUse, ", "), si.Status.ImageID, imagesv1.AbandonAnnotation)
		setProgressing(conds, gen, imagesv1.ReasonVolumeSnapshotInUse, msg)
		r.Recorder.Eventf(si, nil, "Warning", imagesv1.ReasonVolumeSnapshotInUse, "DeleteImage", "%s", msg)
		return reconcile.Result{}, false, &retryError{fmt.Errorf("%w: %s", errSnapshotInUse, strings.Join(inUse, ", "))}
	case len(waiting) > 0:
		setProgressing(conds, gen, imagesv1.ReasonDeleting, fmt.Sprintf(
			"image %s deleted; waiting for its volume snapshots to be deleted: %s", si.Status.ImageID, strings.Join(waiting, ", ")))
		return reconcile.Result{RequeueAfter: DeletePollInterval}, false, nil
	}
	if n := len(si.Status.VolumeSnapshots); n > 0 {
		r.Recorder.Eventf(si, nil, "Normal", "VolumeSnapshotsDeleted", "DeleteImage", "the %d volume snapshots of image %s deleted", n, si.Status.ImageID)
	}
	return reconcile.Result{}, true, nil
}

func snapshotDeleteFailure(si *imagesv1.ServerImage, id string, err error) (reconcile.Result, error) {
	return fail(&si.Status.Conditions, si.Generation, policy.DeleteVolumeSnapshots, err, fmt.Sprintf(
		"deleting volume snapshot %s of image %s: %v (set annotation %s=true to release the object and keep them)",
		id, si.Status.ImageID, err, imagesv1.AbandonAnnotation))
}
