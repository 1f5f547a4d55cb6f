package controllers_test

import (
	"context"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
	"github.com/serverimage-operator/serverimage-operator/internal/fakecloud"
)

func TestHappyPathReachesReadyWithTheCloudsImageID(t *testing.T) {
	t.Parallel()
	s := newScenario(t, fakecloud.Options{})
	srv := s.sim.AddServer(fakecloud.Server{Name: "web-1"})
	s.serverImage("web", srv.ID, func(si *imagesv1.ServerImage) {
		si.Spec.ImageName = "web-golden"
		si.Spec.Metadata = map[string]imagesv1.MetadataValue{"ImageType": "Gold"}
	})

	si := s.waitReady("web")
	imgs := s.sim.Images()
	if len(imgs) != 1 {
		t.Fatalf("simulator has %d images, want 1", len(imgs))
	}
	img := imgs[0]
	if si.Status.ImageID != img.ID {
		t.Errorf("status.imageID = %q, simulator image = %q", si.Status.ImageID, img.ID)
	}
	if img.Name != "web-golden" || img.Properties["ImageType"] != "Gold" || img.Properties["serverimage_uid"] != string(si.UID) {
		t.Errorf("image created with name %q properties %v", img.Name, img.Properties)
	}
	if si.Status.ImageStatus != "active" || si.Status.ActivatedTime == nil || si.Status.CreateRequestedTime == nil {
		t.Errorf("status not complete: %+v", si.Status)
	}
	if si.Status.SizeBytes == nil || si.Status.Checksum == "" {
		t.Errorf("size/checksum not recorded: %+v", si.Status)
	}
	if si.Status.ObservedGeneration != si.Generation {
		t.Errorf("observedGeneration %d, generation %d", si.Status.ObservedGeneration, si.Generation)
	}
	for _, c := range si.Status.Conditions {
		if c.ObservedGeneration != si.Generation {
			t.Errorf("condition %s observedGeneration %d", c.Type, c.ObservedGeneration)
		}
	}
	if n := s.sim.Calls(fakecloud.OpCreateImage); n != 1 {
		t.Errorf("createImage called %d times, want 1", n)
	}
	s.waitEvent("web", "Normal", imagesv1.ReasonImageSaving)
	s.waitEvent("web", "Normal", imagesv1.ReasonImageActive)
}

func TestBusyServerIsAWaitNotAFailure(t *testing.T) {
	t.Parallel()
	s := newScenario(t, fakecloud.Options{})
	srv := s.sim.AddServer(fakecloud.Server{})
	// Busy twice at create time (a 409 the pre-check could not see), then
	// idle.
	s.sim.InjectFault(fakecloud.Fault{Op: fakecloud.OpCreateImage, Times: 2, Status: 409,
		Message: "Cannot 'createImage' instance " + srv.ID + " while it is in task_state image_uploading"})
	s.serverImage("busy", srv.ID)

	note := s.waitEvent("busy", "Warning", imagesv1.ReasonServerBusy)
	if !contains(note, "409") || !contains(note, "task_state image_uploading") {
		t.Errorf("busy event does not carry the HTTP status and the cloud's message: %q", note)
	}
	s.waitReady("busy")
	if n := len(s.sim.Images()); n != 1 {
		t.Errorf("simulator has %d images, want 1", n)
	}
}

func TestServerWithTaskStateWaitsBeforeCreating(t *testing.T) {
	t.Parallel()
	s := newScenario(t, fakecloud.Options{})
	srv := s.sim.AddServer(fakecloud.Server{TaskState: "resize_prep"})
	s.serverImage("wait", srv.ID)
	s.waitCondition("wait", imagesv1.ConditionReconciling, imagesv1.ReasonServerBusy)
	if n := s.sim.Calls(fakecloud.OpCreateImage); n != 0 {
		t.Fatalf("createImage called %d times on a busy server", n)
	}
	srv.TaskState = ""
	s.sim.SetServer(srv)
	s.waitReady("wait")
}

func TestUnknownServerStalls(t *testing.T) {
	t.Parallel()
	s := newScenario(t, fakecloud.Options{})
	const missing = "0b6e5c1f-9d0a-4c55-9a53-1f3b2f0e7a10"
	s.serverImage("ghost", missing)
	si := s.waitCondition("ghost", imagesv1.ConditionStalled, imagesv1.ReasonServerNotFound)
	if c := readyOf(si); c == nil || c.Status != metav1.ConditionFalse || !contains(c.Message, missing) || !contains(c.Message, "404") {
		t.Errorf("Ready condition does not name the server and the status: %+v", c)
	}
	s.waitEvent("ghost", "Warning", imagesv1.ReasonServerNotFound)
	if n := s.sim.Calls(fakecloud.OpCreateImage); n != 0 {
		t.Errorf("createImage called %d times for a missing server", n)
	}
}

func TestFailedImagesStall(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		fail    func(s *scenario, serverID string)
		message string
	}{
		{
			name:    "snapshot fails and the cloud deletes the image",
			fail:    func(s *scenario, serverID string) { s.sim.FailNextSnapshot(serverID) },
			message: "disappeared while it was being built",
		},
		{
			name: "image killed",
			fail: func(s *scenario, serverID string) {
				// Kill the image as soon as it exists.
				go func() {
					for i := 0; i < 400; i++ {
						for _, img := range s.sim.Images() {
							s.sim.SetImageStatus(img.ID, "killed")
							return
						}
						time.Sleep(5 * time.Millisecond)
					}
				}()
			},
			message: "killed",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newScenario(t, fakecloud.Options{QueuedFor: 500 * time.Millisecond, SavingFor: time.Second})
			srv := s.sim.AddServer(fakecloud.Server{})
			tc.fail(s, srv.ID)
			s.serverImage("doomed", srv.ID)
			si := s.waitCondition("doomed", imagesv1.ConditionStalled, imagesv1.ReasonImageFailed)
			if c := readyOf(si); !contains(c.Message, tc.message) {
				t.Errorf("Ready message %q does not say %q", c.Message, tc.message)
			}
			s.waitEvent("doomed", "Warning", imagesv1.ReasonImageFailed)
		})
	}
}

