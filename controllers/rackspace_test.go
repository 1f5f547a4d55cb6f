package controllers_test

import (
	"strings"
	"testing"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
	"github.com/serverimage-operator/serverimage-operator/internal/fakecloud"
)

// The real Rackspace driver against the simulator's Rackspace dialect
// (Identity v2.0 API key + Cloud Servers v2).

func TestRackspaceCloudReadiness(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name       string
		secret     func(sim *fakecloud.Cloud) map[string]string
		mutate     func(c *imagesv1.Cloud)
		wantReason string // "" means Ready
		wantInMsg  []string
	}{
		{
			name: "password credentials",
			secret: func(sim *fakecloud.Cloud) map[string]string {
				return map[string]string{"username": sim.RackspaceUsername(), "password": sim.RackspacePassword()}
			},
		},
		{
			name:       "region without Cloud Servers",
			secret:     rackspaceSecret,
			mutate:     func(c *imagesv1.Cloud) { c.Spec.Region = "SYD" },
			wantReason: imagesv1.ReasonInvalidConfiguration,
			wantInMsg:  []string{"region SYD", "available: DFW, ORD"},
		},
		{
			name: "no API key in the Secret",
			secret: func(sim *fakecloud.Cloud) map[string]string {
				return map[string]string{"username": sim.RackspaceUsername()}
			},
			wantReason: imagesv1.ReasonInvalidConfiguration,
			wantInMsg:  []string{`"apiKey"`},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := rackspace.startWithout(t, fakecloud.Options{})
			mutate := []func(*imagesv1.Cloud){rackspaceCloud(s.sim)}
			if tc.mutate != nil {
				mutate = append(mutate, tc.mutate)
			}
			s.CreateCloud(s.cloud, tc.secret(s.sim), mutate...)
			if tc.wantReason == "" {
				s.WaitCloudReady(s.cloud)
				return
			}
			cond := s.WaitCloudNotReady(s.cloud, tc.wantReason)
			for _, want := range tc.wantInMsg {
				if !strings.Contains(cond.Message, want) {
					t.Errorf("message %q does not contain %q", cond.Message, want)
				}
			}
		})
	}
}

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
