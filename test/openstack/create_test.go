//go:build openstack

package openstack

import (
	"encoding/json"
	"strings"
	"testing"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
)

// TestCreateImage: a ServerImage reaches Ready with the image ID Glance
// reports, whether the operator negotiates the microversion (Nova 26 offers
// 2.45: the ID comes in the body) or the Cloud pins 2.1 (the ID comes only
// in the Location header, which Nova builds from the catalog's Glance URL:
// http://127.0.0.1:9292//images/<id>, double slash included).
func TestCreateImage(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, pin, wantHeader string
	}{
		{name: "negotiated", pin: "", wantHeader: "compute 2.45"},
		{name: "pinned-2.1", pin: "2.1", wantHeader: "compute 2.1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newScenario(t)
			rec := newRecorder(t)
			s.createCloud("cloud", passwordEntry, func(c *imagesv1.Cloud) {
				c.Spec.ComputeMicroversion = tc.pin
				c.Spec.Endpoints = &imagesv1.CloudEndpoints{Compute: rec.URL}
			})
			serverID := cloud.bootServer(t)
			setSwitch(t, "upload-seconds", serverID, "2")
			s.CreateServerImage("golden", "cloud", serverID, func(si *imagesv1.ServerImage) {
				si.Spec.ImageName = "e2e golden " + tc.name
				si.Spec.Metadata = map[string]imagesv1.MetadataValue{"ImageType": "Gold"}
			})
			si := s.WaitReady("golden")

			imgs := cloud.imagesOfServer(t, serverID)
			if len(imgs) != 1 {
				t.Fatalf("Glance has %d images of the server, want 1: %+v", len(imgs), imgs)
			}
			img := imgs[0]
			if si.Status.ImageID != img.ID {
				t.Errorf("status.imageID = %q, Glance's image is %q", si.Status.ImageID, img.ID)
			}
			if img.Status != "active" || si.Status.ImageStatus != "active" {
				t.Errorf("image status: Glance %q, status.imageStatus %q; want active", img.Status, si.Status.ImageStatus)
			}
			if img.Name != "e2e golden "+tc.name || img.Gold != "Gold" || img.IdempotencyKey != string(si.UID) {
				t.Errorf("Glance image name %q, ImageType %q, serverimage_uid %q; want the spec's name, Gold and the object's UID %s",
					img.Name, img.Gold, img.IdempotencyKey, si.UID)
			}
			if img.ImageType != "snapshot" {
				t.Errorf("image_type = %q, want snapshot (Nova sets it)", img.ImageType)
			}
			if si.Status.SizeBytes == nil || img.Size == nil || *si.Status.SizeBytes != *img.Size {
				t.Errorf("status.sizeBytes = %v, Glance size %v", si.Status.SizeBytes, img.Size)
			}
			if si.Status.Checksum != img.Checksum {
				t.Errorf("status.checksum = %q, Glance checksum %q", si.Status.Checksum, img.Checksum)
			}

			calls := rec.createImageCalls(serverID)
			if len(calls) != 1 || calls[0].Status != 202 {
				t.Fatalf("createImage calls = %+v, want exactly one, answered 202", calls)
			}
			c := calls[0]
			if c.Microversion != tc.wantHeader {
				t.Errorf("createImage sent OpenStack-API-Version %q, want %q", c.Microversion, tc.wantHeader)
			}
			if tc.pin == "" {
				var body struct {
					ImageID string `json:"image_id"`
				}
				if err := json.Unmarshal([]byte(c.Body), &body); err != nil || body.ImageID != img.ID || c.Location != "" {
					t.Errorf("at 2.45 Nova should answer {\"image_id\": %q} and no Location; got body %q, Location %q", img.ID, c.Body, c.Location)
				}
			} else {
				if !strings.HasSuffix(c.Location, "//images/"+img.ID) || strings.TrimSpace(c.Body) != "" {
					t.Errorf("at 2.1 Nova should answer an empty body and Location .../9292//images/%s; got body %q, Location %q", img.ID, c.Body, c.Location)
				}
			}
			t.Logf("image %s active, %d bytes; createImage %s -> %d, Location %q, body %q",
				img.ID, *img.Size, c.Microversion, c.Status, c.Location, c.Body)
		})
	}
}
