package huawei

import (
	"context"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
)

// GetVolumeSnapshot is never called: Capabilities().VolumeSnapshots is not SnapshotsListed.
func (p *Provider) GetVolumeSnapshot(context.Context, string) (*cloud.VolumeSnapshot, error) {
	return nil, cloud.NoVolumeSnapshots(cloud.OpGetVolumeSnapshot)
}

// DeleteVolumeSnapshot is never called: Capabilities().VolumeSnapshots is not SnapshotsListed.
func (p *Provider) DeleteVolumeSnapshot(context.Context, string) error {
	return cloud.NoVolumeSnapshots(cloud.OpDeleteVolumeSnapshot)
}
