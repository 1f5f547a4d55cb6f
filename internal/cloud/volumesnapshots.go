package cloud

import (
	"context"
	"encoding/json"
	"strings"
)

// An image of a volume-backed server holds no data of its own: Nova (and
// the clouds built on it) takes a block-storage snapshot of every volume
// of the server and lists them in the image's block_device_mapping.
// Deleting the image leaves the snapshots behind, so the operator deletes
// them itself; this is the boundary for that.

// Operation names of VolumeSnapshots.
const (
	OpGetVolumeSnapshot    = "getVolumeSnapshot"
	OpDeleteVolumeSnapshot = "deleteVolumeSnapshot"
)

// SnapshotDiscovery is what a cloud tells of the volume snapshots behind
// its images.
type SnapshotDiscovery string

const (
	// SnapshotsNone: the cloud's images never hold volume snapshots (its
	// images copy the data, volumes included or not). The zero value.
	SnapshotsNone SnapshotDiscovery = ""
	// SnapshotsListed: images list the snapshots they hold
	// (Image.VolumeSnapshots), and the VolumeSnapshots methods read and
	// delete them.
	SnapshotsListed SnapshotDiscovery = "listed"
	// SnapshotsHidden: images may hold snapshots, but the cloud gives no
	// documented way to find them: deleting an image may leave them.
	SnapshotsHidden SnapshotDiscovery = "hidden"
)

// SnapshotPhase is a volume snapshot's status normalised across clouds.
type SnapshotPhase string

const (
	// SnapshotCreating: still being taken; it cannot be deleted yet, and a
	// server booted from the image may fail.
	SnapshotCreating SnapshotPhase = "creating"
	// SnapshotAvailable: usable, and deletable.
	SnapshotAvailable SnapshotPhase = "available"
	// SnapshotDeleting: a delete is under way. A snapshot that returns to
	// available afterwards is in use (a volume was created from it).
	SnapshotDeleting SnapshotPhase = "deleting"
	// SnapshotError: failed (taking or deleting it); error_deleting needs
	// an administrator, error can be deleted.
	SnapshotError SnapshotPhase = "error"
	// SnapshotGone: the cloud no longer has it.
	SnapshotGone SnapshotPhase = "gone"
)

// VolumeSnapshot is one block-storage snapshot as the operator needs it.
type VolumeSnapshot struct {
	ID    string
	Phase SnapshotPhase
	// Status is the cloud's own word, for messages.
	Status string
	// SizeGiB is the size of the volume it was taken of.
	SizeGiB int
}

// ImageSnapshot is a volume snapshot an image holds, as the image itself
// names it.
type ImageSnapshot struct {
	ID string
	// VolumeSizeGiB as the image's mapping records it (often absent).
	VolumeSizeGiB *int
}

// VolumeSnapshots reads and deletes the snapshots behind images, where
// Capabilities().VolumeSnapshots is SnapshotsListed (others answer an
// Invalid error).
type VolumeSnapshots interface {
	// GetVolumeSnapshot returns the snapshot; one the cloud no longer has
	// comes back with Phase SnapshotGone, not as an error.
	GetVolumeSnapshot(ctx context.Context, id string) (*VolumeSnapshot, error)
	// DeleteVolumeSnapshot asks for the delete (asynchronous: read until
	// gone). One already gone is not an error; one still being created
	// is ClassBusy.
	DeleteVolumeSnapshot(ctx context.Context, id string) error
}

// SnapshotPhaseOf normalises Cinder's (and EVS's, and SCP's, which copy
// it) snapshot statuses.
func SnapshotPhaseOf(status string) SnapshotPhase {
	switch strings.ToLower(status) {
	case "available", "backing-up", "restoring":
		// Backing up or restoring is a use that ends on its own, from
		// which it returns to available.
		return SnapshotAvailable
	case "deleting":
		return SnapshotDeleting
	case "deleted":
		return SnapshotGone
	case "error", "error_deleting":
		return SnapshotError
	}
	// creating, unmanaging and anything new: not deletable yet, wait.
	return SnapshotCreating
}

// SnapshotsOfMapping reads the snapshot IDs out of an image's
// block_device_mapping property: a JSON string (Nova stores it so) or an
// already decoded list. Entries without a snapshot (swap, ephemeral,
// images) are skipped. A value that is not a mapping gives nothing: the
// property is user-editable.
func SnapshotsOfMapping(v any) []ImageSnapshot {
	var raw []byte
	switch m := v.(type) {
	case nil:
		return nil
	case string:
		raw = []byte(m)
	default:
		b, err := json.Marshal(m)
		if err != nil {
			return nil
		}
		raw = b
	}
	var entries []struct {
		SnapshotID *string  `json:"snapshot_id"`
		VolumeSize *float64 `json:"volume_size"`
	}
	if json.Unmarshal(raw, &entries) != nil {
		return nil
	}
	seen := map[string]bool{}
	var out []ImageSnapshot
	for _, e := range entries {
		if e.SnapshotID == nil || *e.SnapshotID == "" || seen[*e.SnapshotID] {
			continue
		}
		seen[*e.SnapshotID] = true
		s := ImageSnapshot{ID: *e.SnapshotID}
		if e.VolumeSize != nil && *e.VolumeSize > 0 {
			n := int(*e.VolumeSize)
			s.VolumeSizeGiB = &n
		}
		out = append(out, s)
	}
	return out
}

// SnapshotNotReady turns Cinder's 400 for a snapshot that is not
// available or error ("Invalid snapshot: Snapshot status must be available
// or error…") into ClassBusy: it is still being created (or deleted), and
// the delete works later. Other errors pass through.
func SnapshotNotReady(err error) error {
	ce := AsError(OpDeleteVolumeSnapshot, err)
	if ce != nil && ce.HTTPStatus == 400 && strings.Contains(strings.ToLower(ce.Message), "status must be") {
		c := *ce
		c.Class = ClassBusy
		return &c
	}
	return err
}

// NameSnapshotQuota adds what a 403 from createImage means when the quota
// it names is the block-storage snapshot quota: Nova checks it before it
// snapshots a volume-backed server ("Quota exceeded for resources:
// snapshots"), and images whose snapshots were left behind use it up.
func NameSnapshotQuota(err error) error {
	ce := AsError(OpCreateImage, err)
	if ce == nil || ce.Class != ClassForbidden {
		return err
	}
	m := strings.ToLower(ce.Message)
	if !strings.Contains(m, "quota") || !strings.Contains(m, "snapshot") {
		return err
	}
	c := *ce
	c.Message += " (the volume-snapshot quota of the block storage: every image of a volume-backed server holds one snapshot per volume until the image and its snapshots are deleted)"
	return &c
}

// NoVolumeSnapshots is VolumeSnapshots for drivers whose cloud gives no
// way to find them, embedded in their Provider: its methods are never
// called, since Capabilities().VolumeSnapshots is not SnapshotsListed.
type NoVolumeSnapshots struct{}

func (NoVolumeSnapshots) GetVolumeSnapshot(context.Context, string) (*VolumeSnapshot, error) {
	return nil, noVolumeSnapshots(OpGetVolumeSnapshot)
}

func (NoVolumeSnapshots) DeleteVolumeSnapshot(context.Context, string) error {
	return noVolumeSnapshots(OpDeleteVolumeSnapshot)
}

func noVolumeSnapshots(op string) error {
	return &Error{Class: ClassInvalid, Op: op, Message: "this cloud gives no way to find the volume snapshots behind an image"}
}
