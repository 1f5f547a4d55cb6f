package fakecloud

import (
	"encoding/json"
	"sort"
	"time"
)

// Volume-backed servers and their block-storage snapshots, as Nova and
// Cinder treat them: createImage of such a server snapshots every volume
// (the snapshots start "creating" and are not awaited), and the image is
// active at once, empty, listing the snapshots in block_device_mapping.
// Deleting the image leaves the snapshots; deleting a snapshot goes
// "deleting" and then it is gone, unless a volume made from it still
// exists, when it returns to "available" (Cinder's SnapshotIsBusy).

// Volume snapshot statuses as Cinder reports them.
const (
	SnapshotCreating  = "creating"
	SnapshotAvailable = "available"
	SnapshotDeleting  = "deleting"
	SnapshotError     = "error"
)

// Operations of the block-storage front.
const (
	OpGetVolumeSnapshot    Op = "getVolumeSnapshot"    // GET /v3/{project}/snapshots/{id}
	OpDeleteVolumeSnapshot Op = "deleteVolumeSnapshot" // DELETE /v3/{project}/snapshots/{id}
)

// VolumeSnapshot is a block-storage snapshot as tests see it.
type VolumeSnapshot struct {
	ID, VolumeID, Name, Status string
	SizeGiB                    int
	// InUse: a volume was created from it, so a delete returns it to
	// available instead of removing it.
	InUse bool
}

type volumeSnapshotRec struct {
	snap VolumeSnapshot
	// availableAt is the lifeClock reading at which creating ends; 0 means
	// the status is fixed.
	availableAt time.Duration
	// deleteEndsAt is the reading at which a delete in progress ends.
	deleteEndsAt time.Duration
}

// volumeStore is the block storage of the account; its zero value is
// empty and ready (maps are made on first use).
type volumeStore struct {
	// volumes are the volume sizes of volume-backed servers, root first.
	volumes   map[string][]int
	snapshots map[string]*volumeSnapshotRec
	// creatingFor and deletingFor shape a snapshot's life (defaults
	// 300ms and 200ms of lifeClock time).
	creatingFor, deletingFor time.Duration
}

// defaultVolumeGiB is the boot volume of a server added as volume-backed
// without sizes.
const defaultVolumeGiB = 10

func (v *volumeStore) init() {
	if v.snapshots == nil {
		v.volumes = map[string][]int{}
		v.snapshots = map[string]*volumeSnapshotRec{}
		v.creatingFor, v.deletingFor = 300*time.Millisecond, 200*time.Millisecond
	}
}

// snapshotServer snapshots every volume of a volume-backed server and
// returns the image's block_device_mapping, or "" for a server without
// volumes (an image-backed one).
func (v *volumeStore) snapshotServer(serverID, imageName string, lnow time.Duration, volumeBacked bool) string {
	v.init()
	sizes := v.volumes[serverID]
	if len(sizes) == 0 && volumeBacked {
		// A server added as volume-backed without naming its volumes boots
		// from one of the default size.
		sizes = []int{defaultVolumeGiB}
	}
	if len(sizes) == 0 {
		return ""
	}
	var bdm []map[string]any
	for i, size := range sizes {
		rec := &volumeSnapshotRec{
			snap: VolumeSnapshot{ID: newUUID(), VolumeID: newUUID(), Name: "snapshot for " + imageName,
				Status: SnapshotCreating, SizeGiB: size},
			availableAt: lnow + v.creatingFor,
		}
		v.snapshots[rec.snap.ID] = rec
		entry := map[string]any{
			"source_type": "snapshot", "destination_type": "volume", "snapshot_id": rec.snap.ID,
			"volume_id": nil, "image_id": nil, "no_device": nil, "device_type": "disk", "disk_bus": "virtio",
			"delete_on_termination": false, "volume_size": size, "boot_index": nil, "device_name": nil,
			"guest_format": nil, "tag": nil, "volume_type": nil,
		}
		if i == 0 {
			entry["boot_index"], entry["device_name"] = 0, "/dev/vda"
		}
		bdm = append(bdm, entry)
	}
	b, _ := json.Marshal(bdm)
	return string(b)
}

// resolve brings a snapshot's status up to lnow; false when it is gone.
func (v *volumeStore) resolve(id string, lnow time.Duration) (*volumeSnapshotRec, bool) {
	v.init()
	r, ok := v.snapshots[id]
	if !ok {
		return nil, false
	}
	switch {
	case r.snap.Status == SnapshotCreating && r.availableAt > 0 && lnow >= r.availableAt:
		r.snap.Status, r.availableAt = SnapshotAvailable, 0
	case r.snap.Status == SnapshotDeleting && lnow >= r.deleteEndsAt:
		if !r.snap.InUse {
			delete(v.snapshots, id)
			return nil, false
		}
		r.snap.Status = SnapshotAvailable
	}
	return r, true
}

