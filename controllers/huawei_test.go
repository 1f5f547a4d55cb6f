package controllers_test

import (
	"testing"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
	"github.com/serverimage-operator/serverimage-operator/internal/fakecloud"
)

func TestHuaweiIAMTokenAuth(t *testing.T) {
	t.Parallel()
	s := newSimScenario(t, fakecloud.Options{}, "hw-iam")
	sim := s.sim
	// Region and IAM endpoint come from clouds.yaml; the project from the
	// token.
	s.CreateCloud(s.cloud, map[string]string{"clouds.yaml": sim.HuaweiCloudsYAML("hw")}, func(c *imagesv1.Cloud) {
		c.Spec.Provider = imagesv1.ProviderHuaweiCloud
		c.Spec.Endpoints = &imagesv1.CloudEndpoints{Compute: sim.HuaweiECSURL(), Image: sim.HuaweiIMSURL()}
	})
	s.WaitCloudReady(s.cloud)
	s.onlyImage(s.readyImage("tok"))
	// One Provider per Cloud: the 24 h token is shared by the Cloud check
	// and the ServerImage, not fetched per call.
	if n := sim.Calls(fakecloud.OpAuth); n != 1 {
		t.Errorf("%d IAM logins, want 1", n)
	}
}
