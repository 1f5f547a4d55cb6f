package drivertest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
	"github.com/serverimage-operator/serverimage-operator/internal/fakecloud"
)

// CheckChangeFeed holds a driver's ImagesChangedSince to the contract the
// poller relies on, against the simulator: three images just created are
// listed (still on their way to active), oldest change first where the
// cloud sorts by update time (sorted), an image unchanged for an hour is
// not, and it takes one list call.
func CheckChangeFeed(t *testing.T, sim *fakecloud.Cloud, p cloud.Provider, sorted bool) {
	t.Helper()
	ctx := context.Background()
	if !p.Capabilities().ChangeFeed {
		t.Fatal("the driver declares no change feed")
	}
	old := sim.AddImage(fakecloud.Image{Name: "old", Status: "active", UpdatedAt: time.Now().Add(-time.Hour)})
	var ids []string
	for i := range 3 {
		srv := sim.AddServer(fakecloud.Server{})
		key := fmt.Sprintf("1a2b3c4d-0000-4000-8000-%012d", i+1)
		id, err := p.CreateImage(ctx, cloud.CreateImageRequest{ServerID: srv.ID, Name: "web", IdempotencyKey: key})
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
	seen := map[string]cloud.Image{}
	for i, img := range got {
		seen[img.ID] = img
		if sorted && i > 0 && img.UpdatedAt.Before(got[i-1].UpdatedAt) {
			t.Errorf("not oldest change first: %v after %v", img.UpdatedAt, got[i-1].UpdatedAt)
		}
	}
	for _, id := range ids {
		if img, ok := seen[id]; !ok || !img.Phase.InProgress() {
			t.Errorf("image %s: %+v (in the feed %v)", id, img, ok)
		}
	}
	if _, ok := seen[old.ID]; ok {
		t.Error("an image unchanged for an hour is in the feed")
	}
	if n := sim.Calls(fakecloud.OpListImages); n != 1 {
		t.Errorf("ledger %v, want one list call", sim.Ledger())
	}
}
