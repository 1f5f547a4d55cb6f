package controllers_test

import (
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
	"github.com/serverimage-operator/serverimage-operator/internal/fakecloud"
)

// TestServerWithTaskStateWaitsBeforeCreating: Nova's createImage refuses a
// server with a task (409 naming it), so the operator reads no server
// first: the refusal shows as ServerBusy, no image exists while the server
// is busy, and exactly one once it is idle.
func TestServerWithTaskStateWaitsBeforeCreating(t *testing.T) {
	t.Parallel()
	s := newScenario(t, fakecloud.Options{})
	srv := s.sim.AddServer(fakecloud.Server{TaskState: "resize_prep"})
	s.serverImage("wait", srv.ID)
	si := s.WaitCondition("wait", imagesv1.ConditionReconciling, imagesv1.ReasonServerBusy)
	if c := readyOf(si); c == nil || !contains(c.Message, "409") || !contains(c.Message, "resize_prep") {
		t.Errorf("Ready condition does not carry the cloud's refusal: %+v", c)
	}
	if n := len(s.sim.Images()); n != 0 {
		t.Fatalf("%d images exist while the server is busy", n)
	}
	srv.TaskState = ""
	s.sim.SetServer(srv)
	s.WaitReady("wait")
	if n := len(s.sim.Images()); n != 1 {
		t.Errorf("%d images, want exactly one", n)
	}
	if n := s.sim.Calls(fakecloud.OpGetServer); n != 0 {
		t.Errorf("the server was read %d times; Nova's createImage answers the same question", n)
	}
}

func TestUnknownServerStalls(t *testing.T) {
	t.Parallel()
	s := newScenario(t, fakecloud.Options{})
	const missing = "0b6e5c1f-9d0a-4c55-9a53-1f3b2f0e7a10"
	s.serverImage("ghost", missing)
	si := s.WaitCondition("ghost", imagesv1.ConditionStalled, imagesv1.ReasonServerNotFound)
	if c := readyOf(si); c == nil || c.Status != metav1.ConditionFalse || !contains(c.Message, missing) || !contains(c.Message, "404") {
		t.Errorf("Ready condition does not name the server and the status: %+v", c)
	}
	s.WaitEvent("ghost", "Warning", imagesv1.ReasonServerNotFound)
	// Nova's createImage answers 404 for a missing server: that one call
	// is the check, and a 404 is not retried.
	if n := s.sim.Calls(fakecloud.OpCreateImage); n != 1 {
		t.Errorf("createImage called %d times for a missing server, want exactly 1", n)
	}
	if n := s.sim.Calls(fakecloud.OpGetServer); n != 0 {
		t.Errorf("the server was read %d times before the create", n)
	}
	if n := len(s.sim.Images()); n != 0 {
		t.Errorf("%d images exist for a missing server", n)
	}
}

func TestImportAdoptsAnExistingImage(t *testing.T) {
	t.Parallel()
	s := newScenario(t, fakecloud.Options{})
	existing := s.sim.AddImage(fakecloud.Image{Name: "golden", Status: "active"})
	s.serverImage("imported", "", func(si *imagesv1.ServerImage) {
		si.Spec.Import = &imagesv1.ImageImport{ImageID: existing.ID}
	})
	si := s.WaitReady("imported")
	if si.Status.ImageID != existing.ID || si.Status.ImageName != "golden" {
		t.Errorf("imported status %+v", si.Status)
	}
	if n := s.sim.Calls(fakecloud.OpCreateImage); n != 0 {
		t.Errorf("import created %d images", n)
	}

	s.serverImage("missing", "", func(si *imagesv1.ServerImage) {
		si.Spec.Import = &imagesv1.ImageImport{ImageID: "5d3c6e43-0000-4000-8000-000000000000"}
	})
	s.WaitCondition("missing", imagesv1.ConditionStalled, imagesv1.ReasonImageNotFound)
}

func TestTimeoutStalls(t *testing.T) {
	t.Parallel()
	s := newScenario(t, fakecloud.Options{})
	srv := s.sim.AddServer(fakecloud.Server{})
	s.sim.FreezeImages(true)
	s.serverImage("slow", srv.ID, func(si *imagesv1.ServerImage) {
		si.Spec.Timeout = &metav1.Duration{Duration: 2 * time.Second}
	})
	si := s.WaitCondition("slow", imagesv1.ConditionStalled, imagesv1.ReasonTimeout)
	if c := readyOf(si); !contains(c.Message, si.Status.ImageID) || !contains(c.Message, "spec.timeout") {
		t.Errorf("timeout message %q", c.Message)
	}
}

func TestImageDeletedOutOfBandAfterReady(t *testing.T) {
	t.Parallel()
	s := newScenario(t, fakecloud.Options{})
	srv := s.sim.AddServer(fakecloud.Server{})
	s.serverImage("drift", srv.ID)
	si := s.WaitReady("drift")
	s.sim.RemoveImage(si.Status.ImageID)
	s.WaitCondition("drift", imagesv1.ConditionStalled, imagesv1.ReasonImageMissing)
	if n := s.sim.Calls(fakecloud.OpCreateImage); n != 1 {
		t.Errorf("createImage called %d times: a missing image must not be re-created silently", n)
	}
}
