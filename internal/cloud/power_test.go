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
