package v1alpha1

// VolumeSnapshotStatus is one block-storage snapshot an image holds.
type VolumeSnapshotStatus struct {
	// ID is the snapshot's ID in the cloud's block storage.
	ID string `json:"id"`
	// VolumeSizeGiB is the size of the volume it was taken of, once known.
	// +optional
	VolumeSizeGiB *int32 `json:"volumeSizeGiB,omitempty"`
	// Status is the cloud's own status of the snapshot when last read
	// (creating, available, deleting, error...; NotFound once gone).
	// +optional
	Status string `json:"status,omitempty"`
}

// Condition reasons of the volume snapshots behind an image.
const (
	// ReasonVolumeSnapshotsPending: the image is active but some of its
	// volume snapshots are still being created; a server booted from it
	// now could fail.
	ReasonVolumeSnapshotsPending = "VolumeSnapshotsPending"
	// ReasonVolumeSnapshotFailed: a volume snapshot of the image failed;
	// the image cannot be booted.
	ReasonVolumeSnapshotFailed = "VolumeSnapshotFailed"
	// ReasonVolumeSnapshotInUse: a snapshot could not be deleted because a
	// volume was created from it (a server booted from the image); the
	// delete is retried until that volume is gone.
	ReasonVolumeSnapshotInUse = "VolumeSnapshotInUse"
	// ReasonVolumeSnapshotsUnknown: the cloud gives no way to find the
	// volume snapshots behind an image, so deleting the image may have
	// left some (Event on delete).
	ReasonVolumeSnapshotsUnknown = "VolumeSnapshotsUnknown"
)
