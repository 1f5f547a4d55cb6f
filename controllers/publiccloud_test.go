package controllers_test

import (
	"strconv"
	"strings"
	"testing"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
	"github.com/serverimage-operator/serverimage-operator/internal/fakecloud"
)

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
			s := publicCloud.start(t, fakecloud.Options{})
			srv := s.sim.AddServer(fakecloud.Server{})
			s.sim.InjectFault(fakecloud.Fault{Op: fakecloud.OpCreateImage, Times: 1 << 20, Status: tc.status, Message: tc.message})
			s.serverImage("err", srv.ID)
			si := s.WaitCondition("err", imagesv1.ConditionStalled, tc.wantReason)
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
