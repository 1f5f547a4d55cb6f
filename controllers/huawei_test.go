package controllers_test

import (
	"strings"
	"testing"
	"time"

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
	srv := sim.AddServer(fakecloud.Server{})
	s.serverImage("tok", srv.ID)
	s.onlyImage(s.WaitReady("tok"))
	// One Provider per Cloud: the 24 h token is shared by the Cloud check
	// and the ServerImage, not fetched per call.
	if n := sim.Calls(fakecloud.OpAuth); n != 1 {
		t.Errorf("%d IAM logins, want 1", n)
	}
}

func TestHuaweiImageNameTooLongStallsWithoutCreating(t *testing.T) {
	t.Parallel()
	s := huawei.start(t, fakecloud.Options{})
	srv := s.sim.AddServer(fakecloud.Server{})
	s.serverImage("long", srv.ID, func(si *imagesv1.ServerImage) { si.Spec.ImageName = strings.Repeat("n", 240) })

	si := s.WaitCondition("long", imagesv1.ConditionStalled, imagesv1.ReasonInvalidRequest)
	if c := readyOf(si); !contains(c.Message, "shorter than 243 bytes") || !contains(c.Message, "at most 233 bytes") {
		t.Errorf("Ready message %q does not explain the limit", c.Message)
	}
	// Give the operator time for a retry it must not make.
	time.Sleep(500 * time.Millisecond)
	if n := s.sim.Calls(fakecloud.OpCreateImage); n != 0 {
		t.Errorf("createImage called %d times for a name the cloud would refuse", n)
	}
}
