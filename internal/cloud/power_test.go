package cloud

import (
	"context"
	"testing"
)

func (c *countingProvider) StopServer(context.Context, string) error {
	c.note(OpStopServer)
	return nil
}
func (c *countingProvider) StartServer(context.Context, string) error {
	c.note(OpStartServer)
	return nil
}

func TestNovaPower(t *testing.T) {
	for _, tc := range []struct {
		status, task string
		rackspace    bool
		power        PowerState
		stage        SnapshotStage
	}{
		{"ACTIVE", "", false, PowerRunning, StageNone},
		{"SHUTOFF", "image_snapshot", false, PowerStopped, StageCapturing},
		{"STOPPED", "image_pending_upload", false, PowerStopped, StageCapturing},
		{"SHUTOFF", "image_pending_upload", true, PowerStopped, StageUploading},
		{"ACTIVE", "image_uploading", false, PowerRunning, StageUploading},
		{"ACTIVE", "powering-off", false, PowerRunning, StageNone},
		{"ERROR", "", false, PowerOther, StageNone},
	} {
		power, stage := NovaPower(tc.status, tc.task, tc.rackspace)
		if power != tc.power || stage != tc.stage {
			t.Errorf("NovaPower(%q, %q, %v) = %s, %q; want %s, %q", tc.status, tc.task, tc.rackspace, power, stage, tc.power, tc.stage)
		}
	}
}

// A wrong task state is a busy server, whether the cloud says 409 (Nova)
// or 400 (seed 002's /v2 cloud); a wrong vm_state is a conflict.
func TestWrongTaskStateIsBusy(t *testing.T) {
	for _, tc := range []struct {
		status int
		msg    string
		want   ErrorClass
	}{
		{409, "Cannot 'start' instance x while it is in task_state image_uploading", ClassBusy},
		{400, "task_state is invalid (internal error)", ClassBusy},
		{409, "Cannot 'stop' instance x while it is in vm_state stopped", ClassConflict},
		{400, "invalid project_id", ClassInvalid},
	} {
		if got := ClassifyStatus(tc.status, tc.msg); got != tc.want {
			t.Errorf("ClassifyStatus(%d, %q) = %s, want %s", tc.status, tc.msg, got, tc.want)
		}
	}
}

func TestStartRule(t *testing.T) {
	nova := PowerCapabilities{Capture: CaptureAtUpload, StartAfter: StartAfterTaskClears, VolumeBackedStartsAtOnce: true}
	if got := nova.StartRule(&Server{VolumeBacked: true}); got != StartAcceptedImmediately {
		t.Errorf("volume-backed Nova server starts %s", got)
	}
	if got := nova.StartRule(&Server{}); got != StartAfterTaskClears {
		t.Errorf("image-backed Nova server starts %s", got)
	}
	if got := (PowerCapabilities{StartAfter: StartAfterActive}).StartRule(&Server{VolumeBacked: true}); got != StartAfterActive {
		t.Errorf("a cloud without the volume rule starts %s", got)
	}
}
