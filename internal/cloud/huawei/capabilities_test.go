package huawei

import (
	"testing"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
)

// TestCapabilities: ECS reports Nova's task states and IMS's create says
// why it refuses; the key rides on the name, one image per read.
func TestCapabilities(t *testing.T) {
	c := (&Provider{}).Capabilities()
	if !c.ServerTasks || !c.CreateChecksServer || !c.ChangeFeed || c.IdempotencyKey != cloud.KeyInName || c.ImagesPerCall != 1 {
		t.Errorf("%+v", c)
	}
}
