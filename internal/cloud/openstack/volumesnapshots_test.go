package openstack

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
	"github.com/serverimage-operator/serverimage-operator/internal/fakecloud"
)

// TestVolumeSnapshots: an image of a volume-backed server lists its
// snapshots through Glance and through the Nova proxy; Cinder is found in
// the catalog; a delete while creating is Busy, then 202 and gone.
func TestVolumeSnapshots(t *testing.T) {
	for _, api := range []string{"", "ComputeImages"} {
		t.Run("poll "+api, func(t *testing.T) {
			ctx := context.Background()
			c := newFake(t, fakecloud.Options{})
			c.SetVolumeSnapshotTimes(200*time.Millisecond, 50*time.Millisecond)
			srv := c.AddVolumeBackedServer(fakecloud.Server{}, 8, 3)
			p := fakeProvider(t, c, c.CloudsYAML("fake"), func(cfg *cloud.Config) { cfg.ImagePollAPI = api })
			if p.Capabilities().VolumeSnapshots != cloud.SnapshotsListed {
				t.Fatal("capability not advertised")
			}
			id, err := p.CreateImage(ctx, cloud.CreateImageRequest{ServerID: srv.ID, Name: "bfv", IdempotencyKey: "k"})
			if err != nil {
				t.Fatal(err)
			}
			img := waitActive(t, p, id)
			if len(img.VolumeSnapshots) != 2 || *img.VolumeSnapshots[0].VolumeSizeGiB != 8 || *img.VolumeSnapshots[1].VolumeSizeGiB != 3 {
				t.Fatalf("image snapshots %+v", img.VolumeSnapshots)
			}
			snap := img.VolumeSnapshots[0].ID
			got, err := p.GetVolumeSnapshot(ctx, snap)
			if err != nil || got.Phase != cloud.SnapshotCreating || got.SizeGiB != 8 {
				t.Fatalf("new snapshot %+v, %v", got, err)
			}
			if err := p.DeleteVolumeSnapshot(ctx, snap); cloud.ClassOf(err) != cloud.ClassBusy || !strings.Contains(err.Error(), "400") {
				t.Fatalf("delete while creating: %v, want Busy with the 400", err)
			}
			time.Sleep(250 * time.Millisecond)
			if err := p.DeleteVolumeSnapshot(ctx, snap); err != nil {
				t.Fatalf("delete: %v", err)
			}
			deadline := time.Now().Add(3 * time.Second)
			for {
				got, err = p.GetVolumeSnapshot(ctx, snap)
				if err != nil {
					t.Fatal(err)
				}
				if got.Phase == cloud.SnapshotGone {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("snapshot still %s", got.Status)
				}
				time.Sleep(20 * time.Millisecond)
			}
			if err := p.DeleteVolumeSnapshot(ctx, snap); err != nil {
				t.Errorf("delete of a gone snapshot: %v", err)
			}
		})
	}
}

// TestSnapshotQuotaNamed: Nova's 403 for the snapshot quota says what it
// is about.
func TestSnapshotQuotaNamed(t *testing.T) {
	c := newFake(t, fakecloud.Options{})
	srv := c.AddVolumeBackedServer(fakecloud.Server{}, 1)
	c.InjectFault(fakecloud.Fault{Op: fakecloud.OpCreateImage, Status: 403, Message: "Quota exceeded for resources: snapshots."})
	p := fakeProvider(t, c, c.CloudsYAML("fake"))
	_, err := p.CreateImage(context.Background(), cloud.CreateImageRequest{ServerID: srv.ID, Name: "x", IdempotencyKey: "k"})
	if cloud.ClassOf(err) != cloud.ClassForbidden || !strings.Contains(err.Error(), "volume-snapshot quota") {
		t.Errorf("quota error: %v", err)
	}
}
