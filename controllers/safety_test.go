package controllers_test

import (
	"context"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
	"github.com/serverimage-operator/serverimage-operator/internal/fakecloud"
	"github.com/serverimage-operator/serverimage-operator/internal/kubetest"
)

// TestDeletingEverythingAtOnceStillDeletesTheImage is what a namespace
// deletion does: the Secret, the Cloud and the ServerImage go together. The
// Cloud waits for its ServerImages, and the cached credentials delete the
// image although the Secret is already gone.
func TestDeletingEverythingAtOnceStillDeletesTheImage(t *testing.T) {
	t.Parallel()
	s := newScenario(t, fakecloud.Options{})
	si := s.readyImage("all", deleteWithImage)
	for _, o := range []client.Object{
		&corev1.Secret{ObjectMeta: s.Meta("sim-credentials")},
		&imagesv1.Cloud{ObjectMeta: s.Meta("sim")},
		si,
	} {
		s.Delete(o)
	}
	s.WaitServerImageGone("all")
	if _, ok := s.sim.Image(si.Status.ImageID); ok {
		t.Errorf("image %s leaked", si.Status.ImageID)
	}
	kubetest.WaitGone[imagesv1.Cloud](s.NS, "sim")
}

func TestCloudIsKeptWhileServerImagesUseIt(t *testing.T) {
	t.Parallel()
	s := newScenario(t, fakecloud.Options{})
	s.readyImage("user")
	s.Delete(kubetest.Get[imagesv1.Cloud](s.NS, "sim"))
	note := s.WaitEvent("sim", "Normal", "InUse")
	if !strings.Contains(note, "user") {
		t.Errorf("InUse event does not name the ServerImage: %q", note)
	}
	if err := k8s.Get(context.Background(), s.Key("sim"), &imagesv1.Cloud{}); err != nil {
		t.Fatalf("the Cloud went away while a ServerImage uses it: %v", err)
	}
	s.Delete(s.ServerImage("user"))
	kubetest.WaitGone[imagesv1.Cloud](s.NS, "sim")
}

func TestDeleteRetriesWhileTheCloudFails(t *testing.T) {
	t.Parallel()
	s := newScenario(t, fakecloud.Options{})
	si := s.readyImage("retry", deleteWithImage)
	s.sim.InjectFault(fakecloud.Fault{Op: fakecloud.OpDeleteImage, Times: 2, Status: 503, Message: "Glance is down for maintenance"})
	s.Delete(si)
	note := s.WaitEvent("retry", "Warning", imagesv1.ReasonDeletionFailed)
	if !strings.Contains(note, "503") || !strings.Contains(note, "Glance is down for maintenance") {
		t.Errorf("DeletionFailed event does not carry the status and the cloud's message: %q", note)
	}
	s.WaitServerImageGone("retry")
	if _, ok := s.sim.Image(si.Status.ImageID); ok {
		t.Errorf("image %s left behind after the cloud recovered", si.Status.ImageID)
	}
}

func TestAbandonAnnotationReleasesTheObjectAndKeepsTheImage(t *testing.T) {
	t.Parallel()
	s := newScenario(t, fakecloud.Options{})
	si := s.readyImage("stuck", deleteWithImage)
	s.sim.InjectFault(fakecloud.Fault{Op: fakecloud.OpDeleteImage, Times: 1 << 20, Status: 403, Message: "image is protected"})
	s.Delete(si)
	s.WaitEvent("stuck", "Warning", imagesv1.ReasonDeletionFailed)
	if got := s.ServerImage("stuck"); got.DeletionTimestamp.IsZero() {
		t.Fatal("object not being deleted")
	}
	s.PatchAnnotation(si, imagesv1.AbandonAnnotation, "true")
	s.WaitServerImageGone("stuck")
	if _, ok := s.sim.Image(si.Status.ImageID); !ok {
		t.Errorf("the abandoned image was deleted")
	}
}

