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
	"github.com/serverimage-operator/serverimage-operator/internal/policy"
)

// adoptOrCreate gets the object its image: adopt one that an earlier
// attempt created (a lost response, a crash, a failed status write), or
// create it.
//
// createImage is not idempotent in any of the clouds, so the order matters:
// make sure no image was recorded, look for one carrying this object's key
// when a create may already have been sent, check the server where the
// create would not say why it refuses, create, and record the ID at once
// (finish writes the status right after, with no cloud call in between).
func (r *ServerImageReconciler) adoptOrCreate(ctx context.Context, p *pass) (reconcile.Result, error) {
	si := p.si
	if !p.firstPass {
		// The informer cache can lag behind our own last status write;
		// the live object is the truth about whether an ID was already
		// recorded. (A first pass proved the cache current with its
		// optimistically locked finalizer write.)
		live := &imagesv1.ServerImage{}
		if err := r.APIReader.Get(ctx, client.ObjectKeyFromObject(si), live); err != nil {
			return reconcile.Result{}, client.IgnoreNotFound(err)
		}
		if live.UID != si.UID || live.Status.ImageID != "" {
			return reconcile.Result{}, nil
		}
		if res, done, err := r.adopt(ctx, p); done {
			return res, err
		}
	}
	if !p.prov.Capabilities().CreateChecksServer {
		if res, done, err := r.checkServer(ctx, p); done {
			return res, err
		}
	}
	return r.create(ctx, p)
}

// adopt looks for images an earlier create of this object left behind. One
// is adopted (Event Adopted); more than one is Stalled, naming them all,
// never a silent pick. done is false when there is none.
func (r *ServerImageReconciler) adopt(ctx context.Context, p *pass) (reconcile.Result, bool, error) {
	si := p.si
	key := string(si.UID)
	found, err := p.prov.FindImages(ctx, cloud.FindImagesQuery{ServerID: si.Spec.ServerID, Name: imageNameOf(si), IdempotencyKey: key})
	if err != nil {
		res, err := fail(&si.Status.Conditions, si.Generation, policy.FindImages, err, "")
		return res, true, err
	}
	switch len(found) {
	case 0:
		return reconcile.Result{}, false, nil
	case 1:
		img := found[0]
		log.FromContext(ctx).Info("adopting image created by an earlier attempt", "imageID", img.ID)
		r.recordImageID(si, img.ID, imageNameOf(si))
		res := r.applyImage(si, &img, p.cloud)
		r.Recorder.Eventf(si, nil, "Normal", "Adopted", "CreateImage",
			"found image %s created by an earlier attempt (response lost or operator restarted); adopted it instead of creating another", img.ID)
		return res, true, nil
	}
	ids := make([]string, 0, len(found))
	for _, img := range found {
		ids = append(ids, img.ID)
	}
	sort.Strings(ids)
	setStalled(&si.Status.Conditions, si.Generation, imagesv1.ReasonDuplicateImages, fmt.Sprintf(
		"%d images carry this object's key (%s): %s; delete all but one in the cloud and the operator adopts the one left",
		len(found), keyOf(p.prov, key), strings.Join(ids, ", ")))
	return reconcile.Result{RequeueAfter: jitter(DuplicateRecheck)}, true, nil
}

// keyOf says where the idempotency key is, for messages.
func keyOf(prov cloud.Provider, key string) string {
	if prov.Capabilities().IdempotencyKey == cloud.KeyInName {
		return "a name suffix derived from " + key
	}
	return "image metadata " + cloud.IdempotencyMetadataKey + "=" + key
}

// checkServer asks whether the server can be imaged now, on clouds whose
// createImage refusal does not say why. done is false when it can.
func (r *ServerImageReconciler) checkServer(ctx context.Context, p *pass) (reconcile.Result, bool, error) {
	si := p.si
	srv, err := p.prov.GetServer(ctx, si.Spec.ServerID)
	if err != nil {
		res, err := fail(&si.Status.Conditions, si.Generation, policy.GetServer, err, "")
		return res, true, err
	}
	switch srv.Readiness {
	case cloud.ServerBusy:
		res, err := fail(&si.Status.Conditions, si.Generation, policy.GetServer, &cloud.Error{Class: cloud.ClassBusy, Op: cloud.OpGetServer},
			fmt.Sprintf("server %s is busy (%s); the image will be requested when it is idle", srv.ID, srv.Status))
		return res, true, err
	case cloud.ServerCannotBeImaged:
		res, err := fail(&si.Status.Conditions, si.Generation, policy.GetServer, &cloud.Error{Class: cloud.ClassConflict, Op: cloud.OpGetServer},
			fmt.Sprintf("server %s is %s, a state in which the cloud takes no image", srv.ID, srv.Status))
		return res, true, err
	}
	return reconcile.Result{}, false, nil
}

// create requests the image and records its ID.
func (r *ServerImageReconciler) create(ctx context.Context, p *pass) (reconcile.Result, error) {
	si := p.si
	name := imageNameOf(si)
	id, err := p.prov.CreateImage(ctx, cloud.CreateImageRequest{
		ServerID: si.Spec.ServerID, Name: name, Metadata: metadataOf(si), IdempotencyKey: string(si.UID),
	})
	if err != nil {
		return fail(&si.Status.Conditions, si.Generation, policy.Create, err, "")
	}
	log.FromContext(ctx).Info("createImage accepted", "imageID", id)
	r.recordImageID(si, id, name)
	setProgressing(&si.Status.Conditions, si.Generation, imagesv1.ReasonImageSaving, fmt.Sprintf(
		"createImage accepted: image %s of server %s is being built", id, si.Spec.ServerID))
	return reconcile.Result{RequeueAfter: r.refreshAfter(si, p.cloud)}, nil
}

func (r *ServerImageReconciler) recordImageID(si *imagesv1.ServerImage, id, name string) {
	si.Status.ImageID = id
	si.Status.ImageName = name
	if si.Status.CreateRequestedTime == nil {
		now := metav1.NewTime(r.now())
		si.Status.CreateRequestedTime = &now
	}
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
