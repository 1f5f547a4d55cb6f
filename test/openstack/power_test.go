//go:build openstack

package openstack

import (
	"context"
	"testing"
	"time"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
	"github.com/serverimage-operator/serverimage-operator/internal/kubetest"
)

// stoppedImageOf boots a server whose snapshot uploads for uploadSeconds
// and creates a ServerImage of it with consistency Stopped.
func stoppedImageOf(t *testing.T, name, uploadSeconds string) (*scenario, string) {
	t.Helper()
	s := newScenario(t)
	s.createCloud("cloud", passwordEntry)
	serverID := cloud.bootServer(t)
	setSwitch(t, "upload-seconds", serverID, uploadSeconds)
	s.CreateServerImage(name, "cloud", serverID, func(si *imagesv1.ServerImage) { si.Spec.Consistency = imagesv1.ConsistencyStopped })
	return s, serverID
}

// TestStopImageStart: consistency Stopped on real Nova. The server is
// stopped (os-stop), imaged while SHUTOFF, and started (os-start) once
// Nova accepts it: after the upload, since Nova refuses a start while the
// task_state is image_uploading. Captured comes from Glance's saving, well
// before Ready; the test logs the downtime against the image's build time.
func TestStopImageStart(t *testing.T) {
	t.Parallel()
	s, serverID := stoppedImageOf(t, "db", "8")

	captured := s.WaitServerImage("db", "Captured", func(si *imagesv1.ServerImage) bool {
		c := kubetest.Condition(si.Status.Conditions, imagesv1.ConditionCaptured)
		return c != nil && c.Status == "True"
	})
	if status, task, err := cloud.serverState(context.Background(), serverID); err != nil || status != "SHUTOFF" {
		t.Errorf("server %s (task %q, %v) once captured, want SHUTOFF", status, task, err)
	}
	if r := readyOf(captured); r != nil && r.Status == "True" {
		t.Errorf("Ready before the upload ended: %+v", r)
	}
	si := s.WaitReady("db")
	status, task, err := cloud.serverState(context.Background(), serverID)
	if err != nil || status != "ACTIVE" {
		t.Errorf("server %s (task %q, %v) once Ready, want ACTIVE", status, task, err)
	}
	pw, st := si.Status.Power, si.Status
	if pw == nil || pw.State != imagesv1.PowerStarted || pw.Downtime == nil {
		t.Fatalf("status.power %+v", pw)
	}
	if !st.CapturedAt.Before(st.ActivatedTime) {
		t.Errorf("captured at %s, not before active at %s", st.CapturedAt, st.ActivatedTime)
	}
	if imgs := cloud.imagesOfServer(t, serverID); len(imgs) != 1 || imgs[0].Status != "active" {
		t.Errorf("Glance's images of the server: %+v", imgs)
	}
	build := st.ActivatedTime.Sub(st.CreateRequestedTime.Time)
	t.Logf("downtime %s (stop requested %s, stopped %s, image requested %s, captured %s, active %s, start requested %s, running %s); image build time %s; stop-to-capture %s",
		pw.Downtime.Duration, clock(pw.StopRequestedTime.Time), clock(pw.StoppedTime.Time), clock(st.CreateRequestedTime.Time),
		clock(st.CapturedAt.Time), clock(st.ActivatedTime.Time), clock(pw.StartRequestedTime.Time), clock(pw.StartedTime.Time),
		build.Round(time.Millisecond), st.CapturedAt.Sub(pw.StopRequestedTime.Time).Round(time.Millisecond))
}

// TestRestartWhileServerDown: the operator is killed (SIGKILL) while the
// server it stopped is down and the image uploads; a new process reads
// the stop from status, follows the same image and starts the server.
func TestRestartWhileServerDown(t *testing.T) {
	t.Parallel()
	s, serverID := stoppedImageOf(t, "survivor", "12")
	before := s.WaitServerImage("survivor", "image requested while the server is down", func(si *imagesv1.ServerImage) bool {
		return si.Status.ImageID != "" && si.Status.Power != nil && si.Status.Power.State == imagesv1.PowerStopped
	})
	s.op.kill()
	status, task, _ := cloud.serverState(context.Background(), serverID)
	t.Logf("operator killed with server %s (task %q), image %s", status, task, before.Status.ImageID)
	if status != "SHUTOFF" {
		t.Fatalf("server %s when the operator was killed, want SHUTOFF", status)
	}
	s.restartOperator()
	after := s.WaitReady("survivor")
	if after.Status.ImageID != before.Status.ImageID || after.Status.Power.State != imagesv1.PowerStarted {
		t.Errorf("after the restart: image %s (before %s), power %+v", after.Status.ImageID, before.Status.ImageID, after.Status.Power)
	}
	if status, _, _ := cloud.serverState(context.Background(), serverID); status != "ACTIVE" {
		t.Errorf("server %s after the restart, want ACTIVE", status)
	}
	if imgs := cloud.imagesOfServer(t, serverID); len(imgs) != 1 {
		t.Errorf("Glance has %d images of the server, want 1", len(imgs))
	}
	t.Logf("downtime across the restart %s", after.Status.Power.Downtime.Duration)
}

func clock(t time.Time) string { return t.Format("15:04:05.000") }
