package fakecloud

import (
	"net/http"
	"testing"
	"time"
)

// fakeClockStore is a store whose wall clock the test moves by hand, so
// lifecycle timings are checked exactly and without sleeping.
type fakeClockStore struct {
	*store
	now time.Time
}

func newFakeClockStore(q, s time.Duration) *fakeClockStore {
	f := &fakeClockStore{now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	f.store = newStore(Options{QueuedFor: q, SavingFor: s, ProjectID: "p"})
	f.store.now = func() time.Time { return f.now }
	f.store.clock = newLifeClock(f.now)
	return f
}

func (f *fakeClockStore) advance(d time.Duration) { f.now = f.now.Add(d) }

func TestSnapshotLifecycle(t *testing.T) {
	f := newFakeClockStore(200*time.Millisecond, 300*time.Millisecond)
	srv := f.addServer(Server{})
	start := f.now
	img, err := f.createSnapshot(snapshotRequest{ServerID: srv.ID, Name: "snap"})
	if err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		at        time.Duration // since createImage
		status    string
		task      string
		sized     bool
		updatedAt time.Duration
	}{
		// nova-api's image_snapshot_pending, then the compute host's
		// image_snapshot and image_pending_upload, a third of queued each.
		{0, StatusQueued, TaskImageSnapshotPending, false, 0},
		{66 * time.Millisecond, StatusQueued, TaskImageSnapshotPending, false, 0},
		{67 * time.Millisecond, StatusQueued, TaskImageSnapshot, false, 0},
		{133 * time.Millisecond, StatusQueued, TaskImageSnapshot, false, 0},
		{134 * time.Millisecond, StatusQueued, TaskImagePendingUpload, false, 0},
		{199 * time.Millisecond, StatusQueued, TaskImagePendingUpload, false, 0},
		{200 * time.Millisecond, StatusSaving, TaskImageUploading, false, 200 * time.Millisecond},
		{499 * time.Millisecond, StatusSaving, TaskImageUploading, false, 200 * time.Millisecond},
		{500 * time.Millisecond, StatusActive, "", true, 500 * time.Millisecond},
		{time.Hour, StatusActive, "", true, 500 * time.Millisecond},
	}
	for _, st := range steps {
		f.now = start.Add(st.at)
		got, ok := f.image(img.ID)
		if !ok || got.Status != st.status {
			t.Fatalf("at %v: status %q (exists %v), want %q", st.at, got.Status, ok, st.status)
		}
		if s, _ := f.server(srv.ID); s.TaskState != st.task {
			t.Errorf("at %v: task_state %q, want %q", st.at, s.TaskState, st.task)
		}
		if (got.Size > 0 && got.Checksum != "") != st.sized {
			t.Errorf("at %v: size %d checksum %q", st.at, got.Size, got.Checksum)
		}
		if want := start.Add(st.updatedAt); !got.UpdatedAt.Equal(want) {
			t.Errorf("at %v: updated_at %v, want %v", st.at, got.UpdatedAt, want)
		}
		if st.status == StatusActive && !got.ActivatedAt.Equal(start.Add(500*time.Millisecond)) {
			t.Errorf("ActivatedAt %v, want createdAt+QueuedFor+SavingFor", got.ActivatedAt)
		}
	}
	// Once idle the server accepts the next snapshot.
	if _, err := f.createSnapshot(snapshotRequest{ServerID: srv.ID, Name: "next"}); err != nil {
		t.Errorf("second snapshot after the first finished: %v", err)
	}
}