func TestMoreThanOneImageWithTheKeyStalls(t *testing.T) {
	t.Parallel()
	s := newSimScenario(t, fakecloud.Options{}, "later")
	sim := s.sim
	srv := sim.AddServer(fakecloud.Server{})
	si := s.serverImage("dup", srv.ID)
	s.WaitCondition("dup", imagesv1.ConditionReconciling, imagesv1.ReasonCloudNotReady)
	// Two images already carry this object's key (say, a person re-ran a
	// create by hand).
	var ids []string
	for i := 0; i < 2; i++ {
		img := sim.AddImage(fakecloud.Image{Name: "dup", ServerID: srv.ID, Status: "active",
			Properties: map[string]string{"serverimage_uid": string(si.UID), "instance_uuid": srv.ID}})
		ids = append(ids, img.ID)
	}
	s.createCloud("later", sim.CloudsYAML("sim"))
	got := s.WaitCondition("dup", imagesv1.ConditionStalled, imagesv1.ReasonDuplicateImages)
	for _, id := range ids {
		if c := readyOf(got); !strings.Contains(c.Message, id) {
			t.Errorf("DuplicateImages message %q does not name image %s", c.Message, id)
		}
	}
	if n := sim.Calls(fakecloud.OpCreateImage); n != 0 {
		t.Errorf("createImage called %d times", n)
	}
}

func TestRepeated401StallsWithAuthenticationFailed(t *testing.T) {
	t.Parallel()
	s := newScenario(t, fakecloud.Options{})
	srv := s.sim.AddServer(fakecloud.Server{})
	auths := s.sim.Calls(fakecloud.OpAuth)
	s.sim.InjectFault(fakecloud.Fault{Op: fakecloud.OpCreateImage, Times: 2, Status: 401, Message: "The request you have made requires authentication."})
	s.serverImage("denied", srv.ID)
	got := s.WaitCondition("denied", imagesv1.ConditionStalled, imagesv1.ReasonAuthenticationFailed)
	if c := readyOf(got); !strings.Contains(c.Message, "401") {
		t.Errorf("message %q does not carry the status", c.Message)
	}
	if s.sim.Calls(fakecloud.OpAuth) <= auths {
		t.Errorf("no re-authentication was tried before giving up")
	}
	if len(s.sim.Images()) != 0 {
		t.Errorf("an image was created")
	}
}

func TestServerDeletedWhileSavingFailsTheImage(t *testing.T) {
	t.Parallel()
	s := newScenario(t, fakecloud.Options{QueuedFor: 200 * time.Millisecond, SavingFor: time.Hour})
	srv := s.sim.AddServer(fakecloud.Server{})
	s.serverImage("orphan", srv.ID)
	s.WaitCondition("orphan", imagesv1.ConditionReconciling, imagesv1.ReasonImageSaving)
	s.sim.DeleteServer(srv.ID)
	s.WaitCondition("orphan", imagesv1.ConditionStalled, imagesv1.ReasonImageFailed)
	s.WaitEvent("orphan", "Warning", imagesv1.ReasonImageFailed)
}

// TestOrphanOfNovaTaskStateRaceIsReplaced: when two createImage calls race
// in real Nova, the loser gets a 500 and its image stays queued for ever
// with the loser's key. The operator must not adopt it and wait for the
// timeout: it deletes the orphan and creates a new image, leaving exactly one.
func TestOrphanOfNovaTaskStateRaceIsReplaced(t *testing.T) {
	t.Parallel()
	s := newScenario(t, fakecloud.Options{})
	srv := s.sim.AddServer(fakecloud.Server{})
	s.sim.LoseNextSnapshotRace(srv.ID)
	s.serverImage("loser", srv.ID)
	note := s.WaitEvent("loser", "Warning", "OrphanImageReplaced")
	si := s.WaitReady("loser")
	imgs := s.imagesWithKey(string(si.UID))
	if len(imgs) != 1 || imgs[0].ID != si.Status.ImageID {
		t.Fatalf("want exactly the recorded image with this key, got %+v (status %q)", imgs, si.Status.ImageID)
	}
	if strings.Contains(note, si.Status.ImageID) {
		t.Errorf("the replaced orphan is the recorded image: %q", note)
	}
	if n := s.sim.Calls(fakecloud.OpCreateImage); n != 2 {
		t.Errorf("createImage called %d times, want 2 (the lost race, then the replacement)", n)
	}
}
