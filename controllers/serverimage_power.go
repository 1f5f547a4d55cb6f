package controllers

import (
	"context"
	"fmt"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
	"github.com/serverimage-operator/serverimage-operator/internal/policy"
)

// Stop-image-start (spec.consistency Stopped). The server's fate lives in
// status.power, written before the stop is sent: every later pass, on this
// replica or another, after a crash or an upgrade, reads from it alone
// that the server is owed a start (ServerPowerStatus.Owed). The stop is
// taken under a Lease per server (serverimage_powerlease.go), so two
// objects never interleave their stops and starts.
//
//	no record   → take the lease, read the server: running → record the
//	              intent, then stop; stopped → AsFound (never started)
//	Stopping    → wait for SHUTOFF (bounded by StopTimeout), then image
//	Stopped     → image; start once the cloud accepts it (StartRule), or
//	              at once when the image failed or cannot be made
//	Starting    → wait until the server runs (warned after StartTimeout)
//	Started, StartedElsewhere, NotStopped, AsFound → nothing owed

// wantsStopped reports whether the object stops its server for the image.
func wantsStopped(si *imagesv1.ServerImage) bool {
	return si.Spec.Consistency == imagesv1.ConsistencyStopped && si.Spec.Import == nil && si.Spec.ServerID != ""
}

// powerBefore runs ahead of the image steps. It takes the server through
// its stop before any create, and keeps starting a server that is owed a
// start while the Cloud is not Ready (broken credentials), with whatever
// credentials it has. done: the pass ends here.
func (r *ServerImageReconciler) powerBefore(ctx context.Context, p *pass) (reconcile.Result, bool, error) {
	si := p.si
	if !wantsStopped(si) || (si.Status.Power != nil && !si.Status.Power.Owed()) {
		return reconcile.Result{}, false, nil
	}
	if err := r.freshPower(ctx, p); err != nil {
		return reconcile.Result{}, true, err
	}
	pw := si.Status.Power
	switch {
	case pw != nil && pw.WasRunning && si.Status.ImageID == "" && pw.State != imagesv1.PowerStopping && pw.State != imagesv1.PowerStopped:
		// The server was started again before an image was requested
		// (the create failed, or someone started it): an image now would
		// be of a running server. The object stays as it was left.
		return reconcile.Result{}, true, nil
	case pw != nil && !pw.Owed():
		return reconcile.Result{}, false, nil
	case pw.Owed() && !r.cloudReady(ctx, p):
		return r.startWithoutReadyCloud(ctx, p)
	}
	if res, ok := r.resolveCloud(ctx, p, false); !ok {
		return res, true, nil
	}
	switch {
	case pw == nil:
		return r.beginStop(ctx, p)
	case pw.State == imagesv1.PowerStopping:
		return r.awaitStop(ctx, p)
	case pw.State == imagesv1.PowerStopped && si.Status.ImageID == "":
		return r.stillDown(ctx, p)
	}
	return reconcile.Result{}, false, nil
}

// freshPower replaces the object with the live one when the cache lags
// behind: the power record decides whether a server is stopped or
// started, and a record a pass wrote a moment ago must not read as
// missing (an intent lost to the cache would turn into "stopped as
// found", and the server would never be started). Objects of consistency
// Stopped pay one read of the API server per pass while their server is
// owed a start; others pay nothing.
func (r *ServerImageReconciler) freshPower(ctx context.Context, p *pass) error {
	live := &imagesv1.ServerImage{}
	if err := r.APIReader.Get(ctx, client.ObjectKeyFromObject(p.si), live); err != nil {
		return client.IgnoreNotFound(err)
	}
	if live.UID != p.si.UID || live.ResourceVersion == p.si.ResourceVersion {
		return nil
	}
	*p.si = *live
	p.orig = live.DeepCopy()
	return nil
}

// startWithoutReadyCloud keeps after a server that is owed a start while
// its Cloud is not Ready (credentials broken or rotated): the start goes
// on with the credentials at hand, and the object says the server is
// still down.
func (r *ServerImageReconciler) startWithoutReadyCloud(ctx context.Context, p *pass) (reconcile.Result, bool, error) {
	si := p.si
	res, ok := r.resolveCloud(ctx, p, true)
	switch {
	case !ok:
		r.stillStopped(si, "its Cloud is not usable: "+readyCondition(si.Status.Conditions).Message)
		return res, true, nil
	case startWanted(p):
		res, err := r.startOwed(ctx, p)
		return res, true, err
	}
	r.stillStopped(si, fmt.Sprintf("Cloud %q is not Ready; the server is started as soon as the image allows and the Cloud works", si.Spec.CloudRef.Name))
	return reconcile.Result{RequeueAfter: jitter(CloudNotReadyRecheck)}, true, nil
}

