package controllers

import (
	"context"
	"fmt"
	"sort"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
)

// DuplicateRecheck is how often an object with several images carrying its
// key looks again, so that it recovers once a person removed the extras.
const DuplicateRecheck = ServerNotReadyRecheck

// createImage gets the object its image: adopt one that an earlier attempt
// created (a lost response, a crash, a failed status write), or create it.
//
// createImage is not idempotent in any of the clouds, so the order matters:
// live read, find by idempotency key, check the server, create, and record
// the ID at once (the caller writes the status right after we return, with
// no cloud call in between).
func (r *ServerImageReconciler) createImage(ctx context.Context, si *imagesv1.ServerImage, c *imagesv1.Cloud, prov cloud.Provider) (reconcile.Result, error) {
	logger := log.FromContext(ctx)
	key := string(si.UID)
	name := imageNameOf(si)
	poll := pollIntervalOf(c)

	// The informer cache can lag behind our own last status write; the live
	// object is the truth about whether an ID was already recorded.
	live := &imagesv1.ServerImage{}
	if err := r.APIReader.Get(ctx, client.ObjectKeyFromObject(si), live); err != nil {
		return reconcile.Result{}, client.IgnoreNotFound(err)
	}
	if live.UID != si.UID {
		return reconcile.Result{}, nil
	}
	if live.Status.ImageID != "" {
		return reconcile.Result{RequeueAfter: jitter(poll)}, nil
	}

	found, err := prov.FindImages(ctx, cloud.FindImagesQuery{ServerID: si.Spec.ServerID, Name: name, IdempotencyKey: key})
	if err != nil {
		return r.cloudFailure(ctx, si, err), nil
	}
	switch {
	case len(found) > 1:
		ids := make([]string, 0, len(found))
		for _, img := range found {
			ids = append(ids, img.ID)
		}
		sort.Strings(ids)
		setStalled(&si.Status.Conditions, si.Generation, imagesv1.ReasonDuplicateImages, fmt.Sprintf(
			"%d images carry this object's key %s=%s: %s; delete all but one in the cloud and the operator adopts the one left",
			len(found), cloud.IdempotencyMetadataKey, key, strings.Join(ids, ", ")))
		return reconcile.Result{RequeueAfter: jitter(DuplicateRecheck)}, nil
	case len(found) == 1:
		img := found[0]
		logger.Info("adopting image created by an earlier attempt", "imageID", img.ID)
		r.recordImageID(si, img.ID, name)
		r.applyImage(si, &img, c)
		r.poller.track(c, prov, si, img.Phase == cloud.PhasePending, img.Phase)
		r.Recorder.Eventf(si, nil, "Normal", "Adopted", "CreateImage",
			"found image %s created by an earlier attempt (response lost or operator restarted); adopted it instead of creating another", img.ID)
		return reconcile.Result{RequeueAfter: jitter(poll)}, nil
	}

	srv, err := prov.GetServer(ctx, si.Spec.ServerID)
	if err != nil {
		return r.cloudFailure(ctx, si, err), nil
	}
	if srv.ServerBusy() {
		setProgressing(&si.Status.Conditions, si.Generation, imagesv1.ReasonServerBusy, fmt.Sprintf(
			"server %s is busy (task_state %s); the image will be requested when it is idle", srv.ID, srv.TaskState))
		return reconcile.Result{RequeueAfter: r.backoff.next(key)}, nil
	}
	if !srv.Snapshottable() {
		setStalled(&si.Status.Conditions, si.Generation, imagesv1.ReasonServerNotReady, fmt.Sprintf(
			"server %s is %s; an image can be taken of a server that is ACTIVE, SHUTOFF, PAUSED or SUSPENDED (checked again every %s)",
			srv.ID, srv.Status, ServerNotReadyRecheck))
		return reconcile.Result{RequeueAfter: jitter(ServerNotReadyRecheck)}, nil
	}

	id, err := prov.CreateImage(ctx, cloud.CreateImageRequest{
		ServerID: si.Spec.ServerID, Name: name, Metadata: metadataOf(si), IdempotencyKey: key,
	})
	if err != nil {
		return r.cloudFailure(ctx, si, err), nil
	}
	r.backoff.reset(key)
	logger.Info("createImage accepted", "imageID", id)
	r.recordImageID(si, id, name)
	r.poller.track(c, prov, si, true, cloud.PhasePending)
	setProgressing(&si.Status.Conditions, si.Generation, imagesv1.ReasonImageSaving, fmt.Sprintf(
		"createImage accepted: image %s of server %s is being built", id, si.Spec.ServerID))
	return reconcile.Result{RequeueAfter: r.refreshAfter(si, c)}, nil
}

func (r *ServerImageReconciler) recordImageID(si *imagesv1.ServerImage, id, name string) {
	si.Status.ImageID = id
	si.Status.ImageName = name
	if si.Status.CreateRequestedTime == nil {
		now := metav1.NewTime(r.now())
		si.Status.CreateRequestedTime = &now
	}
}

// cloudFailure turns a classified cloud error into conditions and the time
// of the next attempt. Terminal errors stop retries until something changes.
func (r *ServerImageReconciler) cloudFailure(ctx context.Context, si *imagesv1.ServerImage, err error) reconcile.Result {
	key := string(si.UID)
	reason := reasonFor(err)
	msg := err.Error()
	log.FromContext(ctx).Info("cloud call failed", "reason", reason, "error", msg)
	conds := &si.Status.Conditions
	switch cloud.ClassOf(err) {
	case cloud.ClassRateLimited:
		d := r.backoff.next(key)
		if ra, ok := retryAfter(err); ok {
			d = jitter(min(ra, backoffCap))
		}
		setRetrying(conds, si.Generation, reason, fmt.Sprintf("%s (retrying in %s)", msg, d.Round(1e9)))
		return reconcile.Result{RequeueAfter: d}
	case cloud.ClassBusy:
		setProgressing(conds, si.Generation, reason, msg)
		return reconcile.Result{RequeueAfter: r.backoff.next(key)}
	case cloud.ClassConflict:
		setStalled(conds, si.Generation, reason, fmt.Sprintf("%s (checked again every %s)", msg, ServerNotReadyRecheck))
		return reconcile.Result{RequeueAfter: jitter(ServerNotReadyRecheck)}
	case cloud.ClassUnauthorized:
		// The driver already re-authenticated once. New credentials in the
		// Secret wake this object through its Cloud.
		setStalled(conds, si.Generation, reason, msg)
		return reconcile.Result{RequeueAfter: jitter(ServerNotReadyRecheck)}
	case cloud.ClassNotFound, cloud.ClassInvalid, cloud.ClassForbidden:
		setStalled(conds, si.Generation, reason, msg)
		return reconcile.Result{}
	}
	d := r.backoff.next(key)
	setRetrying(conds, si.Generation, reason, fmt.Sprintf("%s (retrying in %s)", msg, d.Round(1e9)))
	return reconcile.Result{RequeueAfter: d}
}

func imageNameOf(si *imagesv1.ServerImage) string {
	if si.Spec.ImageName != "" {
		return si.Spec.ImageName
	}
	return si.Name
}

func metadataOf(si *imagesv1.ServerImage) map[string]string {
	if len(si.Spec.Metadata) == 0 {
		return nil
	}
	out := make(map[string]string, len(si.Spec.Metadata))
	for k, v := range si.Spec.Metadata {
		out[k] = string(v)
	}
	return out
}