func TestFailNextSnapshot(t *testing.T) {
	f := newFakeClockStore(200*time.Millisecond, 300*time.Millisecond)
	srv := f.addServer(Server{})
	f.failNextSnapshot(srv.ID)
	bad, _ := f.createSnapshot(snapshotRequest{ServerID: srv.ID, Name: "doomed"})
	if got, ok := f.image(bad.ID); !ok || got.Status != StatusQueued {
		t.Fatalf("accepted snapshot: %+v %v", got, ok)
	}
	f.advance(199 * time.Millisecond)
	if _, ok := f.image(bad.ID); !ok {
		t.Fatal("gone before QueuedFor")
	}
	f.advance(time.Millisecond)
	if _, ok := f.image(bad.ID); ok {
		t.Fatal("failed snapshot still exists after QueuedFor")
	}
	if s, _ := f.server(srv.ID); s.TaskState != "" {
		t.Errorf("task_state %q after the failure", s.TaskState)
	}
	if n := len(f.imageList()); n != 0 {
		t.Errorf("%d images listed", n)
	}
	// Only the next one fails.
	good, _ := f.createSnapshot(snapshotRequest{ServerID: srv.ID, Name: "fine"})
	f.advance(time.Second)
	if got, ok := f.image(good.ID); !ok || got.Status != StatusActive {
		t.Errorf("following snapshot: %+v %v", got, ok)
	}
	// FailNextSnapshot before the server exists still applies.
	f.failNextSnapshot("later")
	f.addServer(Server{ID: "later"})
	late, _ := f.createSnapshot(snapshotRequest{ServerID: "later", Name: "x"})
	f.advance(time.Second)
	if _, ok := f.image(late.ID); ok {
		t.Error("FailNextSnapshot registered before AddServer was lost")
	}
}

func TestFreezeImages(t *testing.T) {
	f := newFakeClockStore(200*time.Millisecond, 300*time.Millisecond)
	srv := f.addServer(Server{})
	start := f.now
	img, _ := f.createSnapshot(snapshotRequest{ServerID: srv.ID, Name: "snap"})
	f.advance(250 * time.Millisecond) // saving
	f.freeze(true)
	f.advance(time.Hour)
	if got, _ := f.image(img.ID); got.Status != StatusSaving {
		t.Fatalf("frozen image moved on: %s", got.Status)
	}
	// Snapshots taken while frozen stay queued.
	other := f.addServer(Server{})
	stuck, _ := f.createSnapshot(snapshotRequest{ServerID: other.ID, Name: "stuck"})
	f.advance(time.Hour)
	if got, _ := f.image(stuck.ID); got.Status != StatusQueued {
		t.Fatalf("snapshot taken while frozen: %s", got.Status)
	}
	f.freeze(false)
	thawed := f.now
	f.advance(249 * time.Millisecond)
	if got, _ := f.image(img.ID); got.Status != StatusSaving {
		t.Fatalf("resumed too early: %s", got.Status)
	}
	f.advance(time.Millisecond)
	got, _ := f.image(img.ID)
	if got.Status != StatusActive || !got.ActivatedAt.Equal(thawed.Add(250*time.Millisecond)) {
		t.Errorf("after thaw: %s activated %v (start %v)", got.Status, got.ActivatedAt, start)
	}
	f.advance(time.Second)
	if got, _ := f.image(stuck.ID); got.Status != StatusActive {
		t.Errorf("stuck image after thaw: %s", got.Status)
	}
}

func TestLifeClock(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c := newLifeClock(t0)
	c.freeze(t0.Add(10 * time.Second))
	c.thaw(t0.Add(70 * time.Second))
	c.freeze(t0.Add(80 * time.Second))
	c.thaw(t0.Add(100 * time.Second))
	tests := []struct {
		life time.Duration
		wall time.Duration // since t0
	}{
		{0, 0},
		{5 * time.Second, 5 * time.Second},
		{10 * time.Second, 10 * time.Second},
		{15 * time.Second, 75 * time.Second},
		{20 * time.Second, 80 * time.Second},
		{25 * time.Second, 105 * time.Second},
	}
	for _, tc := range tests {
		if got := c.wallAt(tc.life); !got.Equal(t0.Add(tc.wall)) {
			t.Errorf("wallAt(%v) = %v, want t0+%v", tc.life, got.Sub(t0), tc.wall)
		}
	}
	if got := c.read(t0.Add(110 * time.Second)); got != 30*time.Second {
		t.Errorf("read = %v", got)
	}
}

func TestDeleteServerAbortsSnapshots(t *testing.T) {
	f := newFakeClockStore(200*time.Millisecond, 300*time.Millisecond)
	srv := f.addServer(Server{})
	done, _ := f.createSnapshot(snapshotRequest{ServerID: srv.ID, Name: "done"})
	f.advance(time.Second)
	running, _ := f.createSnapshot(snapshotRequest{ServerID: srv.ID, Name: "running"})
	f.advance(300 * time.Millisecond) // saving
	f.deleteServer(srv.ID)
	if _, ok := f.image(running.ID); ok {
		t.Error("snapshot in progress survived its server")
	}
	if got, ok := f.image(done.ID); !ok || got.Status != StatusActive {
		t.Error("finished snapshot was deleted with its server")
	}
	if _, err := f.createSnapshot(snapshotRequest{ServerID: srv.ID, Name: "x"}); err != errServerNotFound {
		t.Errorf("snapshot of deleted server: %v", err)
	}
}