// errSnapshotNotDeletable is Cinder's 400 for a snapshot neither
// available nor error.
type errSnapshotNotDeletable struct{}

func (errSnapshotNotDeletable) Error() string {
	return "Invalid snapshot: Snapshot status must be available or error and must not be part of a group."
}

// deleteSnapshot starts a delete; false when the snapshot does not exist.
func (v *volumeStore) deleteSnapshot(id string, lnow time.Duration) (bool, error) {
	r, ok := v.resolve(id, lnow)
	if !ok {
		return false, nil
	}
	if r.snap.Status != SnapshotAvailable && r.snap.Status != SnapshotError {
		return true, errSnapshotNotDeletable{}
	}
	r.snap.Status, r.deleteEndsAt = SnapshotDeleting, lnow+v.deletingFor
	return true, nil
}

func (st *store) volumeSnapshot(id string) (VolumeSnapshot, bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	r, ok := st.vol.resolve(id, st.clock.read(st.now()))
	if !ok {
		return VolumeSnapshot{}, false
	}
	return r.snap, true
}

func (st *store) deleteVolumeSnapshot(id string) (bool, error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.vol.deleteSnapshot(id, st.clock.read(st.now()))
}

// AddVolumeBackedServer adds a server booted from volumes of the given
// sizes in GiB (root first): its images are snapshots of those volumes.
func (c *Cloud) AddVolumeBackedServer(s Server, volumeGiB ...int) Server {
	s.VolumeBacked = true
	s = c.store.addServer(s)
	c.store.mu.Lock()
	defer c.store.mu.Unlock()
	c.store.vol.init()
	c.store.vol.volumes[s.ID] = append([]int(nil), volumeGiB...)
	return s
}

// AddVolumeSnapshot adds an available snapshot of a volume of sizeGiB, as
// if taken outside the simulator.
func (c *Cloud) AddVolumeSnapshot(name string, sizeGiB int) VolumeSnapshot {
	c.store.mu.Lock()
	defer c.store.mu.Unlock()
	c.store.vol.init()
	r := &volumeSnapshotRec{snap: VolumeSnapshot{ID: newUUID(), VolumeID: newUUID(), Name: name, Status: SnapshotAvailable, SizeGiB: sizeGiB}}
	c.store.vol.snapshots[r.snap.ID] = r
	return r.snap
}

// VolumeSnapshot returns one snapshot with its status as of now.
func (c *Cloud) VolumeSnapshot(id string) (VolumeSnapshot, bool) { return c.store.volumeSnapshot(id) }

// VolumeSnapshots returns every existing snapshot, by ID.
func (c *Cloud) VolumeSnapshots() []VolumeSnapshot {
	c.store.mu.Lock()
	defer c.store.mu.Unlock()
	lnow := c.store.clock.read(c.store.now())
	var out []VolumeSnapshot
	for id := range c.store.vol.snapshots {
		if r, ok := c.store.vol.resolve(id, lnow); ok {
			out = append(out, r.snap)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// SetVolumeSnapshotInUse marks a snapshot as the source of a volume (a
// server booted from the image): deleting it then fails in the
// background and it returns to available. false releases it.
func (c *Cloud) SetVolumeSnapshotInUse(id string, inUse bool) {
	c.store.mu.Lock()
	defer c.store.mu.Unlock()
	if r, ok := c.store.vol.resolve(id, c.store.clock.read(c.store.now())); ok {
		r.snap.InUse = inUse
	}
}

// SetVolumeSnapshotTimes changes how long new snapshots stay creating and
// how long a delete takes (0 keeps the current value).
func (c *Cloud) SetVolumeSnapshotTimes(creating, deleting time.Duration) {
	c.store.mu.Lock()
	defer c.store.mu.Unlock()
	c.store.vol.init()
	if creating > 0 {
		c.store.vol.creatingFor = creating
	}
	if deleting > 0 {
		c.store.vol.deletingFor = deleting
	}
}

// volumeBackedImage makes img what Nova makes of a volume-backed server:
// active at once, empty, with the snapshots' mapping. It returns the nil
// lifecycle (the status is fixed).
func volumeBackedImage(img *Image, bdm string) *snapshotLife {
	img.Status = StatusActive
	img.Properties["block_device_mapping"] = bdm
	img.Properties["bdm_v2"] = "True"
	img.Properties["root_device_name"] = "/dev/vda"
	img.DiskFormat, img.ContainerFormat = "raw", "bare"
	img.ActivatedAt = img.UpdatedAt
	return nil
}
