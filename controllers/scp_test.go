package controllers_test

import (
	"testing"

	"k8s.io/apimachinery/pkg/api/meta"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
	"github.com/serverimage-operator/serverimage-operator/internal/fakecloud"
	"github.com/serverimage-operator/serverimage-operator/internal/kubetest"
)

// TestSCPQueuedIsInProgress holds the image in "queued" (the first status
// of every SCP snapshot) while the operator polls it: queued must read as
// in progress, never as a failure. (The rest of the happy path is in the
// provider scenarios.)
func TestSCPQueuedIsInProgress(t *testing.T) {
	t.Parallel()
	s := scp.start(t, fakecloud.Options{})
	srv := s.sim.AddServer(fakecloud.Server{Name: "web-1"})
	s.sim.FreezeImages(true)
	s.serverImage("web", srv.ID)

	si := s.WaitCondition("web", imagesv1.ConditionReconciling, imagesv1.ReasonImageSaving)
	if si.Status.ImageID == "" {
		t.Fatalf("no image ID recorded: %+v", si.Status)
	}
	reads := s.sim.Calls(fakecloud.OpGetImage)
	kubetest.Eventually(t, waitTimeout, "the operator reading the queued image", func() bool {
		return s.sim.Calls(fakecloud.OpGetImage) >= reads+3
	})
	img, _ := s.sim.Image(si.Status.ImageID)
	si = s.ServerImage("web")
	if img.Status != fakecloud.StatusQueued || meta.IsStatusConditionTrue(si.Status.Conditions, imagesv1.ConditionStalled) {
		t.Fatalf("while the image is %s the object is %+v", img.Status, si.Status.Conditions)
	}
	if st := si.Status.ImageStatus; st != "" && st != "queued" {
		t.Errorf("status.imageStatus %q while the cloud says queued", st)
	}

	s.sim.FreezeImages(false)
	s.onlyImage(s.WaitReady("web"))
}
