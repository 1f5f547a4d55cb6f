package scp

import (
	"context"
	"testing"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
	"github.com/serverimage-operator/serverimage-operator/internal/cloud/drivertest"
	"github.com/serverimage-operator/serverimage-operator/internal/fakecloud"
)

// TestSimulatorPropertiesAndMembers: visibility and protection through
// PUT /v1/images/{id}, account members that need the image shared, each
// call safe to repeat, and the consumer account accepting.
func TestSimulatorPropertiesAndMembers(t *testing.T) {
	ctx := context.Background()
	sim := drivertest.Sim(t, fakecloud.Options{})
	p := newSimProvider(t, sim)
	img := sim.AddImage(fakecloud.Image{Name: "golden"})
	const account = "a8f10467abfc4b87b64614ab36eb9ae4"

	caps := p.Capabilities().Properties
	if caps.Tags || !caps.Protected || !caps.Sharing || !caps.SharingNeedsShared || caps.CanSetVisibility(cloud.VisibilityCommunity) {
		t.Fatalf("capabilities %+v", caps)
	}
	if err := p.AddMember(ctx, img.ID, account); cloud.ClassOf(err) != cloud.ClassForbidden {
		t.Fatalf("member of a private image: %v, want Forbidden", err)
	}
	yes := true
	for range 2 {
		if err := p.UpdateImageProperties(ctx, img.ID, cloud.PropertyUpdate{Visibility: cloud.VisibilityShared, Protected: &yes}); err != nil {
			t.Fatal(err)
		}
		if err := p.AddMember(ctx, img.ID, account); err != nil {
			t.Fatalf("AddMember (repeated calls are no error): %v", err)
		}
	}
	got, err := p.GetImage(ctx, img.ID)
	if err != nil || got.Visibility != cloud.VisibilityShared || !got.Protected || !got.PropsKnown {
		t.Fatalf("image read back: %+v %v", got, err)
	}
	if err := p.UpdateImageProperties(ctx, img.ID, cloud.PropertyUpdate{AddTags: []string{"x"}}); cloud.ClassOf(err) != cloud.ClassInvalid {
		t.Errorf("tags: %v, want Invalid", err)
	}
	if err := p.DeleteImage(ctx, img.ID); err == nil {
		t.Fatal("a protected image was deleted")
	}
	if err := p.AcceptShare(ctx, img.ID); cloud.ClassOf(err) != cloud.ClassInvalid {
		t.Errorf("accepting without accountId: %v, want Invalid", err)
	}
	consumer := newSimProvider(t, sim, func(c *cloud.Config) { c.Credentials[keyAccountID] = []byte(account) })
	if err := consumer.AcceptShare(ctx, img.ID); err != nil {
		t.Fatalf("AcceptShare: %v", err)
	}
	ms, err := p.ListMembers(ctx, img.ID)
	if err != nil || len(ms) != 1 || ms[0] != (cloud.Member{Project: account, Status: cloud.MemberAccepted}) {
		t.Fatalf("members %v %v", ms, err)
	}
	for range 2 {
		if err := p.RemoveMember(ctx, img.ID, account); err != nil {
			t.Fatalf("RemoveMember: %v", err)
		}
	}
	if err := p.UpdateImageProperties(ctx, img.ID, cloud.PropertyUpdate{Protected: new(bool)}); err != nil {
		t.Fatal(err)
	}
	if err := p.DeleteImage(ctx, img.ID); err != nil {
		t.Fatalf("delete once unprotected: %v", err)
	}
}
