package rackspace

import (
	"context"
	"testing"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
	"github.com/serverimage-operator/serverimage-operator/internal/cloud/drivertest"
	"github.com/serverimage-operator/serverimage-operator/internal/fakecloud"
)

func TestGetImages(t *testing.T) {
	ctx := context.Background()
	const missing = "5a3b0000-0000-4000-8000-000000000000"
	tests := []struct {
		name      string
		images    int // images asked for (besides missing and duplicates)
		wantLists int
		wantGets  int
	}{
		// A few images: one GET each, the missing one answers 404.
		{name: "few: one GET each", images: 3, wantLists: 0, wantGets: 4},
		// Many: one listing, and a GET only to confirm the missing one.
		{name: "many: one listing", images: 12, wantLists: 1, wantGets: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sim := drivertest.Sim(t, fakecloud.Options{})
			p := newProvider(t, simConfig(sim))
			sim.AddImage(fakecloud.Image{Name: "not asked for"})
			var ids []string
			for range tc.images {
				ids = append(ids, sim.AddImage(fakecloud.Image{Status: fakecloud.StatusSaving}).ID)
			}
			if err := p.Authenticate(ctx); err != nil {
				t.Fatal(err)
			}
			sim.ResetLedger()
			got, err := p.GetImages(ctx, append(ids, missing, ids[0], ""))
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(ids) {
				t.Errorf("got %d images, want %d", len(got), len(ids))
			}
			for _, id := range ids {
				if img, ok := got[id]; !ok || img.ID != id || img.Status != "SAVING" || img.Phase != cloud.PhasePending {
					t.Errorf("image %s: %+v", id, img)
				}
			}
			if _, ok := got[missing]; ok {
				t.Error("a missing image is in the result")
			}
			if n := sim.Calls(fakecloud.OpListImages); n != tc.wantLists {
				t.Errorf("%d list calls, want %d", n, tc.wantLists)
			}
			if n := sim.Calls(fakecloud.OpGetImage); n != tc.wantGets {
				t.Errorf("%d GET calls, want %d", n, tc.wantGets)
			}
		})
	}
}

func TestGetImagesFailsAsAWhole(t *testing.T) {
	sim := drivertest.Sim(t, fakecloud.Options{})
	p := newProvider(t, simConfig(sim))
	var ids []string
	for range minBatch {
		ids = append(ids, sim.AddImage(fakecloud.Image{}).ID)
	}
	sim.InjectFault(fakecloud.Fault{Op: fakecloud.OpListImages, Status: 503})
	_, err := p.GetImages(context.Background(), ids)
	if ce := wantClass(t, err, cloud.ClassTransient); ce.Op != cloud.OpGetImages || ce.HTTPStatus != 503 {
		t.Errorf("got %+v", ce)
	}
}
