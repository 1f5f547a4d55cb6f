package controllers_test

import (
	"testing"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
	"github.com/serverimage-operator/serverimage-operator/internal/fakecloud"
)

// TestRackspaceRegionIsTheCloudsNotTheDefault: the Cloud's region, not
// the user's default one, is where the image is made and deleted.
func TestRackspaceRegionIsTheCloudsNotTheDefault(t *testing.T) {
	t.Parallel()
	s := rackspace.start(t, fakecloud.Options{}, func(c *imagesv1.Cloud) { c.Spec.Region = "ORD" })
	si := s.readyImage("img", deleteWithImage)
	if want := s.sim.RackspaceComputeURL("ORD") + "/images/" + si.Status.ImageID; si.Status.ImageURL != want {
		t.Errorf("imageURL %q, want %q (the Cloud's region ORD)", si.Status.ImageURL, want)
	}
	s.Delete(si)
	s.WaitServerImageGone("img")
	if _, exists := s.sim.Image(si.Status.ImageID); exists {
		t.Errorf("image %s still exists after the ServerImage with deletionPolicy Delete was deleted", si.Status.ImageID)
	}
	s.wantCalls(fakecloud.OpDeleteImage, 1)
}
