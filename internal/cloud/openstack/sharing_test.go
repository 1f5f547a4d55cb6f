package openstack

import (
	"context"
	"slices"
	"testing"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
	"github.com/serverimage-operator/serverimage-operator/internal/fakecloud"
)

// TestImagePropertiesAndMembers drives the Glance property and member
// calls against the simulator: every step is safe to repeat, and the
// batched read returns what was set.
func TestImagePropertiesAndMembers(t *testing.T) {
	ctx := context.Background()
	c := newFake(t, fakecloud.Options{})
	p := fakeProvider(t, c, c.CloudsYAML("fake"))
	img := c.AddImage(fakecloud.Image{Name: "golden"})
	const consumer = "0f0e0d0c0b0a09080706050403020100"

	if caps := p.Capabilities().Properties; !caps.Tags || !caps.Protected || !caps.Sharing || !caps.SharingNeedsShared || !caps.CanSetVisibility(cloud.VisibilityShared) || caps.CanSetVisibility(cloud.VisibilityPublic) {
		t.Fatalf("capabilities %+v", caps)
	}
	if err := p.AddMember(ctx, img.ID, consumer); cloud.ClassOf(err) != cloud.ClassForbidden {
		t.Fatalf("member on a private image: %v, want Forbidden", err)
	}
	yes := true
	u := cloud.PropertyUpdate{AddTags: []string{"golden", "nightly"}, Visibility: cloud.VisibilityShared, Protected: &yes}
	for range 2 {
		if err := p.UpdateImageProperties(ctx, img.ID, u); err != nil {
			t.Fatalf("UpdateImageProperties: %v", err)
		}
		if err := p.AddMember(ctx, img.ID, consumer); err != nil {
			t.Fatalf("AddMember (repeated calls are no error): %v", err)
		}
	}
	got, err := p.GetImages(ctx, []string{img.ID})
	if err != nil {
		t.Fatal(err)
	}
	g := got[img.ID]
	if !g.PropsKnown || g.Visibility != cloud.VisibilityShared || !g.Protected || !slices.Equal(g.Tags, []string{"golden", "nightly"}) {
		t.Fatalf("batched read: %+v", g.ImageProps)
	}
	ms, err := p.ListMembers(ctx, img.ID)
	if err != nil || len(ms) != 1 || ms[0] != (cloud.Member{Project: consumer, Status: cloud.MemberPending}) {
		t.Fatalf("ListMembers: %v %v", ms, err)
	}
	if err := p.DeleteImage(ctx, img.ID); cloud.ClassOf(err) != cloud.ClassForbidden {
		t.Fatalf("delete of a protected image: %v, want Forbidden", err)
	}
	if err := p.AcceptShare(ctx, img.ID); cloud.ClassOf(err) != cloud.ClassForbidden {
		t.Fatalf("the owner accepting: %v, want Forbidden", err)
	}
	for range 2 {
		if err := p.RemoveMember(ctx, img.ID, consumer); err != nil {
			t.Fatalf("RemoveMember: %v", err)
		}
		if err := p.UpdateImageProperties(ctx, img.ID, cloud.PropertyUpdate{RemoveTags: []string{"nightly"}, Protected: new(bool)}); err != nil {
			t.Fatalf("remove tag, unprotect: %v", err)
		}
	}
	if err := p.UpdateImageProperties(ctx, img.ID, cloud.PropertyUpdate{Visibility: cloud.VisibilityPublic}); cloud.ClassOf(err) != cloud.ClassForbidden {
		t.Errorf("public: %v, want Forbidden", err)
	}
	if err := p.DeleteImage(ctx, img.ID); err != nil {
		t.Fatalf("delete once unprotected: %v", err)
	}
}

// TestAcceptShare: the consumer's Provider accepts an image shared with
// its project.
func TestAcceptShare(t *testing.T) {
	ctx := context.Background()
	c := newFake(t, fakecloud.Options{})
	p := fakeProvider(t, c, c.CloudsYAML("fake"))
	img := c.AddImage(fakecloud.Image{Owner: "producer", ImageProps: fakecloud.ImageProps{Visibility: "shared", Members: map[string]string{c.ProjectID(): "pending"}}})
	for range 2 {
		if err := p.AcceptShare(ctx, img.ID); err != nil {
			t.Fatalf("AcceptShare: %v", err)
		}
	}
	if got, _ := c.Image(img.ID); got.Members[c.ProjectID()] != "accepted" {
		t.Errorf("members %v", got.Members)
	}
}

// TestNoPropertiesThroughTheNovaProxy: the Nova images proxy keeps none.
func TestNoPropertiesThroughTheNovaProxy(t *testing.T) {
	c := newFake(t, fakecloud.Options{})
	p := fakeProvider(t, c, c.CloudsYAML("fake"), func(cfg *cloud.Config) { cfg.ImagePollAPI = "ComputeImages" })
	if caps := p.Capabilities().Properties; caps.Tags || caps.Sharing || len(caps.Visibilities) > 0 {
		t.Errorf("capabilities through the Nova proxy: %+v", caps)
	}
}
