package fakecloud

import (
	"errors"
	"testing"
	"time"
)

// TestPowerTransitions: a stop shows powering-off for PowerFor, then
// SHUTOFF; Nova's preconditions refuse a second stop (vm_state) and a
// start while the snapshot's task runs (task_state), until the upload
// ends.
func TestPowerTransitions(t *testing.T) {
	f := newFakeClockStore(200*time.Millisecond, 300*time.Millisecond)
	f.powerFor = 100 * time.Millisecond
	srv := f.addServer(Server{})
	if err := f.powerAction(srv.ID, false); err != nil {
		t.Fatal(err)
	}
	if s, _ := f.server(srv.ID); s.TaskState != TaskPoweringOff || s.Status != "ACTIVE" {
		t.Errorf("during the stop: %s task %q", s.Status, s.TaskState)
	}
	f.advance(100 * time.Millisecond)
	if s, _ := f.server(srv.ID); s.Status != "SHUTOFF" || s.VMState != "stopped" || s.TaskState != "" {
		t.Errorf("after the stop: %+v", s.Server)
	}
	wantConflict(t, f.powerAction(srv.ID, false), "vm_state", "stopped")

	if _, err := f.createSnapshot(snapshotRequest{ServerID: srv.ID, Name: "cold"}); err != nil {
		t.Fatal(err)
	}
	for _, at := range []struct {
		after time.Duration
		task  string
	}{{0, TaskImageSnapshotPending}, {100 * time.Millisecond, TaskImageSnapshot}, {250 * time.Millisecond, TaskImageUploading}} {
		f.advance(at.after)
		wantConflict(t, f.powerAction(srv.ID, true), "task_state", at.task)
	}
	f.advance(300 * time.Millisecond)
	if err := f.powerAction(srv.ID, true); err != nil {
		t.Fatalf("start once the upload ended: %v", err)
	}
	f.advance(100 * time.Millisecond)
	if s, _ := f.server(srv.ID); s.Status != "ACTIVE" {
		t.Errorf("after the start: %+v", s.Server)
	}
	if got := len(f.powerLog[srv.ID]); got != 6 {
		t.Errorf("power log %v", f.powerLog[srv.ID])
	}
}

// TestVolumeBackedSnapshot: Nova snapshots a volume-backed server inside
// the request: the image is active at once, size 0, with its block device
// mapping, and the server gets no task, so a start is accepted at once.
func TestVolumeBackedSnapshot(t *testing.T) {
	f := newFakeClockStore(time.Second, time.Second)
	srv := f.addServer(Server{Status: "SHUTOFF", VolumeBacked: true})
	img, err := f.createSnapshot(snapshotRequest{ServerID: srv.ID, Name: "vol"})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := f.image(img.ID)
	if got.Status != StatusActive || got.Size != 0 || got.Properties["bdm_v2"] != "True" {
		t.Errorf("volume-backed image %+v", got)
	}
	if s, _ := f.server(srv.ID); s.TaskState != "" {
		t.Errorf("task %q after a volume-backed snapshot", s.TaskState)
	}
	if err := f.powerAction(srv.ID, true); err != nil {
		t.Errorf("start right after the snapshot: %v", err)
	}
}

func wantConflict(t *testing.T, err error, attr, state string) {
	t.Helper()
	var c *stateConflict
	if !errors.As(err, &c) || c.Attr != attr || c.State != state {
		t.Errorf("got %v, want a conflict on %s %s", err, attr, state)
	}
}
