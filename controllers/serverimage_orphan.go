package controllers

import (
	"context"
	"fmt"
	"time"

	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
	"github.com/serverimage-operator/serverimage-operator/internal/policy"
)

// OrphanQueuedGrace is how long an image may stay queued while its server
// runs no snapshot before it is taken for the orphan of a failed request.
//
// Real Nova registers the Glance image before it checks the server's task
// state under its own lock: when two createImage calls for one server race,
// both images are registered, the loser's request fails with a 500, and its
// image stays queued for ever, carrying the loser's idempotency key. Left
// alone, the loser would adopt that image and wait until its timeout.
// Nova sets a task state before it answers 202 and clears it only when the
// upload is over, so "queued while the server is idle" is dead almost at
// once; the grace only covers the moment between the two updates.
const OrphanQueuedGrace = 15 * time.Second

// replaceOrphan deletes the image recorded for si when it is such an orphan
// and sends the object back to create a new one. It reports whether it
// did. Only clouds that report the server's task tell a dead request from
// a slow one.
func (r *ServerImageReconciler) replaceOrphan(ctx context.Context, p *pass, img *cloud.Image) (reconcile.Result, bool, error) {
	si := p.si
	if img.Phase != cloud.PhaseQueued || !mayHoldOrphan(si, p.prov) || r.now().Sub(startedAt(si)) < r.orphanGrace() {
		return reconcile.Result{}, false, nil
	}
	srv, err := p.prov.GetServer(ctx, si.Spec.ServerID)
	if err != nil || srv.Readiness == cloud.ServerBusy {
		// A snapshot is still running (or we cannot tell): keep waiting.
		return reconcile.Result{}, false, nil
	}
	if err := p.prov.DeleteImage(ctx, img.ID); err != nil {
		res, err := fail(&si.Status.Conditions, si.Generation, policy.Create, err, "")
		return res, true, err
	}
	log.FromContext(ctx).Info("replaced an orphan image left by a failed create", "orphan", img.ID)
	r.Recorder.Eventf(si, nil, "Warning", "OrphanImageReplaced", "CreateImage",
		"image %s stayed queued with no snapshot running on server %s (the cloud failed that request after registering the image); deleted it and requesting a new one",
		img.ID, si.Spec.ServerID)
	st := &si.Status
	st.ImageID, st.ImageStatus, st.Progress, st.CreateRequestedTime = "", "", nil, nil
	setProgressing(&st.Conditions, si.Generation, imagesv1.ReasonCreating, fmt.Sprintf(
		"deleted orphan image %s (queued with no snapshot running); requesting a new image", img.ID))
	return reconcile.Result{RequeueAfter: time.Second}, true, nil
}

// mayHoldOrphan reports whether si's image can be such an orphan: one the
// operator requested, on a cloud that reports the server's task.
func mayHoldOrphan(si *imagesv1.ServerImage, prov cloud.Provider) bool {
	return si.Spec.Import == nil && prov.Capabilities().ServerTasks
}

func (r *ServerImageReconciler) orphanGrace() time.Duration {
	if r.OrphanGrace > 0 {
		return r.OrphanGrace
	}
	return OrphanQueuedGrace
}