// beginStop takes the server's lease and reads the server. A running one
// gets the stop intent recorded, in its own status write, before the stop
// is sent.
func (r *ServerImageReconciler) beginStop(ctx context.Context, p *pass) (reconcile.Result, bool, error) {
	si := p.si
	if holder, err := r.takeLease(ctx, p); err != nil || holder != "" {
		if err != nil {
			res, rerr := fail(&si.Status.Conditions, si.Generation, policy.Stop, err, "taking the server's lease: "+err.Error())
			return res, true, rerr
		}
		setProgressing(&si.Status.Conditions, si.Generation, imagesv1.ReasonWaitingForServer, fmt.Sprintf(
			"ServerImage %s is stopping server %s for its own image; this one waits until that server is started again", holder, si.Spec.ServerID))
		return reconcile.Result{RequeueAfter: jitter(LeaseRecheck)}, true, nil
	}
	srv, err := p.prov.GetServer(ctx, si.Spec.ServerID)
	if err != nil {
		res, rerr := fail(&si.Status.Conditions, si.Generation, policy.Stop, err, "")
		return res, true, rerr
	}
	switch {
	case srv.Readiness == cloud.ServerBusy:
		setProgressing(&si.Status.Conditions, si.Generation, imagesv1.ReasonServerBusy, fmt.Sprintf(
			"server %s is %s; it is stopped once that task ends", si.Spec.ServerID, srv.Status))
		return reconcile.Result{RequeueAfter: r.powerPoll(p)}, true, nil
	case srv.Power != cloud.PowerRunning:
		// Stopped already (or in a state no stop applies to): imaged as
		// found, and never started by the operator.
		si.Status.Power = &imagesv1.ServerPowerStatus{State: imagesv1.PowerAsFound, VolumeBacked: srv.VolumeBacked}
		return reconcile.Result{}, false, nil
	}
	now := metav1.NewTime(r.now())
	si.Status.Power = &imagesv1.ServerPowerStatus{
		State: imagesv1.PowerStopping, WasRunning: true, VolumeBacked: srv.VolumeBacked, StopRequestedTime: &now,
		StoppedBy: fmt.Sprintf("serverimage-operator for ServerImage %s/%s (consistency Stopped)", si.Namespace, si.Name),
	}
	setProgressing(&si.Status.Conditions, si.Generation, imagesv1.ReasonStoppingServer, fmt.Sprintf(
		"stopping server %s for a consistent image; it is started again as soon as the cloud accepts a start", si.Spec.ServerID))
	r.serverStopped(si, "stopping")
	if err := r.writeStopIntent(ctx, p); err != nil {
		return reconcile.Result{}, true, err
	}
	return r.sendStop(ctx, p)
}

// writeStopIntent writes the status now, so that the stop that follows is on
// record whatever happens to this process.
func (r *ServerImageReconciler) writeStopIntent(ctx context.Context, p *pass) error {
	if err := r.Status().Patch(ctx, p.si, client.MergeFrom(p.orig)); err != nil {
		return fmt.Errorf("recording the stop intent: %w", err)
	}
	p.orig = p.si.DeepCopy()
	return nil
}

func (r *ServerImageReconciler) sendStop(ctx context.Context, p *pass) (reconcile.Result, bool, error) {
	si := p.si
	err := p.prov.StopServer(ctx, si.Spec.ServerID)
	switch cloud.ClassOf(err) {
	case "", cloud.ClassBusy, cloud.ClassConflict:
		// Accepted, or refused for a state the next read explains (a
		// task under way, stopped already): look again.
		return reconcile.Result{RequeueAfter: r.powerPoll(p)}, true, nil
	}
	res, rerr := fail(&si.Status.Conditions, si.Generation, policy.Stop, err, "")
	return res, true, rerr
}

