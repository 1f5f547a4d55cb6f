package controllers_test

import (
	"context"
	"slices"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
	"github.com/serverimage-operator/serverimage-operator/internal/fakecloud"
	"github.com/serverimage-operator/serverimage-operator/internal/kubetest"
)

// Scenarios of spec.consistency Stopped and of the Captured condition, run
// for every provider by the table in provider_scenarios_test.go.

// powerOpts gives the snapshot a visible upload, during which Nova
// refuses a start.
var powerOpts = fakecloud.Options{QueuedFor: 300 * time.Millisecond, SavingFor: 600 * time.Millisecond, PowerFor: 100 * time.Millisecond}

func stopped(si *imagesv1.ServerImage) { si.Spec.Consistency = imagesv1.ConsistencyStopped }

// stopImageStart: the server is stopped before the image is requested,
// started once the cloud accepts it, and the downtime is reported.
func stopImageStart(t *testing.T, p provider) {
	s := p.start(t, powerOpts)
	srv := s.stoppedServerImage("db", fakecloud.Server{Name: "db-1"})

	si := s.WaitServerImage("db", "Ready with the server started", func(si *imagesv1.ServerImage) bool {
		return isTrue(si, imagesv1.ConditionReady)
	})
	s.onlyImage(si)
	pw := si.Status.Power
	if pw == nil || pw.State != imagesv1.PowerStarted || !pw.WasRunning || pw.Downtime == nil || pw.StoppedBy == "" {
		t.Fatalf("status.power %+v", pw)
	}
	st := si.Status
	// The image was requested while the server was down, and the start
	// came once the disk was captured.
	if st.CreateRequestedTime.Before(pw.StoppedTime) || pw.StartRequestedTime.Before(st.CapturedAt) {
		t.Errorf("stopped %s, image requested %s, captured %s, start requested %s",
			pw.StoppedTime, st.CreateRequestedTime, st.CapturedAt, pw.StartRequestedTime)
	}
	s.wantPowerCalls(srv.ID, "stop", "start")
	if live, _ := s.sim.GetServer(srv.ID); live.Status != "ACTIVE" {
		t.Errorf("server %s after the image", live.Status)
	}
	if st.Phase != imagesv1.PhaseReady || !isTrue(si, imagesv1.ConditionCaptured) || isTrue(si, imagesv1.ConditionServerStopped) {
		t.Errorf("phase %s, conditions %+v", st.Phase, st.Conditions)
	}
	if note := s.WaitEvent("db", "Normal", imagesv1.ReasonImageActive); !contains(note, "was stopped for") {
		t.Errorf("the Ready Event does not give the downtime: %q", note)
	}
}

// alreadyStopped: a server that was stopped when the object came is
// imaged as it is, and never started.
func alreadyStopped(t *testing.T, p provider) {
	s := p.start(t, powerOpts)
	srv := s.stoppedServerImage("cold", fakecloud.Server{Status: "SHUTOFF"})
	si := s.WaitReady("cold")
	if pw := si.Status.Power; pw == nil || pw.State != imagesv1.PowerAsFound || pw.WasRunning {
		t.Errorf("status.power %+v", pw)
	}
	time.Sleep(300 * time.Millisecond) // room for a start it must not send
	// None: the server was stopped already.
	s.wantPowerCalls(srv.ID)
	if live, _ := s.sim.GetServer(srv.ID); live.Status != "SHUTOFF" {
		t.Errorf("server %s, want it left SHUTOFF", live.Status)
	}
}

// failedImageStarts: the snapshot fails, and the server is started anyway;
// the object keeps saying why the image failed.
func failedImageStarts(t *testing.T, p provider) {
	s := p.start(t, powerOpts)
	srv := s.sim.AddServer(fakecloud.Server{})
	s.sim.FailNextSnapshot(srv.ID)
	s.serverImage("doomed", srv.ID, stopped)
	s.wantImageFailed("doomed", "disappeared while it was being built")
	si := s.waitStarted("doomed", srv.ID)
	if c := readyOf(si); c.Reason != imagesv1.ReasonImageFailed {
		t.Errorf("Ready %+v after the start; want ImageFailed kept", c)
	}
}

