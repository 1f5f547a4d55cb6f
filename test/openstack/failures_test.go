//go:build openstack

package openstack

import (
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/util/uuid"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
	"github.com/serverimage-operator/serverimage-operator/internal/kubetest"
)

// TestUnknownServer: a server Nova does not know stalls the object with
// Nova's own message ("Instance <id> could not be found.").
func TestUnknownServer(t *testing.T) {
	t.Parallel()
	s := newScenario(t)
	s.createCloud("cloud", passwordEntry)
	missing := string(uuid.NewUUID())
	s.CreateServerImage("ghost", "cloud", missing)
	si := s.WaitCondition("ghost", imagesv1.ConditionStalled, imagesv1.ReasonServerNotFound)
	ready := readyOf(si)
	if ready == nil || ready.Status != "False" {
		t.Fatalf("Ready = %+v, want False", ready)
	}
	stalled := kubetest.Condition(si.Status.Conditions, imagesv1.ConditionStalled)
	if !strings.Contains(stalled.Message, "Instance "+missing+" could not be found") {
		t.Errorf("Stalled message %q does not carry Nova's message \"Instance %s could not be found.\"", stalled.Message, missing)
	}
	if si.Status.ImageID != "" {
		t.Errorf("status.imageID = %q for a server that does not exist", si.Status.ImageID)
	}
}

// TestFailingSnapshot: the hypervisor fails the snapshot after Nova
// accepted it. Nova then deletes the Glance image (GET answers 404): the
// object stalls with ImageFailed and a Warning Event says why.
func TestFailingSnapshot(t *testing.T) {
	t.Parallel()
	s := newScenario(t)
	s.createCloud("cloud", passwordEntry)
	serverID := cloud.bootServer(t)
	// The failure comes after 3 s, so the operator sees the image first.
	setSwitch(t, "upload-seconds", serverID, "3")
	setSwitch(t, "fail-next", serverID, "")
	s.CreateServerImage("doomed", "cloud", serverID)
	saving := s.WaitServerImage("doomed", "image ID recorded", func(si *imagesv1.ServerImage) bool { return si.Status.ImageID != "" })
	si := s.WaitCondition("doomed", imagesv1.ConditionStalled, imagesv1.ReasonImageFailed)

	if switchExists("fail-next", serverID) {
		t.Fatal("the fail-next switch is still there: the snapshot did not run through the fake hypervisor")
	}
	if si.Status.ImageID != saving.Status.ImageID {
		t.Errorf("status.imageID changed from %s to %s", saving.Status.ImageID, si.Status.ImageID)
	}
	if _, found := cloud.getImage(t, si.Status.ImageID); found {
		t.Errorf("image %s still exists in Glance; Nova deletes the image of a failed snapshot", si.Status.ImageID)
	}
	if r := readyOf(si); r == nil || r.Status != "False" || r.Reason != imagesv1.ReasonImageFailed {
		t.Errorf("Ready = %+v, want False/ImageFailed", r)
	}
	var warning string
	s.Until(t, "a Warning Event about doomed", func() bool {
		for _, e := range s.Events("doomed") {
			if e.Type == "Warning" {
				warning = e.Reason + ": " + e.Note
				return true
			}
		}
		return false
	})
	t.Logf("Stalled: %s; Event %s", kubetest.Condition(si.Status.Conditions, imagesv1.ConditionStalled).Message, warning)
	// No second attempt: a failed image needs a person.
	if n := len(cloud.imagesOfServer(t, serverID)); n != 0 {
		t.Errorf("Glance has %d images of the server after the failure, want 0 (no retry)", n)
	}
}