// awaitStop waits for the server to read stopped, for at most StopTimeout
// from the intent. Past it no image is taken, and the server is put back
// as it was: left running, or started if it went down after all.
func (r *ServerImageReconciler) awaitStop(ctx context.Context, p *pass) (reconcile.Result, bool, error) {
	si, pw := p.si, p.si.Status.Power
	srv, err := p.prov.GetServer(ctx, si.Spec.ServerID)
	if err != nil {
		res, rerr := fail(&si.Status.Conditions, si.Generation, policy.Stop, err, "")
		return res, true, rerr
	}
	now := r.now()
	switch {
	case srv.Power == cloud.PowerStopped && srv.Readiness == cloud.ServerIdle:
		t := metav1.NewTime(now)
		pw.State, pw.StoppedTime = imagesv1.PowerStopped, &t
		r.serverStopped(si, "stopped")
		return reconcile.Result{}, false, nil
	case now.Sub(pw.StopRequestedTime.Time) > StopTimeout:
		setStalled(&si.Status.Conditions, si.Generation, imagesv1.ReasonStopTimeout, fmt.Sprintf(
			"server %s did not stop within %s (it is %s): no image was taken; delete and re-create this ServerImage to try again",
			si.Spec.ServerID, StopTimeout, srv.Status))
		if srv.Power == cloud.PowerRunning && srv.Readiness == cloud.ServerIdle {
			pw.State = imagesv1.PowerNotStopped
			r.serverRunning(si, "left running: it never stopped")
			return reconcile.Result{}, true, r.releaseLease(ctx, si)
		}
		res, err := r.startOwed(ctx, p)
		return res, true, err
	case srv.Power == cloud.PowerRunning && srv.Readiness == cloud.ServerIdle:
		// The intent is on record but the server runs with no task: the
		// stop never arrived (a crash right after the intent was written,
		// or a lost request). It is the same stop, sent again.
		return r.sendStop(ctx, p)
	}
	return reconcile.Result{RequeueAfter: r.powerPoll(p)}, true, nil
}

// stillDown checks, before the image is requested, that nobody started
// the server since it was seen stopped: an image of a running server is
// not what consistency Stopped promised, and the operator does not stop
// a server twice.
func (r *ServerImageReconciler) stillDown(ctx context.Context, p *pass) (reconcile.Result, bool, error) {
	si := p.si
	srv, err := p.prov.GetServer(ctx, si.Spec.ServerID)
	if err != nil || srv.Power != cloud.PowerRunning {
		// The create decides; its own server checks report a gone server.
		return reconcile.Result{}, false, nil
	}
	r.startedElsewhere(si, "before the image was requested; no image is taken (delete and re-create this ServerImage to try again)")
	setStalled(&si.Status.Conditions, si.Generation, imagesv1.ReasonServerStartedElsewhere, fmt.Sprintf(
		"server %s was started by someone else before the image was requested; the operator does not stop it again and took no image: delete and re-create this ServerImage to try again", si.Spec.ServerID))
	return reconcile.Result{}, true, r.releaseLease(ctx, si)
}

// powerAfter follows every image step: it records the capture signal (for
// every object, from what the pass already read), and for consistency
// Stopped starts the server once the cloud accepts a start, holding Ready
// back until the server runs again.
func (r *ServerImageReconciler) powerAfter(ctx context.Context, p *pass, res reconcile.Result, err error) (reconcile.Result, error) {
	r.noteCaptured(p)
	si := p.si
	pw := si.Status.Power
	if !wantsStopped(si) || pw == nil || p.prov == nil {
		return res, err
	}
	if !pw.Owed() {
		r.readyWithDowntime(si)
		if imageSettled(si) {
			if lerr := r.releaseLease(ctx, si); lerr != nil {
				return res, lerr
			}
		}
		return res, err
	}
	if !startWanted(p) {
		return res, err
	}
	sres, serr := r.startOwed(ctx, p)
	if serr != nil {
		return sres, serr
	}
	return soonest(res, sres), err
}

// startWanted reports whether the server should be started now: the
// image no longer needs it down (by the cloud's start rule), or no image
// is coming (failed, timed out, refused).
func startWanted(p *pass) bool {
	si, pw := p.si, p.si.Status.Power
	switch {
	case pw.State == imagesv1.PowerStarting, stalled(si):
		return true
	case si.Status.ImageID == "":
		return false
	}
	switch p.prov.Capabilities().Power.StartRule(&cloud.Server{VolumeBacked: pw.VolumeBacked}) {
	case cloud.StartAfterActive:
		return si.Status.ActivatedTime != nil
	default:
		// AcceptedImmediately, and AfterTaskClears: startOwed reads the
		// server and waits while its task runs, which also carries the
		// capture signal.
		return true
	}
}