func TestDroppedCreateResponseYieldsExactlyOneImage(t *testing.T) {
	t.Parallel()
	s := newScenario(t, fakecloud.Options{})
	srv := s.sim.AddServer(fakecloud.Server{})
	s.sim.InjectFault(fakecloud.Fault{Op: fakecloud.OpCreateImage, DropResponse: true})
	s.serverImage("lost", srv.ID)

	si := s.waitReady("lost")
	imgs := s.imagesWithKey(string(si.UID))
	if len(imgs) != 1 || len(s.sim.Images()) != 1 {
		t.Fatalf("want exactly one image, simulator has %d (%d with this object's key)", len(s.sim.Images()), len(imgs))
	}
	if imgs[0].ID != si.Status.ImageID {
		t.Errorf("status.imageID %q is not the image the cloud created (%q)", si.Status.ImageID, imgs[0].ID)
	}
	if n := s.sim.Calls(fakecloud.OpCreateImage); n != 1 {
		t.Errorf("createImage reached the cloud %d times, want 1", n)
	}
	s.waitEvent("lost", "Normal", "Adopted")
}

func TestTokenExpiryMidWaitReauthenticates(t *testing.T) {
	t.Parallel()
	s := newScenario(t, fakecloud.Options{})
	srv := s.sim.AddServer(fakecloud.Server{})
	s.sim.FreezeImages(true)
	s.serverImage("long", srv.ID)
	s.waitCondition("long", imagesv1.ConditionReconciling, imagesv1.ReasonImageSaving)

	auths := s.sim.Calls(fakecloud.OpAuth)
	s.sim.ExpireTokens()
	s.sim.FreezeImages(false)
	s.waitReady("long")
	if s.sim.Calls(fakecloud.OpAuth) <= auths {
		t.Errorf("no re-authentication after the token expired")
	}
}

func TestDeletionPolicy(t *testing.T) {
	t.Parallel()
	cases := []struct {
		policy    imagesv1.DeletionPolicy
		wantImage bool
	}{
		{imagesv1.DeletionPolicyDelete, false},
		{imagesv1.DeletionPolicyRetain, true},
		{"", true}, // Retain is the default
	}
	for _, tc := range cases {
		t.Run("policy="+string(tc.policy), func(t *testing.T) {
			t.Parallel()
			s := newScenario(t, fakecloud.Options{})
			srv := s.sim.AddServer(fakecloud.Server{})
			s.serverImage("img", srv.ID, func(si *imagesv1.ServerImage) { si.Spec.DeletionPolicy = tc.policy })
			si := s.waitReady("img")
			if err := k8s.Delete(context.Background(), si); err != nil {
				t.Fatal(err)
			}
			s.waitGone("img")
			_, exists := s.sim.Image(si.Status.ImageID)
			if exists != tc.wantImage {
				t.Errorf("image exists after delete = %v, want %v", exists, tc.wantImage)
			}
		})
	}
}

func TestImportAdoptsAnExistingImage(t *testing.T) {
	t.Parallel()
	s := newScenario(t, fakecloud.Options{})
	existing := s.sim.AddImage(fakecloud.Image{Name: "golden", Status: "active"})
	s.serverImage("imported", "", func(si *imagesv1.ServerImage) {
		si.Spec.Import = &imagesv1.ImageImport{ImageID: existing.ID}
	})
	si := s.waitReady("imported")
	if si.Status.ImageID != existing.ID || si.Status.ImageName != "golden" {
		t.Errorf("imported status %+v", si.Status)
	}
	if n := s.sim.Calls(fakecloud.OpCreateImage); n != 0 {
		t.Errorf("import created %d images", n)
	}

	s.serverImage("missing", "", func(si *imagesv1.ServerImage) {
		si.Spec.Import = &imagesv1.ImageImport{ImageID: "5d3c6e43-0000-4000-8000-000000000000"}
	})
	s.waitCondition("missing", imagesv1.ConditionStalled, imagesv1.ReasonImageNotFound)
}

func TestTimeoutStalls(t *testing.T) {
	t.Parallel()
	s := newScenario(t, fakecloud.Options{})
	srv := s.sim.AddServer(fakecloud.Server{})
	s.sim.FreezeImages(true)
	s.serverImage("slow", srv.ID, func(si *imagesv1.ServerImage) {
		si.Spec.Timeout = &metav1.Duration{Duration: 2 * time.Second}
	})
	si := s.waitCondition("slow", imagesv1.ConditionStalled, imagesv1.ReasonTimeout)
	if c := readyOf(si); !contains(c.Message, si.Status.ImageID) || !contains(c.Message, "spec.timeout") {
		t.Errorf("timeout message %q", c.Message)
	}
}

func TestImageDeletedOutOfBandAfterReady(t *testing.T) {
	t.Parallel()
	s := newScenario(t, fakecloud.Options{})
	srv := s.sim.AddServer(fakecloud.Server{})
	s.serverImage("drift", srv.ID)
	si := s.waitReady("drift")
	s.sim.RemoveImage(si.Status.ImageID)
	s.waitCondition("drift", imagesv1.ConditionStalled, imagesv1.ReasonImageMissing)
	if n := s.sim.Calls(fakecloud.OpCreateImage); n != 1 {
		t.Errorf("createImage called %d times: a missing image must not be re-created silently", n)
	}
}
