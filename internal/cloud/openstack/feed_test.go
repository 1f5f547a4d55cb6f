package openstack

import (
	"context"
	"testing"
	"time"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
	"github.com/serverimage-operator/serverimage-operator/internal/fakecloud"
)

// TestImagesChangedSince: one list call returns every image updated at or
// after the time (to the second), oldest change first, and nothing older;
// through Glance and through the Nova proxy.
func TestImagesChangedSince(t *testing.T) {
	c := newFake(t, fakecloud.Options{QueuedFor: time.Hour, SavingFor: time.Hour})
	p := fakeProvider(t, c, c.CloudsYAML("fake"))
	ctx := context.Background()
	if !p.Capabilities().ChangeFeed {
		t.Fatal("Glance polling offers no change feed")
	}
	old := c.AddImage(fakecloud.Image{Name: "old", Status: "active", UpdatedAt: time.Now().Add(-time.Hour)})
	var ids []string
	for range 3 {
		srv := c.AddServer(fakecloud.Server{Name: "web"})
		id, err := p.CreateImage(ctx, cloud.CreateImageRequest{ServerID: srv.ID, Name: "snap", IdempotencyKey: srv.ID})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	c.ResetLedger()
	got, err := p.ImagesChangedSince(ctx, time.Now().Add(-time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]cloud.Image{}
	for i, img := range got {
		seen[img.ID] = img
		if i > 0 && img.UpdatedAt.Before(got[i-1].UpdatedAt) {
			t.Errorf("not oldest change first: %v after %v", img.UpdatedAt, got[i-1].UpdatedAt)
		}
	}
	for _, id := range ids {
		if img, ok := seen[id]; !ok || img.Phase != cloud.PhaseQueued {
			t.Errorf("image %s: %+v (in the feed %v)", id, img, ok)
		}
	}
	if _, ok := seen[old.ID]; ok {
		t.Errorf("an image unchanged for an hour is in the feed")
	}
	if n := c.Calls(fakecloud.OpListImages); n != 1 {
		t.Errorf("ledger %v, want one list call", c.Ledger())
	}

	// The same through the Nova proxy's changes-since.
	nova := fakeProvider(t, c, c.CloudsYAML("fake"), func(cfg *cloud.Config) { cfg.ImagePollAPI = "ComputeImages" })
	if !nova.Capabilities().ChangeFeed {
		t.Fatal("the Nova proxy offers no change feed")
	}
	c.ResetLedger()
	got, err = nova.ImagesChangedSince(ctx, time.Now().Add(-time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	seen = map[string]cloud.Image{}
	for _, img := range got {
		seen[img.ID] = img
	}
	for _, id := range ids {
		if img, ok := seen[id]; !ok || !img.Phase.InProgress() {
			t.Errorf("proxy: image %s: %+v (in the feed %v)", id, img, ok)
		}
	}
	if _, ok := seen[old.ID]; ok {
		t.Errorf("proxy: an image unchanged for an hour is in the feed")
	}
	// (the second Provider's first call also authenticates)
	if n := c.Calls(fakecloud.OpListImages); n != 1 {
		t.Errorf("proxy: ledger %v, want one list call", c.Ledger())
	}
}
