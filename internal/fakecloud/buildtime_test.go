package fakecloud

import (
	"testing"
	"time"
)

// TestSetSnapshotTimes: new snapshots follow the new times, running ones
// keep theirs, and a zero leaves a phase's time as it was.
func TestSetSnapshotTimes(t *testing.T) {
	f := newFakeClockStore(200*time.Millisecond, 300*time.Millisecond)
	c := &Cloud{store: f.store}
	start := f.now
	before, err := f.createSnapshot(snapshotRequest{ServerID: f.addServer(Server{}).ID})
	if err != nil {
		t.Fatal(err)
	}
	c.SetSnapshotTimes(time.Second, 0)
	after, err := f.createSnapshot(snapshotRequest{ServerID: f.addServer(Server{}).ID})
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range []struct {
		at            time.Duration
		before, after string
	}{
		{500 * time.Millisecond, StatusActive, StatusQueued},
		{time.Second, StatusActive, StatusSaving},
		{1299 * time.Millisecond, StatusActive, StatusSaving},
		{1300 * time.Millisecond, StatusActive, StatusActive},
	} {
		f.now = start.Add(st.at)
		for id, want := range map[string]string{before.ID: st.before, after.ID: st.after} {
			if got, _ := f.image(id); got.Status != want {
				t.Errorf("at %v: image %s is %q, want %q", st.at, id, got.Status, want)
			}
		}
	}
}
