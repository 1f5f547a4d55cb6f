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
)

// importImage adopts the image named in spec.import.
func (r *ServerImageReconciler) importImage(ctx context.Context, si *imagesv1.ServerImage, c *imagesv1.Cloud, prov cloud.Provider) (reconcile.Result, error) {
	id := si.Spec.Import.ImageID
	img, err := prov.GetImage(ctx, id)
	if cloud.IsNotFound(err) {
		setStalled(&si.Status.Conditions, si.Generation, imagesv1.ReasonImageNotFound, fmt.Sprintf(
			"image %s to import does not exist in Cloud %s: %v", id, c.Name, err))
		return reconcile.Result{}, nil
	}
	if err != nil {
		return r.cloudFailure(ctx, si, err), nil
	}
	si.Status.ImageID = img.ID
	si.Status.ImageName = img.Name
	res := r.applyImage(si, img, c)
	if img.Phase != cloud.PhaseFailed {
		r.poller.track(c, prov, si, img.Phase == cloud.PhasePending, img.Phase)
	}
	return res, nil
}

// pollImage moves the conditions along from what the Cloud's poller last
// read about the recorded image. It makes no cloud call itself: the poller
// reads all images of a Cloud in batches and wakes this object when its
// image changes phase, and the safety requeue refreshes the status shown
// (progress) from the poller's latest read.
func (r *ServerImageReconciler) pollImage(ctx context.Context, si *imagesv1.ServerImage, c *imagesv1.Cloud, prov cloud.Provider) (reconcile.Result, error) {
	id := si.Status.ImageID
	obs, ok := r.poller.latest(c.UID, id, 2*pollIntervalOf(c))
	if !ok {
		if isReady(si) {
			r.poller.track(c, prov, si, false, cloud.PhaseActive)
			return reconcile.Result{}, nil
		}
		r.poller.track(c, prov, si, true, cloud.PhasePending)
		return reconcile.Result{RequeueAfter: r.refreshAfter(si, c)}, nil
	}
	if obs.err != nil {
		if isReady(si) {
			// A Ready image stays Ready while its drift check fails.
			r.poller.track(c, prov, si, false, cloud.PhaseActive)
			return reconcile.Result{}, nil
		}
		r.poller.track(c, prov, si, true, cloud.PhasePending)
		res := r.cloudFailure(ctx, si, obs.err)
		if res.RequeueAfter == 0 {
			res.RequeueAfter = r.refreshAfter(si, c)
		}
		return res, nil
	}
	if obs.notFound {
		r.poller.forget(c.UID, id)
		conds := &si.Status.Conditions
		switch {
		case si.Status.ActivatedTime != nil:
			// Never re-create silently: the user may rely on the ID.
			setStalled(conds, si.Generation, imagesv1.ReasonImageMissing, fmt.Sprintf(
				"image %s was active but is gone from the cloud (deleted out of band?); the operator does not create a replacement: delete and re-create this ServerImage for a new image", id))
		case si.Spec.Import != nil:
			setStalled(conds, si.Generation, imagesv1.ReasonImageNotFound, fmt.Sprintf("imported image %s no longer exists in the cloud", id))
		default:
			setStalled(conds, si.Generation, imagesv1.ReasonImageFailed, fmt.Sprintf(
				"image %s disappeared while it was being built (the cloud deletes the image when a snapshot fails); delete and re-create this ServerImage to try again", id))
		}
		si.Status.ImageStatus = "NotFound"
		si.Status.Progress = nil
		return reconcile.Result{}, nil
	}
	r.backoff.reset(string(si.UID))
	if res, replaced := r.replaceOrphan(ctx, si, c, prov, obs.image); replaced {
		return res, nil
	}
	res := r.applyImage(si, obs.image, c)
	switch obs.image.Phase {
	case cloud.PhaseActive:
		r.poller.track(c, prov, si, false, cloud.PhaseActive)
		return reconcile.Result{}, nil
	case cloud.PhaseFailed:
		r.poller.forget(c.UID, id)
	default:
		r.poller.track(c, prov, si, true, cloud.PhasePending)
	}
	return res, nil
}

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

// applyImage records what the cloud says about the image and decides the
// conditions and the next poll.
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

	switch img.Phase {
	case cloud.PhaseActive:
		if st.ActivatedTime == nil {
			t := metav1.NewTime(now)
			st.ActivatedTime = &t
			if st.CreateRequestedTime != nil {
				metrics.TimeToActive.WithLabelValues(string(c.Spec.Provider)).Observe(now.Sub(st.CreateRequestedTime.Time).Seconds())
			}
		}
		setReady(conds, gen, imagesv1.ReasonImageActive, fmt.Sprintf("image %s is active", img.ID))
		return reconcile.Result{}
	case cloud.PhaseFailed:
		setStalled(conds, gen, imagesv1.ReasonImageFailed, fmt.Sprintf(
			"the cloud reports image %s as %s: the snapshot failed; delete and re-create this ServerImage to try again", img.ID, img.Status))
		return reconcile.Result{}
	}

	timeout := timeoutOf(si)
	started := startedAt(si)
	if waited := now.Sub(started); waited > timeout {
		// Keep looking, slowly: an image that turns active late still makes
		// the object Ready.
		setStalled(conds, gen, imagesv1.ReasonTimeout, fmt.Sprintf(
			"image %s is still %s after %s (spec.timeout %s); check the server and the cloud, or raise spec.timeout",
			img.ID, img.Status, waited.Round(time.Second), timeout))
		return reconcile.Result{RequeueAfter: jitter(ServerNotReadyRecheck)}
	}
	msg := fmt.Sprintf("image %s is %s", img.ID, img.Status)
	if img.Progress != nil {
		msg += fmt.Sprintf(" (%d%%)", *img.Progress)
	}
	setProgressing(conds, gen, imagesv1.ReasonImageSaving, msg)
	return reconcile.Result{RequeueAfter: r.refreshAfter(si, c)}
}