// restartWhileStopped: an operator that dies while the server is down
// leaves only the status behind. The object is created against a Cloud
// that does not exist yet, so no operator acts on it; the status is then
// written as a stop made by an earlier process left it (intent recorded,
// server stopped, no image requested yet), and the Cloud appears: the
// operator finishes the image and starts the server, without a stop of
// its own.
func restartWhileStopped(t *testing.T, p provider) {
	s := p.startWithout(t, powerOpts)
	srv := s.stoppedServerImage("crash", fakecloud.Server{Status: "SHUTOFF"})
	si := s.WaitServerImage("crash", "waiting for its Cloud", func(si *imagesv1.ServerImage) bool {
		return hasReason(si, imagesv1.ReasonCloudNotReady)
	})
	before := si.DeepCopy()
	at := metav1.NewTime(time.Now().Add(-time.Minute))
	si.Status.Power = &imagesv1.ServerPowerStatus{State: imagesv1.PowerStopped, WasRunning: true,
		StoppedBy: "an earlier operator process", StopRequestedTime: &at, StoppedTime: &at}
	if err := k8s.Status().Patch(context.Background(), si, client.MergeFrom(before)); err != nil {
		t.Fatal(err)
	}
	s.CreateCloud(s.cloud, p.secret(s.sim), p.cloud(s.sim))
	si = s.waitStarted("crash", srv.ID)
	s.onlyImage(s.WaitReady("crash"))
	s.wantPowerCalls(srv.ID, "start")
	if d := si.Status.Power.Downtime; d == nil || d.Duration < time.Minute {
		t.Errorf("downtime %v, want it counted from the recorded stop", d)
	}
}

// deletedMidway: the object is deleted while its image uploads; the server
// is started (once the cloud accepts it) before the finalizer goes.
func deletedMidway(t *testing.T, p provider) {
	s := p.start(t, powerOpts)
	si, srv := s.stoppedAndRequested("gone")
	s.sim.FreezeImages(true)
	s.Delete(si)
	time.Sleep(300 * time.Millisecond)
	if live, _ := s.sim.GetServer(srv.ID); live.Status != "SHUTOFF" {
		t.Errorf("server %s while its snapshot is frozen, want SHUTOFF", live.Status)
	}
	if kubetest.Get[imagesv1.ServerImage](s.NS, "gone") == nil {
		t.Fatal("object released before its server was started")
	}
	s.sim.FreezeImages(false)
	s.WaitServerImageGone("gone")
	if live, _ := s.sim.GetServer(srv.ID); live.Status != "ACTIVE" {
		t.Errorf("server %s once the object is gone, want ACTIVE", live.Status)
	}
}

// twoOnOneServer: two objects with consistency Stopped on one server take
// turns, so neither image is taken while the server runs and the server is
// never stopped twice in a row.
func twoOnOneServer(t *testing.T, p provider) {
	s := p.start(t, powerOpts)
	srv := s.sim.AddServer(fakecloud.Server{})
	s.serverImage("first", srv.ID, stopped)
	s.serverImage("second", srv.ID, stopped)
	a, b := s.WaitReady("first"), s.WaitReady("second")
	s.wantPowerCalls(srv.ID, "stop", "start", "stop", "start")
	if a.Status.Power.StopRequestedTime.After(b.Status.Power.StopRequestedTime.Time) {
		a, b = b, a
	}
	if !a.Status.Power.StartedTime.Before(b.Status.Power.StopRequestedTime) {
		t.Errorf("cycles overlap: %s started %s, %s stopped %s", a.Name, a.Status.Power.StartedTime, b.Name, b.Status.Power.StopRequestedTime)
	}
	s.WaitEvent(b.Name, "Normal", imagesv1.ReasonWaitingForServer)
}

