package scp

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
	"github.com/serverimage-operator/serverimage-operator/internal/cloud/drivertest"
	"github.com/serverimage-operator/serverimage-operator/internal/fakecloud"
)

// TestGetImagesReadsBuildsInOneCall: images still being built come from
// one /v1/pending-images call however many there are; an image that left
// the list costs one GET (the read that sees it active); a deleted one is
// absent from the result.
func TestGetImagesReadsBuildsInOneCall(t *testing.T) {
	ctx := context.Background()
	sim := drivertest.Sim(t, fakecloud.Options{QueuedFor: time.Hour})
	p := newSimProvider(t, sim)
	if n := p.Capabilities().ImagesPerCall; n != 0 {
		t.Fatalf("ImagesPerCall %d, want 0 (one list covers any number)", n)
	}
	var ids []string
	for i := range 12 {
		srv := sim.AddServer(fakecloud.Server{})
		key := fmt.Sprintf("3f2a9c1e-0000-4000-8000-%012d", i)
		id, err := p.CreateImage(ctx, cloud.CreateImageRequest{ServerID: srv.ID, Name: fmt.Sprintf("img-%d", i), IdempotencyKey: key})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	sim.SetImageStatus(ids[0], fakecloud.StatusActive)
	if err := p.(cloud.Provider).DeleteImage(ctx, ids[1]); err != nil {
		t.Fatal(err)
	}

	sim.ResetLedger()
	got, err := p.GetImages(ctx, ids)
	if err != nil {
		t.Fatal(err)
	}
	if img, ok := got[ids[0]]; !ok || img.Phase != cloud.PhaseActive {
		t.Errorf("the active image: %+v (present %v)", img, ok)
	}
	if _, ok := got[ids[1]]; ok {
		t.Errorf("the deleted image is in the result")
	}
	for _, id := range ids[2:] {
		if img, ok := got[id]; !ok || !img.Phase.InProgress() {
			t.Errorf("image %s still building: %+v (present %v)", id, img, ok)
		}
	}
	// One list, a GET for each of the two that left it, and the signed
	// list that confirms the deleted one's 404 is real.
	ledger := sim.Ledger()
	if ledger[fakecloud.OpGetImage] != 2 || ledger[fakecloud.OpListImages] > 2 {
		t.Errorf("calls %v: want one pending list (plus one 404 check) and 2 GETs for 12 images", ledger)
	}
}
