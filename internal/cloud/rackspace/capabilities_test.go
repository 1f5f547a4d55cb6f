package rackspace

import (
	"testing"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
)

// TestCapabilities: servers report Nova's task states, so orphans can be
// told, but the create's refusal is not relied on to say why, so the
// server is read first; one listing covers any number of images.
func TestCapabilities(t *testing.T) {
	c := (&Provider{}).Capabilities()
	if !c.ServerTasks || c.CreateChecksServer || c.IdempotencyKey != cloud.KeyInMetadata || c.ImagesPerCall != 0 {
		t.Errorf("%+v", c)
	}
}
