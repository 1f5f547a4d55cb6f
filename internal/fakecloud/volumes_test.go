package fakecloud

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestVolumeBackedSnapshotLifecycle: createImage of a volume-backed server
// makes an active, empty image whose block_device_mapping lists one
// snapshot per volume; the snapshots go creating -> available, refuse a
// delete while creating (400), and are gone (404) after one.
func TestVolumeBackedSnapshotLifecycle(t *testing.T) {
	c := newTestCloud(t, Options{})
	c.SetVolumeSnapshotTimes(300*time.Millisecond, 100*time.Millisecond)
	tok := login(t, c)
	s := c.AddVolumeBackedServer(Server{}, 10, 20)
	id := imageIDOf(t, createImage(t, c, tok, s.ID, "bfv", "2.45", nil))

	img := do(t, http.MethodGet, c.ImageURL()+"/v2/images/"+id, tok, nil)
	if img.str("status") != StatusActive || img.body["size"] != nil {
		t.Fatalf("image of a volume-backed server: status %q size %v, want active and empty", img.str("status"), img.body["size"])
	}
	var bdm []struct {
		SnapshotID string `json:"snapshot_id"`
		SourceType string `json:"source_type"`
		VolumeSize int    `json:"volume_size"`
	}
	if err := json.Unmarshal([]byte(img.str("block_device_mapping")), &bdm); err != nil || len(bdm) != 2 {
		t.Fatalf("block_device_mapping %q: %v", img.str("block_device_mapping"), err)
	}
	base := c.URL() + "/volume/v3/" + c.ProjectID() + "/snapshots/"
	for i, e := range bdm {
		if e.SourceType != "snapshot" || e.VolumeSize != []int{10, 20}[i] {
			t.Errorf("entry %d: %+v", i, e)
		}
		r := do(t, http.MethodGet, base+e.SnapshotID, tok, nil)
		if r.status != 200 || r.str("snapshot", "status") != SnapshotCreating {
			t.Errorf("new snapshot: %d %s", r.status, r.raw)
		}
		r = do(t, http.MethodDelete, base+e.SnapshotID, tok, nil)
		if r.status != 400 || !strings.Contains(r.str("badRequest", "message"), "status must be available or error") {
			t.Errorf("delete while creating: %d %s", r.status, r.raw)
		}
	}
	time.Sleep(350 * time.Millisecond)
	for _, e := range bdm {
		if r := do(t, http.MethodGet, base+e.SnapshotID, tok, nil); r.str("snapshot", "status") != SnapshotAvailable {
			t.Errorf("snapshot after creatingFor: %s", r.raw)
		}
		if r := do(t, http.MethodDelete, base+e.SnapshotID, tok, nil); r.status != http.StatusAccepted {
			t.Errorf("delete: %d %s", r.status, r.raw)
		}
		if r := do(t, http.MethodGet, base+e.SnapshotID, tok, nil); r.str("snapshot", "status") != SnapshotDeleting {
			t.Errorf("snapshot being deleted: %s", r.raw)
		}
	}
	time.Sleep(150 * time.Millisecond)
	for _, e := range bdm {
		if r := do(t, http.MethodGet, base+e.SnapshotID, tok, nil); r.status != 404 || r.str("itemNotFound", "message") == "" {
			t.Errorf("deleted snapshot: %d %s", r.status, r.raw)
		}
		if r := do(t, http.MethodDelete, base+e.SnapshotID, tok, nil); r.status != 404 {
			t.Errorf("second delete: %d", r.status)
		}
	}
	if r := do(t, http.MethodGet, base+"x", "", nil); r.status != 401 {
		t.Errorf("no token: %d", r.status)
	}
}

// TestVolumeSnapshotInUse: a snapshot a volume was made from goes
// deleting and comes back available; released, the next delete works.
func TestVolumeSnapshotInUse(t *testing.T) {
	c := newTestCloud(t, Options{})
	c.SetVolumeSnapshotTimes(0, 50*time.Millisecond)
	tok := login(t, c)
	snap := c.AddVolumeSnapshot("s", 5)
	c.SetVolumeSnapshotInUse(snap.ID, true)
	url := c.URL() + "/volume/v3/" + c.ProjectID() + "/snapshots/" + snap.ID
	if r := do(t, http.MethodDelete, url, tok, nil); r.status != http.StatusAccepted {
		t.Fatalf("delete: %d", r.status)
	}
	time.Sleep(80 * time.Millisecond)
	if s, ok := c.VolumeSnapshot(snap.ID); !ok || s.Status != SnapshotAvailable {
		t.Fatalf("in-use snapshot after a delete: %+v %v, want available", s, ok)
	}
	c.SetVolumeSnapshotInUse(snap.ID, false)
	do(t, http.MethodDelete, url, tok, nil)
	time.Sleep(80 * time.Millisecond)
	if _, ok := c.VolumeSnapshot(snap.ID); ok || len(c.VolumeSnapshots()) != 0 {
		t.Errorf("released snapshot not deleted: %v", c.VolumeSnapshots())
	}
}