// capturedBeforeReady: every object gets Captured. Where the image's
// status shows the upload (Glance), it comes before Ready with no call of
// its own; elsewhere it comes with active.
func capturedBeforeReady(t *testing.T, p provider) {
	s := p.start(t, fakecloud.Options{QueuedFor: 300 * time.Millisecond, SavingFor: 2 * time.Second})
	srv := s.sim.AddServer(fakecloud.Server{})
	s.serverImage("freeze", srv.ID)
	si := s.WaitServerImage("freeze", "Captured", func(si *imagesv1.ServerImage) bool {
		return isTrue(si, imagesv1.ConditionCaptured)
	})
	if p.earlyCapture == isTrue(si, imagesv1.ConditionReady) {
		t.Errorf("Captured with Ready %v; want Ready %v at that moment", isTrue(si, imagesv1.ConditionReady), !p.earlyCapture)
	}
	if p.earlyCapture && si.Status.Phase != imagesv1.PhaseUploading {
		t.Errorf("phase %s once captured, want Uploading", si.Status.Phase)
	}
	si = s.WaitReady("freeze")
	if si.Status.CapturedAt.After(si.Status.ActivatedTime.Time) {
		t.Errorf("captured at %s, after active at %s", si.Status.CapturedAt, si.Status.ActivatedTime)
	}
	if p.earlyCapture && !si.Status.CapturedAt.Before(si.Status.ActivatedTime) {
		t.Errorf("captured at %s, not before active at %s", si.Status.CapturedAt, si.Status.ActivatedTime)
	}
	// A crash-consistent object reads no server where createImage checks
	// it itself: the signal costs nothing.
	if p.earlyCapture {
		s.wantCalls(fakecloud.OpGetServer, 0)
	}
	s.wantCalls(fakecloud.OpStopServer, 0)
}

// stoppedAndRequested creates a ServerImage with consistency Stopped of a
// new running server and waits until its image is requested.
func (s *scenario) stoppedAndRequested(name string) (*imagesv1.ServerImage, fakecloud.Server) {
	s.T.Helper()
	srv := s.stoppedServerImage(name, fakecloud.Server{})
	si := s.WaitServerImage(name, "image requested", func(si *imagesv1.ServerImage) bool { return si.Status.ImageID != "" })
	return si, srv
}

// stoppedServerImage adds server to the simulator and a ServerImage of it
// with consistency Stopped.
func (s *scenario) stoppedServerImage(name string, server fakecloud.Server) fakecloud.Server {
	s.T.Helper()
	srv := s.sim.AddServer(server)
	s.serverImage(name, srv.ID, stopped)
	return srv
}

// wantPowerCalls checks the stops and starts the server received, in order.
func (s *scenario) wantPowerCalls(serverID string, want ...string) {
	s.T.Helper()
	if got := s.sim.PowerCalls(serverID); !slices.Equal(got, want) {
		s.T.Errorf("power calls %v, want %v", got, want)
	}
}

// waitStarted waits until the object has started its server again and
// the simulator shows it running.
func (s *scenario) waitStarted(name, serverID string) *imagesv1.ServerImage {
	s.T.Helper()
	si := s.WaitServerImage(name, "server started", func(si *imagesv1.ServerImage) bool {
		return si.Status.Power != nil && si.Status.Power.State == imagesv1.PowerStarted
	})
	if live, _ := s.sim.GetServer(serverID); live.Status != "ACTIVE" {
		s.T.Errorf("server %s, want ACTIVE", live.Status)
	}
	return si
}

func isTrue(si *imagesv1.ServerImage, typ string) bool {
	c := kubetest.Condition(si.Status.Conditions, typ)
	return c != nil && c.Status == metav1.ConditionTrue
}

func hasReason(si *imagesv1.ServerImage, reason string) bool {
	c := readyOf(si)
	return c != nil && c.Reason == reason
}

