package openstack

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	tokens3 "github.com/gophercloud/gophercloud/v2/openstack/identity/v3/tokens"

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

// TestBlockStorageFromCatalog: Cinder is found under any of its catalog
// types, the official one first, for the Cloud's region and interface;
// without one, the snapshot calls say why.
func TestBlockStorageFromCatalog(t *testing.T) {
	entry := func(typ, url string) tokens3.CatalogEntry {
		return tokens3.CatalogEntry{Type: typ, Endpoints: []tokens3.Endpoint{
			{Interface: "public", Region: "RegionOne", URL: url},
			{Interface: "public", Region: "RegionTwo", URL: url + "/r2"},
		}}
	}
	p := &Provider{s: &settings{availability: gophercloud.AvailabilityPublic, region: "RegionOne"}}
	s := &session{provider: &gophercloud.ProviderClient{}}
	for _, tc := range []struct {
		name    string
		entries []tokens3.CatalogEntry
		want    string
	}{
		{"block-storage wins", []tokens3.CatalogEntry{entry("volumev3", "http://v3/v3/%(project_id)s"), entry("block-storage", "http://bs/v3/%(project_id)s")}, "http://bs/v3/p1/"},
		{"volumev3", []tokens3.CatalogEntry{entry("volumev3", "http://v3/v3/$(tenant_id)s")}, "http://v3/v3/p1/"},
		{"volumev2 last", []tokens3.CatalogEntry{entry("volumev2", "http://v2/v2/p1")}, "http://v2/v2/p1/"},
		{"none", []tokens3.CatalogEntry{entry("image", "http://glance")}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := p.blockStorage(s, &tokens3.ServiceCatalog{Entries: tc.entries}, "p1")
			switch {
			case tc.want == "" && c != nil:
				t.Errorf("found %s in a catalog without Cinder", c.Endpoint)
			case tc.want != "" && (c == nil || c.Endpoint != tc.want):
				t.Errorf("client %+v, want endpoint %s", c, tc.want)
			}
		})
	}
	p.sess.Store(s)
	_, err := p.volumeClient(context.Background(), cloud.OpGetVolumeSnapshot)
	if cloud.ClassOf(err) != cloud.ClassInvalid || !strings.Contains(err.Error(), "no block-storage") {
		t.Errorf("snapshot call without Cinder: %v", err)
	}
}
