//go:build openstack

package openstack

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"github.com/gophercloud/gophercloud/v2"
	gopenstack "github.com/gophercloud/gophercloud/v2/openstack"
	"github.com/gophercloud/gophercloud/v2/openstack/blockstorage/v3/snapshots"
	"github.com/gophercloud/gophercloud/v2/openstack/blockstorage/v3/volumes"
	"github.com/gophercloud/gophercloud/v2/openstack/image/v2/imagedata"
	"github.com/gophercloud/gophercloud/v2/openstack/image/v2/images"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
)

// TestVolumeSnapshotsDeleted: an image that holds a Cinder snapshot, made
// the way Nova makes an image of a volume-backed server (an empty Glance
// image whose block_device_mapping names the snapshot), is imported with
// deletionPolicy Delete; deleting the ServerImage deletes the image and
// the snapshot, as Glance and Cinder both say.
func TestVolumeSnapshotsDeleted(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cinder, err := gopenstack.NewBlockStorageV3(cloud.provider, gophercloud.EndpointOpts{Region: "RegionOne"})
	if err != nil {
		t.Fatalf("no Cinder in the catalog (hack/openstack/up adds it): %v", err)
	}
	name := dnsLabel(t.Name(), 40)
	vol, err := volumes.Create(ctx, cinder, volumes.CreateOpts{Size: 1, Name: name}, nil).Extract()
	if err != nil {
		t.Fatalf("creating a volume: %v", err)
	}
	t.Cleanup(func() {
		// The snapshot must be gone before its volume can go.
		_ = snapshots.Delete(ctx, cinder, vol.ID).ExtractErr()
		waitCinder(t, func() bool {
			err := volumes.Delete(ctx, cinder, vol.ID, nil).ExtractErr()
			return err == nil || gophercloud.ResponseCodeIs(err, 404)
		})
	})
	waitCinder(t, func() bool {
		v, err := volumes.Get(ctx, cinder, vol.ID).Extract()
		return err == nil && v.Status == "available"
	})
	snap, err := snapshots.Create(ctx, cinder, snapshots.CreateOpts{VolumeID: vol.ID, Name: "snapshot for " + name}).Extract()
	if err != nil {
		t.Fatalf("creating a snapshot: %v", err)
	}
	t.Cleanup(func() { _ = snapshots.Delete(ctx, cinder, snap.ID).ExtractErr() })
	waitCinder(t, func() bool {
		s, err := snapshots.Get(ctx, cinder, snap.ID).Extract()
		return err == nil && s.Status == "available"
	})

	// Nova's image of a volume-backed server: no data, the mapping as a
	// JSON string property, then an empty upload, which activates it.
	bdm, _ := json.Marshal([]map[string]any{{
		"source_type": "snapshot", "destination_type": "volume", "snapshot_id": snap.ID,
		"boot_index": 0, "device_name": "/dev/vda", "volume_size": 1, "delete_on_termination": false,
		"guest_format": nil, "disk_bus": nil, "device_type": nil, "volume_id": nil, "image_id": nil, "no_device": nil, "tag": nil,
	}})
	img, err := images.Create(ctx, cloud.image, images.CreateOpts{
		Name: name, DiskFormat: "raw", ContainerFormat: "bare",
		Properties: map[string]string{"block_device_mapping": string(bdm), "bdm_v2": "True", "root_device_name": "/dev/vda"},
	}).Extract()
	if err != nil {
		t.Fatalf("creating the image: %v", err)
	}
	t.Cleanup(func() { _, _ = cloud.image.Delete(ctx, cloud.image.ServiceURL("images", img.ID), nil) })
	if err := imagedata.Upload(ctx, cloud.image, img.ID, bytes.NewReader(nil)).ExtractErr(); err != nil {
		t.Fatalf("uploading the empty image: %v", err)
	}
	cloud.waitImage(t, img.ID, "active")

	s := newScenario(t)
	s.createCloud("cloud", passwordEntry)
	s.CreateServerImage("imported", "cloud", "", func(si *imagesv1.ServerImage) {
		si.Spec.Import = &imagesv1.ImageImport{ImageID: img.ID}
		si.Spec.DeletionPolicy = imagesv1.DeletionPolicyDelete
	})
	si := s.WaitReady("imported")
	rec := si.Status.VolumeSnapshots
	if len(rec) != 1 || rec[0].ID != snap.ID || rec[0].Status != "available" || rec[0].VolumeSizeGiB == nil || *rec[0].VolumeSizeGiB != 1 {
		t.Fatalf("status.volumeSnapshots %+v, want %s available, 1 GiB", rec, snap.ID)
	}

	s.Delete(si)
	s.WaitServerImageGone("imported")
	if got, found := cloud.getImage(t, img.ID); found && got.Status != "deleted" {
		t.Errorf("Glance still has image %s (%s)", img.ID, got.Status)
	}
	if got, err := snapshots.Get(ctx, cinder, snap.ID).Extract(); !gophercloud.ResponseCodeIs(err, 404) {
		t.Errorf("Cinder still has snapshot %s: %+v, %v", snap.ID, got, err)
	}
}

// waitCinder waits until cond holds; Cinder's volume service works
// asynchronously.
func waitCinder(t *testing.T, cond func() bool) {
	t.Helper()
	cloudWait.Until(t, "Cinder", cond)
}
