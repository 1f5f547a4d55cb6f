package scp

import (
	"testing"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
)

// TestCapabilities: SCP servers report states but no task, so no orphan
// can be told from a slow build, and the server is read before a create;
// the key rides on the name, and one pending list covers any number.
func TestCapabilities(t *testing.T) {
	c := (&Provider{s: &settings{}}).Capabilities()
	if c.ServerTasks || c.CreateChecksServer || c.IdempotencyKey != cloud.KeyInName || c.ImagesPerCall != 0 {
		t.Errorf("%+v", c)
	}
}
