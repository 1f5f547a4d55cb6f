package openstack

import (
	"context"
	"net/url"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/blockstorage/v3/snapshots"
	tokens3 "github.com/gophercloud/gophercloud/v2/openstack/identity/v3/tokens"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
)

// blockStorageTypes are the catalog types Cinder is published under, the
// official one first: real catalogs carry any of them (Nova 26 itself
// needs volumev3).
var blockStorageTypes = []string{"block-storage", "volumev3", "volumev2"}

// blockStorage is the Cinder client from the catalog, or nil when it has
// none: images and their deletion work without it, and only the snapshot
// calls then fail, saying why.
func (p *Provider) blockStorage(s *session, catalog *tokens3.ServiceCatalog, project string) *gophercloud.ServiceClient {
	for _, typ := range blockStorageTypes {
		// endpoint fails for a type the catalog (or a nil one) lacks.
		if u, err := p.endpoint(catalog, typ, "", project); err == nil {
			return &gophercloud.ServiceClient{ProviderClient: s.provider, Endpoint: u, ResourceBase: u, Type: typ}
		}
	}
	return nil
}

// volumeClient is the session's Cinder client.
func (p *Provider) volumeClient(ctx context.Context, op string) (*gophercloud.ServiceClient, error) {
	s, err := p.session(ctx)
	if err != nil {
		return nil, err
	}
	if s.volume == nil {
		return nil, cloud.Invalid(op, "the service catalog has no block-storage (volumev3, volumev2) endpoint for this region and interface: the volume snapshots behind images cannot be read or deleted")
	}
	return s.volume, nil
}

// GetVolumeSnapshot reads one Cinder snapshot; a 404 is a snapshot gone.
func (p *Provider) GetVolumeSnapshot(ctx context.Context, id string) (*cloud.VolumeSnapshot, error) {
	if id == "" {
		return nil, cloud.Invalid(cloud.OpGetVolumeSnapshot, "no snapshot ID given")
	}
	c, err := p.volumeClient(ctx, cloud.OpGetVolumeSnapshot)
	if err != nil {
		return nil, err
	}
	snap, err := snapshots.Get(ctx, c, url.PathEscape(id)).Extract()
	if err != nil {
		err = p.fail(cloud.OpGetVolumeSnapshot, err)
		if cloud.IsNotFound(err) {
			return &cloud.VolumeSnapshot{ID: id, Phase: cloud.SnapshotGone, Status: "not found"}, nil
		}
		return nil, err
	}
	if snap.ID == "" {
		return nil, cloud.Malformed(cloud.OpGetVolumeSnapshot, "the snapshot response has no snapshot ID")
	}
	return &cloud.VolumeSnapshot{ID: snap.ID, Phase: cloud.SnapshotPhaseOf(snap.Status), Status: snap.Status, SizeGiB: snap.Size}, nil
}

// DeleteVolumeSnapshot asks Cinder to delete a snapshot (202; it is gone
// when GET answers 404). Cinder refuses one that is not available or error
// with 400, which is a wait, not an invalid request.
func (p *Provider) DeleteVolumeSnapshot(ctx context.Context, id string) error {
	if id == "" {
		return cloud.Invalid(cloud.OpDeleteVolumeSnapshot, "no snapshot ID given")
	}
	c, err := p.volumeClient(ctx, cloud.OpDeleteVolumeSnapshot)
	if err != nil {
		return err
	}
	err = p.fail(cloud.OpDeleteVolumeSnapshot, snapshots.Delete(ctx, c, url.PathEscape(id)).ExtractErr())
	if cloud.IsNotFound(err) {
		return nil
	}
	return cloud.SnapshotNotReady(err)
}
