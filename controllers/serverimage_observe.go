package controllers

import (
	"context"
	"fmt"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
	"github.com/serverimage-operator/serverimage-operator/internal/metrics"
	"github.com/serverimage-operator/serverimage-operator/internal/policy"
)

// observe moves the conditions along from what the Cloud's poller last
// read about the recorded image. It makes no cloud call itself (but for
// replacing an orphan): the poller reads all images of a Cloud in batches
// and wakes this object when its image changes phase, and the safety
// requeue refreshes the status shown (progress) from its latest read.
func (r *ServerImageReconciler) observe(ctx context.Context, p *pass) (reconcile.Result, error) {
	si, c := p.si, p.cloud
	if volumeSnapshotsPending(si) {
		return r.observeVolumeSnapshots(ctx, p)
	}
	obs, ok := r.poller.latest(c.UID, si.Status.ImageID, 2*pollIntervalOf(c))
	switch {
	case isReady(si) && (!ok || obs.err != nil):
		// A Ready image stays Ready until the drift check reads it, and
		// while that read fails.
		return r.syncProperties(ctx, p, nil, reconcile.Result{})
	case !ok:
		// Not read yet (a restart, a new image): the poller wakes us.
		return reconcile.Result{RequeueAfter: r.refreshAfter(si, c)}, nil
	case obs.err != nil:
		res, err := fail(&si.Status.Conditions, si.Generation, policy.Poll, obs.err, "")
		if err == nil && res.RequeueAfter == 0 {
			res.RequeueAfter = r.refreshAfter(si, c)
		}
		return res, err
	case obs.notFound:
		r.imageGone(si)
		return reconcile.Result{}, nil
	}
	if res, replaced, err := r.replaceOrphan(ctx, p, obs.image); replaced {
		return res, err
	}
	res, err := r.withVolumeSnapshots(ctx, p, obs.image, r.applyImage(si, obs.image, c))
	if err != nil {
		return res, err
	}
	// Properties are kept once the image is Ready, which its volume
	// snapshots may still hold back.
	return r.syncProperties(ctx, p, &obs, res)
}

// imageGone reports an image the cloud no longer has. It is never
// re-created silently: the user may rely on the ID.
func (r *ServerImageReconciler) imageGone(si *imagesv1.ServerImage) {
	id := si.Status.ImageID
	conds := &si.Status.Conditions
	switch {
	case si.Status.ActivatedTime != nil:
		setStalled(conds, si.Generation, imagesv1.ReasonImageMissing, fmt.Sprintf(
			"image %s was active but is gone from the cloud (deleted out of band?); the operator does not create a replacement: delete and re-create this ServerImage for a new image", id))
	case si.Spec.Import != nil:
		setStalled(conds, si.Generation, imagesv1.ReasonImageNotFound, fmt.Sprintf("imported image %s no longer exists in the cloud", id))
	default:
		setStalled(conds, si.Generation, imagesv1.ReasonImageFailed, fmt.Sprintf(
			"image %s disappeared while it was being built (the cloud deletes the image when a snapshot fails); delete and re-create this ServerImage to try again", id))
	}
	si.Status.ImageStatus = imageStatusNotFound
	si.Status.Progress = nil
}

// imageStatusNotFound is status.imageStatus of an image the cloud no
// longer has.
const imageStatusNotFound = "NotFound"

// refreshAfter is the safety requeue of an in-flight object: soon enough to
// show progress and to notice the timeout, rare enough to cost nothing.
func (r *ServerImageReconciler) refreshAfter(si *imagesv1.ServerImage, c *imagesv1.Cloud) time.Duration {
	// Phase changes, read errors and a long "queued" (a possible orphan)
	// wake the object through the poller; this timer only refreshes the
	// shown progress and notices the timeout.
	next := jitter(max(ProgressRefreshInterval, 2*pollIntervalOf(c)))
	if left := timeoutOf(si) - r.now().Sub(startedAt(si)); left > 0 && left < next {
		next = left + time.Second
	}
	return next
}

// applyImage records what the cloud says about the image and decides the
// conditions and the next look.
func (r *ServerImageReconciler) applyImage(si *imagesv1.ServerImage, img *cloud.Image, c *imagesv1.Cloud) reconcile.Result {
	st := &si.Status
	st.ImageStatus = img.Status
	// The name the cloud stores, which may carry the idempotency suffix on
	// clouds that take no metadata.
	if img.Name != "" {
		st.ImageName = img.Name
	}
	st.Progress = img.Progress
	if img.URL != "" {
		st.ImageURL = img.URL
	}
	if img.SizeBytes != nil {
		st.SizeBytes = img.SizeBytes
	}
	if img.Checksum != "" {
		st.Checksum = img.Checksum
	}
	conds := &st.Conditions
	gen := si.Generation
	now := r.now()

	switch {
	case img.Phase == cloud.PhaseActive:
		if st.ActivatedTime == nil {
			t := metav1.NewTime(now)
			st.ActivatedTime = &t
			if st.CreateRequestedTime != nil {
				metrics.TimeToActive.WithLabelValues(string(c.Spec.Provider)).Observe(now.Sub(st.CreateRequestedTime.Time).Seconds())
			}
		}
		setReady(conds, gen, imagesv1.ReasonImageActive, fmt.Sprintf("image %s is active", img.ID))
		return reconcile.Result{}
	case img.Phase.Final():
		setStalled(conds, gen, imagesv1.ReasonImageFailed, fmt.Sprintf(
			"the cloud reports image %s as %s: the snapshot failed; delete and re-create this ServerImage to try again", img.ID, img.Status))
		return reconcile.Result{}
	}

	timeout := timeoutOf(si)
	if waited := now.Sub(startedAt(si)); waited > timeout {
		// Keep looking, slowly: an image that turns active late still makes
		// the object Ready.
		setStalled(conds, gen, imagesv1.ReasonTimeout, fmt.Sprintf(
			"image %s is still %s after %s (spec.timeout %s); check the server and the cloud, or raise spec.timeout",
			img.ID, img.Status, waited.Round(time.Second), timeout))
		return reconcile.Result{RequeueAfter: jitter(TimeoutRecheck)}
	}
	msg := fmt.Sprintf("image %s is %s", img.ID, img.Status)
	if img.Progress != nil {
		msg += fmt.Sprintf(" (%d%%)", *img.Progress)
	}
	setProgressing(conds, gen, imagesv1.ReasonImageSaving, msg)
	return reconcile.Result{RequeueAfter: r.refreshAfter(si, c)}
}

func isReady(si *imagesv1.ServerImage) bool {
	c := readyCondition(si.Status.Conditions)
	return si.Status.ActivatedTime != nil && c != nil && c.Status == metav1.ConditionTrue
}

func timeoutOf(si *imagesv1.ServerImage) time.Duration {
	if si.Spec.Timeout != nil && si.Spec.Timeout.Duration > 0 {
		return si.Spec.Timeout.Duration
	}
	return DefaultImageTimeout
}

func startedAt(si *imagesv1.ServerImage) time.Time {
	if si.Status.CreateRequestedTime != nil {
		return si.Status.CreateRequestedTime.Time
	}
	return si.CreationTimestamp.Time
}
