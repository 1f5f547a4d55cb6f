package huawei

import (
	"context"
	"testing"
	"time"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
	"github.com/serverimage-operator/serverimage-operator/internal/fakecloud"
)

// TestImagesChangedSince: the signed list with owner and updated_at=gte:
// returns the images that changed in the window, and not one unchanged for
// an hour, in one call when they fit a page.
func TestImagesChangedSince(t *testing.T) {
	sim := newSim(t)
	p := newProvider(t, akskConfig(sim))
	ctx := context.Background()
	old := sim.AddImage(fakecloud.Image{Name: "old", Status: "active", UpdatedAt: time.Now().Add(-time.Hour)})
	var ids []string
	for i := range 3 {
		srv := sim.AddServer(fakecloud.Server{})
		id, err := p.CreateImage(ctx, cloud.CreateImageRequest{ServerID: srv.ID, Name: "web", IdempotencyKey: "1a2b3c4d-0000-4000-8000-00000000000" + string(rune('1'+i))})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	sim.ResetLedger()
	got, err := p.ImagesChangedSince(ctx, time.Now().Add(-time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, img := range got {
		seen[img.ID] = true
	}
	for _, id := range ids {
		if !seen[id] {
			t.Errorf("image %s is not in the feed %+v", id, got)
		}
	}
	if seen[old.ID] {
		t.Error("an image unchanged for an hour is in the feed")
	}
	if n := sim.Calls(fakecloud.OpListImages); n != 1 {
		t.Errorf("ledger %v, want one list call", sim.Ledger())
	}
}