// startOwed brings the server back: it reads the server, starts it when
// it is stopped and idle, and records the downtime once it runs. Failures
// never stall: they are retried, with the server said to be still down.
func (r *ServerImageReconciler) startOwed(ctx context.Context, p *pass) (reconcile.Result, error) {
	si, pw := p.si, p.si.Status.Power
	srv, err := p.prov.GetServer(ctx, si.Spec.ServerID)
	if err != nil {
		return r.startFailed(p, err)
	}
	r.captureFromServer(p, srv)
	now := r.now()
	switch {
	case srv.Power == cloud.PowerRunning && srv.Readiness == cloud.ServerIdle:
		if pw.State == imagesv1.PowerStarting {
			pw.State = imagesv1.PowerStarted
			r.serverRunning(si, "started again")
		} else {
			r.startedElsewhere(si, "while the operator held it stopped")
		}
		t := metav1.NewTime(now)
		pw.StartedTime = &t
		if pw.StopRequestedTime != nil {
			pw.Downtime = &metav1.Duration{Duration: now.Sub(pw.StopRequestedTime.Time).Round(time.Second)}
		}
		r.readyWithDowntime(si)
		if imageSettled(si) {
			return reconcile.Result{}, r.releaseLease(ctx, si)
		}
		return reconcile.Result{RequeueAfter: r.powerPoll(p)}, nil
	case srv.Readiness == cloud.ServerBusy:
		r.serverStopped(si, fmt.Sprintf("waiting for the cloud to accept a start: the server is busy (%s)", srv.Status))
		r.holdReady(si)
		return reconcile.Result{RequeueAfter: r.powerPoll(p)}, nil
	case srv.Power != cloud.PowerStopped:
		return r.startFailed(p, &cloud.Error{Class: cloud.ClassConflict, Op: cloud.OpStartServer,
			Message: fmt.Sprintf("server %s is %s, which no start applies to", si.Spec.ServerID, srv.Status)})
	}
	if pw.State == imagesv1.PowerStarting && pw.StartRequestedTime != nil && now.Sub(pw.StartRequestedTime.Time) < r.powerPoll(p) {
		// Sent a moment ago; the cloud has not shown the task yet.
		return reconcile.Result{RequeueAfter: r.powerPoll(p)}, nil
	}
	err = p.prov.StartServer(ctx, si.Spec.ServerID)
	switch cloud.ClassOf(err) {
	case cloud.ClassBusy:
		// Nova: 409 (the /v2 cloud: 400) until the snapshot's task clears.
		r.serverStopped(si, "waiting for the cloud to accept a start: "+err.Error())
		r.holdReady(si)
		return reconcile.Result{RequeueAfter: r.powerPoll(p)}, nil
	case "":
	default:
		return r.startFailed(p, err)
	}
	if pw.StartRequestedTime == nil {
		t := metav1.NewTime(now)
		pw.StartRequestedTime = &t
	} else if now.Sub(pw.StartRequestedTime.Time) > StartTimeout {
		r.Recorder.Eventf(si, nil, "Warning", imagesv1.ReasonServerStillStopped, "StartServer",
			"server %s is not running %s after the first start; starting it again", si.Spec.ServerID, StartTimeout)
	}
	pw.State = imagesv1.PowerStarting
	r.serverStopped(si, "starting")
	r.holdReady(si)
	return reconcile.Result{RequeueAfter: r.powerPoll(p)}, nil
}

// startFailed shows a start that did not go through and schedules the
// next one: a Warning Event, and the ServerStopped condition saying the
// server is still down.
func (r *ServerImageReconciler) startFailed(p *pass, err error) (reconcile.Result, error) {
	si := p.si
	react := policy.For(policy.Start, cloud.ClassOf(err))
	msg := fmt.Sprintf("server %s is still stopped: starting it failed: %v", si.Spec.ServerID, err)
	if react.Action != "" {
		msg += "; " + react.Action
	}
	r.stillStopped(si, msg)
	if !stalled(si) {
		// A failed image keeps its Stalled reason; the ServerStopped
		// condition says the rest.
		setProgressing(&si.Status.Conditions, si.Generation, react.Reason, msg)
	}
	return retryOf(react, err)
}

// stillStopped says, on the ServerStopped condition and in a Warning
// Event, that the server is down and a start has not gone through.
func (r *ServerImageReconciler) stillStopped(si *imagesv1.ServerImage, why string) {
	var before metav1.Condition
	if c := condition(si, imagesv1.ConditionServerStopped); c != nil {
		before = *c
	}
	set(&si.Status.Conditions, si.Generation, imagesv1.ConditionServerStopped, metav1.ConditionTrue, imagesv1.ReasonServerStillStopped, why)
	if before.Reason != imagesv1.ReasonServerStillStopped || before.Message != truncate(why) {
		r.Recorder.Eventf(si, nil, "Warning", imagesv1.ReasonServerStillStopped, "StartServer", "%s", why)
	}
}

