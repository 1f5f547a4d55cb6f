package controllers_test

import (
	"strconv"
	"strings"
	"testing"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
	"github.com/serverimage-operator/serverimage-operator/internal/fakecloud"
)

// A public cloud that serves Nova on /v2/{project_id} without
// microversions and answers image status through the compute API: the
// OpenStack provider pinned to 2.1 with imagePollAPI ComputeImages.
func newPublicCloudScenario(t *testing.T) *scenario {
	t.Helper()
	sim := fakecloud.New(fakecloud.Options{})
	t.Cleanup(sim.Close)
	s := &scenario{t: t, sim: sim, ns: newNamespace(t), cloud: "public"}
	s.createCloud("public", sim.CloudsYAML("sim"), func(c *imagesv1.Cloud) {
		c.Spec.ComputeMicroversion = "2.1"
		c.Spec.ImagePollAPI = "ComputeImages"
		c.Spec.Endpoints = &imagesv1.CloudEndpoints{Compute: sim.LegacyComputeURL()}
	})
	s.waitCloudReady("public")
	return s
}

func TestPublicCloudV2ReachesReadyThroughTheComputeImagesAPI(t *testing.T) {
	t.Parallel()
	s := newPublicCloudScenario(t)
	srv := s.sim.AddServer(fakecloud.Server{})
	s.sim.ResetLedger()
	s.serverImage("pub", srv.ID)
	si := s.waitReady("pub")
	imgs := s.sim.Images()
	if len(imgs) != 1 || imgs[0].ID != si.Status.ImageID {
		t.Fatalf("status.imageID %q, simulator images %+v", si.Status.ImageID, imgs)
	}
	// The compute API's images proxy reports ACTIVE, not Glance's active.
	if si.Status.ImageStatus != "ACTIVE" {
		t.Errorf("imageStatus %q, want the compute API's ACTIVE", si.Status.ImageStatus)
	}
	if n := s.sim.Calls(fakecloud.OpCreateImage); n != 1 {
		t.Errorf("createImage called %d times", n)
	}
}

// TestPublicCloudV2DocumentedErrors maps each error the public cloud's
// createImage documents to the condition a user sees.
func TestPublicCloudV2DocumentedErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name       string
		status     int
		message    string
		wantReason string
	}{
		{"400 wrong content type", 400, "There is no such action: None", imagesv1.ReasonInvalidRequest},
		{"400 snapshots disabled", 400, "snapshots is disable in config file", imagesv1.ReasonInvalidRequest},
		{"403 metadata quota", 403, "Quota exceeded for resources: metadata_items", imagesv1.ReasonForbidden},
		{"404 instance", 404, "Instance could not be found", imagesv1.ReasonServerNotFound},
		{"409 vm_state", 409, "Cannot 'createImage' instance while it is in vm_state error", imagesv1.ReasonServerNotReady},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newPublicCloudScenario(t)
			srv := s.sim.AddServer(fakecloud.Server{})
			s.sim.InjectFault(fakecloud.Fault{Op: fakecloud.OpCreateImage, Times: 1 << 20, Status: tc.status, Message: tc.message})
			s.serverImage("err", srv.ID)
			si := s.waitCondition("err", imagesv1.ConditionStalled, tc.wantReason)
			msg := readyOf(si).Message
			if !strings.Contains(msg, tc.message) || !strings.Contains(msg, "HTTP "+itoa(tc.status)) {
				t.Errorf("message %q does not carry the HTTP status and the cloud's message", msg)
			}
			if len(s.sim.Images()) != 0 {
				t.Errorf("an image exists after a failed create")
			}
		})
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