func TestImageAdminAPI(t *testing.T) {
	c := newTestCloud(t, Options{})
	created := time.Date(2025, 5, 6, 7, 8, 9, 0, time.UTC)
	img := c.AddImage(Image{Name: "golden", ServerID: "srv-1", Properties: map[string]string{"os_distro": "debian"}, CreatedAt: created})
	if img.Status != StatusActive || img.Size == 0 || img.Checksum == "" || img.Properties["instance_uuid"] != "srv-1" || !img.ActivatedAt.Equal(created) {
		t.Errorf("AddImage: %+v", img)
	}
	q := c.AddImage(Image{Status: StatusQueued})
	if got, _ := c.Image(q.ID); got.Status != StatusQueued || got.Size != 0 {
		t.Errorf("queued image: %+v", got)
	}
	c.SetImageStatus(q.ID, StatusKilled)
	if got, _ := c.Image(q.ID); got.Status != StatusKilled {
		t.Errorf("SetImageStatus: %s", got.Status)
	}
	c.SetImageStatus(q.ID, StatusDeleted)
	if _, ok := c.Image(q.ID); ok {
		t.Error("status deleted should make the image disappear")
	}
	c.RemoveImage(img.ID)
	tok := login(t, c)
	if r := do(t, http.MethodGet, c.ImageURL()+"/v2/images/"+img.ID, tok, nil); r.status != 404 {
		t.Errorf("removed image: %d", r.status)
	}
	// SetImageStatus on a running snapshot ends it and frees the server.
	s := c.AddServer(Server{})
	id := imageIDOf(t, createImage(t, c, tok, s.ID, "snap", "2.45", nil))
	c.SetImageStatus(id, StatusKilled)
	if got, _ := c.GetServer(s.ID); got.TaskState != "" {
		t.Errorf("task_state %q after the image was killed", got.TaskState)
	}
}

// TestLifecycleOverHTTP checks the real-time path the operator sees.
func TestLifecycleOverHTTP(t *testing.T) {
	c, tok := newLoggedInCloud(t, Options{QueuedFor: 100 * time.Millisecond, SavingFor: 100 * time.Millisecond})
	s := c.AddServer(Server{})
	begin := time.Now()
	id := imageIDOf(t, createImage(t, c, tok, s.ID, "snap", "2.45", map[string]string{"serverimage_uid": "u1"}))
	seen := map[string]bool{}
	var last resp
	waitFor(t, 5*time.Second, "active", func() bool {
		last = do(t, http.MethodGet, c.ImageURL()+"/v2/images/"+id, tok, nil)
		seen[last.str("status")] = true
		return last.str("status") == StatusActive
	})
	if elapsed := time.Since(begin); elapsed < 200*time.Millisecond {
		t.Errorf("active after %v, before QueuedFor+SavingFor", elapsed)
	}
	if !seen[StatusQueued] || !seen[StatusSaving] {
		t.Errorf("statuses seen %v", seen)
	}
	if last.body["size"] == nil || last.body["checksum"] == nil || last.str("disk_format") != "qcow2" {
		t.Errorf("active image body %s", last.raw)
	}
	srv := do(t, http.MethodGet, c.ComputeURL()+"/servers/"+s.ID, tok, nil)
	if srv.body["server"].(map[string]any)["OS-EXT-STS:task_state"] != nil {
		t.Errorf("task_state after active: %s", srv.raw)
	}

	// A failed snapshot: accepted, then 404.
	c.FailNextSnapshot(s.ID)
	bad := imageIDOf(t, createImage(t, c, tok, s.ID, "doomed", "", nil))
	if r := do(t, http.MethodGet, c.ImageURL()+"/v2/images/"+bad, tok, nil); r.status != 200 || r.str("status") != StatusQueued {
		t.Fatalf("failing snapshot at first: %d %s", r.status, r.raw)
	}
	waitFor(t, 5*time.Second, "404", func() bool {
		return do(t, http.MethodGet, c.ImageURL()+"/v2/images/"+bad, tok, nil).status == 404
	})
}