func (r *ServerImageReconciler) serverStopped(si *imagesv1.ServerImage, what string) {
	pw := si.Status.Power
	reason := imagesv1.ReasonStoppingServer
	if pw.State != imagesv1.PowerStopping {
		reason = imagesv1.ReasonStartingServer
	}
	set(&si.Status.Conditions, si.Generation, imagesv1.ConditionServerStopped, metav1.ConditionTrue, reason, fmt.Sprintf(
		"server %s, running when this object came, is stopped by the operator for the image (%s); it is always started again", si.Spec.ServerID, what))
}

func (r *ServerImageReconciler) serverRunning(si *imagesv1.ServerImage, what string) {
	set(&si.Status.Conditions, si.Generation, imagesv1.ConditionServerStopped, metav1.ConditionFalse, imagesv1.ReasonStartingServer,
		fmt.Sprintf("server %s is running: %s", si.Spec.ServerID, what))
}

func (r *ServerImageReconciler) startedElsewhere(si *imagesv1.ServerImage, when string) {
	si.Status.Power.State = imagesv1.PowerStartedElsewhere
	set(&si.Status.Conditions, si.Generation, imagesv1.ConditionServerStopped, metav1.ConditionFalse, imagesv1.ReasonServerStartedElsewhere,
		fmt.Sprintf("server %s was started by someone else %s", si.Spec.ServerID, when))
	r.Recorder.Eventf(si, nil, "Warning", imagesv1.ReasonServerStartedElsewhere, "StartServer",
		"server %s was started by someone else %s; the operator neither stops nor starts it again", si.Spec.ServerID, when)
}

// holdReady keeps Ready False while the server is owed a start: a Ready
// object is one whose image is done and whose server is back.
func (r *ServerImageReconciler) holdReady(si *imagesv1.ServerImage) {
	if c := readyCondition(si.Status.Conditions); c != nil && c.Status == metav1.ConditionTrue {
		setProgressing(&si.Status.Conditions, si.Generation, imagesv1.ReasonStartingServer, fmt.Sprintf(
			"image %s is active; starting server %s again", si.Status.ImageID, si.Spec.ServerID))
	}
}

// readyWithDowntime puts the server's downtime into the Ready message (and
// so into the Ready Event).
func (r *ServerImageReconciler) readyWithDowntime(si *imagesv1.ServerImage) {
	pw := si.Status.Power
	if pw == nil || pw.Downtime == nil || si.Status.ActivatedTime == nil || stalled(si) {
		return
	}
	setReady(&si.Status.Conditions, si.Generation, imagesv1.ReasonImageActive, fmt.Sprintf(
		"image %s is active; server %s was stopped for %s (image requested to active: %s)", si.Status.ImageID, si.Spec.ServerID,
		pw.Downtime.Duration, buildTime(si)))
}

func buildTime(si *imagesv1.ServerImage) time.Duration {
	if si.Status.CreateRequestedTime == nil || si.Status.ActivatedTime == nil {
		return 0
	}
	return si.Status.ActivatedTime.Sub(si.Status.CreateRequestedTime.Time).Round(time.Second)
}

// imageSettled: no later pass needs the server held for this image.
func imageSettled(si *imagesv1.ServerImage) bool {
	return si.Status.ActivatedTime != nil || stalled(si)
}

func stalled(si *imagesv1.ServerImage) bool {
	return meta.IsStatusConditionTrue(si.Status.Conditions, imagesv1.ConditionStalled)
}

func condition(si *imagesv1.ServerImage, typ string) *metav1.Condition {
	return meta.FindStatusCondition(si.Status.Conditions, typ)
}

// cloudReady reports whether the object's Cloud is Ready for its current
// generation, without touching the object's conditions.
func (r *ServerImageReconciler) cloudReady(ctx context.Context, p *pass) bool {
	c := &imagesv1.Cloud{}
	if err := r.Get(ctx, client.ObjectKey{Namespace: p.si.Namespace, Name: p.si.Spec.CloudRef.Name}, c); err != nil {
		return false
	}
	ready := readyCondition(c.Status.Conditions)
	return ready != nil && ready.Status == metav1.ConditionTrue && ready.ObservedGeneration == c.Generation
}

// powerPoll is how often a server being stopped or started is read: the
// Cloud's poll interval.
func (r *ServerImageReconciler) powerPoll(p *pass) time.Duration {
	return pollIntervalOf(p.cloud)
}

// soonest merges two results: the earlier requeue wins.
func soonest(a, b reconcile.Result) reconcile.Result {
	if a.RequeueAfter == 0 || (b.RequeueAfter > 0 && b.RequeueAfter < a.RequeueAfter) {
		return b
	}
	return a
}
