package openstack

import (
	"testing"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
)

// TestCapabilities: Nova reports task states and refuses createImage with
// the reason (409 busy or in a wrong state, 404 unknown), so the operator
// reads no server before it; the key rides in Glance metadata, and Glance
// lists by ID in batches while the Nova proxy reads one image a call; both
// list what changed since a time.
func TestCapabilities(t *testing.T) {
	for mode, perCall := range map[string]int{pollGlance: batchSize, pollComputeImages: 1} {
		c := (&Provider{s: &settings{pollAPI: mode}}).Capabilities()
		if !c.ServerTasks || !c.CreateChecksServer || !c.ChangeFeed || c.IdempotencyKey != cloud.KeyInMetadata || c.ImagesPerCall != perCall {
			t.Errorf("poll API %s: %+v", mode, c)
		}
	}
}
