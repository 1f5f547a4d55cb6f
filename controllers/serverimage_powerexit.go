package controllers

import (
	"context"

	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
)

// startBeforeRelease starts a server the object stopped before its
// finalizer goes: deleting a ServerImage mid-way never leaves its server
// down. On Nova the start waits for the snapshot's task to clear. The
// abandon annotation, meant for a Cloud that is gone for good, tries the
// start once and lets go either way, with a Warning naming the server.
// wait: the deletion waits for the start.
func (r *ServerImageReconciler) startBeforeRelease(ctx context.Context, p *pass) (reconcile.Result, bool, error) {
	si := p.si
	if wantsStopped(si) {
		if err := r.freshPower(ctx, p); err != nil {
			return reconcile.Result{}, true, err
		}
	}
	if !si.Status.Power.Owed() {
		return reconcile.Result{}, false, r.releaseLease(ctx, si)
	}
	abandon := si.Annotations[imagesv1.AbandonAnnotation] == "true"
	res, ok := r.resolveCloud(ctx, p, true)
	var err error
	if ok {
		res, err = r.startOwed(ctx, p)
	} else {
		r.stillStopped(si, "the ServerImage is being deleted but its Cloud is not usable to start the server: "+readyCondition(si.Status.Conditions).Message)
	}
	if !si.Status.Power.Owed() {
		return reconcile.Result{}, false, r.releaseLease(ctx, si)
	}
	if abandon {
		r.Recorder.Eventf(si, nil, "Warning", imagesv1.ReasonServerStillStopped, "StartServer",
			"annotation %s=true: released while server %s may still be stopped (state %s); start it yourself", imagesv1.AbandonAnnotation, si.Spec.ServerID, si.Status.Power.State)
		return reconcile.Result{}, false, r.releaseLease(ctx, si)
	}
	return res, true, err
}