// brokenCredentials: the Cloud's credentials break while the server is
// down for the image. The operator keeps trying to start it, says so (a
// Warning Event, ServerStopped=True ServerStillStopped), and starts it as
// soon as the credentials work again.
func brokenCredentials(t *testing.T, p provider) {
	s := p.start(t, powerOpts)
	_, srv := s.stoppedAndRequested("locked-out")
	s.sim.FreezeImages(true)
	s.setSecret(p.wrong(s.sim, p.wrongValue))
	s.WaitCloudNotReady(s.cloud, imagesv1.ReasonAuthenticationFailed)
	s.sim.FreezeImages(false)

	note := s.WaitEvent("locked-out", "Warning", imagesv1.ReasonServerStillStopped)
	si := s.WaitServerImage("locked-out", "said to be still stopped", func(si *imagesv1.ServerImage) bool {
		c := kubetest.Condition(si.Status.Conditions, imagesv1.ConditionServerStopped)
		return c != nil && c.Status == metav1.ConditionTrue && c.Reason == imagesv1.ReasonServerStillStopped
	})
	if live, _ := s.sim.GetServer(srv.ID); live.Status != "SHUTOFF" {
		t.Errorf("server %s with broken credentials, want SHUTOFF", live.Status)
	}
	if !si.Status.Power.Owed() {
		t.Errorf("status.power %+v no longer owes the start", si.Status.Power)
	}
	t.Logf("while locked out: %s", note)

	s.setSecret(p.secret(s.sim))
	s.waitStarted("locked-out", srv.ID)
	s.WaitReady("locked-out")
}

// startedElsewhere: someone starts the server while the image uploads.
// The operator says so and neither starts nor stops it again.
func startedElsewhere(t *testing.T, p provider) {
	s := p.start(t, powerOpts)
	_, srv := s.stoppedAndRequested("shared")
	live, _ := s.sim.GetServer(srv.ID)
	live.Status, live.VMState, live.TaskState = "ACTIVE", "", ""
	s.sim.SetServer(live)
	s.WaitEvent("shared", "Warning", imagesv1.ReasonServerStartedElsewhere)
	si := s.WaitReady("shared")
	if si.Status.Power.State != imagesv1.PowerStartedElsewhere {
		t.Errorf("status.power %+v", si.Status.Power)
	}
	s.wantPowerCalls(srv.ID, "stop")
}

// abandoned: the abandon annotation lets go of the object at once, after
// one try at starting its server; a server that could not be started yet
// is named in a Warning.
func abandoned(t *testing.T, p provider) {
	s := p.start(t, powerOpts)
	si, srv := s.stoppedAndRequested("dropped")
	s.sim.FreezeImages(true)
	s.PatchAnnotation(si, imagesv1.AbandonAnnotation, "true")
	s.Delete(si)
	s.WaitServerImageGone("dropped")
	if note := s.WaitEvent("dropped", "Warning", imagesv1.ReasonServerStillStopped); !contains(note, srv.ID) {
		t.Errorf("the Warning does not name the server: %q", note)
	}
	if got := s.sim.PowerCalls(srv.ID); len(got) < 1 || got[0] != "stop" {
		t.Errorf("power calls %v", got)
	}
	s.sim.FreezeImages(false)
}

// setSecret replaces the data of the scenario Cloud's Secret.
func (s *scenario) setSecret(data map[string]string) {
	s.T.Helper()
	secret := &corev1.Secret{}
	if err := k8s.Get(context.Background(), client.ObjectKey{Namespace: s.Name, Name: s.cloud + "-credentials"}, secret); err != nil {
		s.T.Fatal(err)
	}
	secret.Data, secret.StringData = nil, data
	if err := k8s.Update(context.Background(), secret); err != nil {
		s.T.Fatal(err)
	}
}

// volumeBacked: Nova snapshots a volume-backed server within the request,
// so the disk is captured at the 202 and the server starts right away.
func volumeBacked(t *testing.T, p provider) {
	s := p.start(t, powerOpts)
	srv := s.stoppedServerImage("vol", fakecloud.Server{VolumeBacked: true})
	si := s.waitStarted("vol", srv.ID)
	c := kubetest.Condition(si.Status.Conditions, imagesv1.ConditionCaptured)
	if c == nil || !contains(c.Message, "boots from a volume") || !si.Status.CapturedAt.Equal(si.Status.CreateRequestedTime) {
		t.Errorf("Captured %+v at %s, image requested %s; want it at the request", c, si.Status.CapturedAt, si.Status.CreateRequestedTime)
	}
	s.WaitReady("vol")
	s.wantPowerCalls(srv.ID, "stop", "start")
}
