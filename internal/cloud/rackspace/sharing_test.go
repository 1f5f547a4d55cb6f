package rackspace

import (
	"context"
	"slices"
	"testing"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
	"github.com/serverimage-operator/serverimage-operator/internal/cloud/drivertest"
	"github.com/serverimage-operator/serverimage-operator/internal/fakecloud"
)

// TestSimulatorPropertiesAndMembers drives the Cloud Images calls against
// the simulator: members go on a private image, every step is safe to
// repeat, and GetImage returns the properties only when asked.
func TestSimulatorPropertiesAndMembers(t *testing.T) {
	ctx := context.Background()
	sim := drivertest.Sim(t, fakecloud.Options{})
	p := newProvider(t, simConfig(sim))
	img := sim.AddImage(fakecloud.Image{Name: "golden"})
	const consumer = "654321"

	caps := p.Capabilities().Properties
	if !caps.Tags || !caps.Protected || !caps.Sharing || caps.SharingNeedsShared || !caps.PropsNeedImageRead ||
		caps.CanSetVisibility(cloud.VisibilityShared) || !caps.CanSetVisibility(cloud.VisibilityPrivate) {
		t.Fatalf("capabilities %+v", caps)
	}
	yes := true
	u := cloud.PropertyUpdate{AddTags: []string{"golden", "nightly"}, Protected: &yes, Visibility: cloud.VisibilityPrivate}
	for range 2 {
		if err := p.UpdateImageProperties(ctx, img.ID, u); err != nil {
			t.Fatalf("UpdateImageProperties: %v", err)
		}
		if err := p.AddMember(ctx, img.ID, consumer); err != nil {
			t.Fatalf("AddMember on a private image (repeated calls are no error): %v", err)
		}
	}
	got, err := p.GetImage(cloud.WithImageProps(ctx), img.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !got.PropsKnown || !slices.Equal(got.Tags, []string{"golden", "nightly"}) || !got.Protected || got.Visibility != cloud.VisibilityPrivate || got.Phase != cloud.PhaseActive {
		t.Fatalf("image with properties: %+v", got)
	}
	if plain, err := p.GetImage(ctx, img.ID); err != nil || plain.PropsKnown {
		t.Fatalf("the poll read carries properties (%+v, %v): it should not need Cloud Images", plain, err)
	}
	ms, err := p.ListMembers(ctx, img.ID)
	if err != nil || len(ms) != 1 || ms[0] != (cloud.Member{Project: consumer, Status: cloud.MemberPending}) {
		t.Fatalf("ListMembers = %+v, %v", ms, err)
	}
	// The owner may not answer for the consumer (403): the call reaches
	// the member, as the consumer's own would.
	wantClass(t, p.AcceptShare(ctx, img.ID), cloud.ClassForbidden)
	// Cloud Images has no shared visibility.
	wantClass(t, p.UpdateImageProperties(ctx, img.ID, cloud.PropertyUpdate{Visibility: cloud.VisibilityShared}), cloud.ClassInvalid)
	if err := p.DeleteImage(ctx, img.ID); err == nil {
		t.Fatal("a protected image was deleted")
	}

	no := false
	for range 2 {
		if err := p.UpdateImageProperties(ctx, img.ID, cloud.PropertyUpdate{RemoveTags: []string{"nightly"}, Protected: &no}); err != nil {
			t.Fatalf("UpdateImageProperties (remove): %v", err)
		}
		if err := p.RemoveMember(ctx, img.ID, consumer); err != nil {
			t.Fatalf("RemoveMember (a member already gone is no error): %v", err)
		}
	}
	after, _ := sim.Image(img.ID)
	if !slices.Equal(after.Tags, []string{"golden"}) || after.Protected || len(after.Members) != 0 {
		t.Fatalf("simulator image after removal: %+v", after.ImageProps)
	}
	if err := p.DeleteImage(ctx, img.ID); err != nil {
		t.Fatalf("DeleteImage after unprotecting: %v", err)
	}
}
