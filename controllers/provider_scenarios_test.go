package controllers_test

import (
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
	"github.com/serverimage-operator/serverimage-operator/internal/fakecloud"
)

// providerScenario is one behaviour every provider must show; applies,
// when set, says which providers it makes sense for.
type providerScenario struct {
	name    string
	applies func(p provider) bool
	run     func(t *testing.T, p provider)
}

// TestProviderScenarios runs every scenario against every provider's
// dialect of the simulator, with the real driver behind the operator.
func TestProviderScenarios(t *testing.T) {
	t.Parallel()
	for _, p := range providers {
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			for _, sc := range providerScenarios {
				if sc.applies != nil && !sc.applies(p) {
					continue
				}
				t.Run(sc.name, func(t *testing.T) {
					t.Parallel()
					sc.run(t, p)
				})
			}
		})
	}
}

var providerScenarios = []providerScenario{
	{name: "happy path", run: happyPath},
	{name: "busy server", run: busyServer},
	{name: "rate limited", run: rateLimited},
	{name: "dropped create response", run: droppedCreateResponse},
	{name: "image killed", run: imageKilled},
	{name: "snapshot fails and the image disappears", run: imageDisappears},
	{name: "deletionPolicy Delete", run: deletionPolicy(imagesv1.DeletionPolicyDelete)},
	{name: "deletionPolicy Retain", run: deletionPolicy(imagesv1.DeletionPolicyRetain)},
	{name: "deletionPolicy default", run: deletionPolicy("")},
	{name: "wrong credentials", run: wrongCredentials},
	{name: "token expiry", run: tokenExpiry, applies: func(p provider) bool { return p.tokens }},
	{name: "refused before creating", run: refusedBeforeCreating, applies: func(p provider) bool { return p.refuse != nil }},
	// controllers/provider_volumesnapshots_test.go
	{name: "volume-backed Delete", run: volumeBackedDelete, applies: listsVolumeSnapshots},
	{name: "volume-backed Retain", run: volumeBackedRetain, applies: listsVolumeSnapshots},
	{name: "volume snapshot in use", run: volumeSnapshotInUse, applies: listsVolumeSnapshots},
	{name: "crash between image and snapshot deletes", run: volumeSnapshotsAfterCrash, applies: listsVolumeSnapshots},
	{name: "volume-backed import", run: volumeBackedImport, applies: listsVolumeSnapshots},
	{name: "volume snapshots unknown", run: volumeSnapshotsUnknown, applies: func(p provider) bool { return p.hidesVolumeSnapshots }},
	{name: "Stopped: stop, image, start", run: stopImageStart},
	{name: "Stopped: an already stopped server stays stopped", run: alreadyStopped},
	{name: "Stopped: a failed image still starts the server", run: failedImageStarts},
	{name: "Stopped: a restart while the server is down starts it", run: restartWhileStopped},
	{name: "Stopped: deleted mid-way starts the server first", run: deletedMidway},
	{name: "Stopped: two on one server take turns", run: twoOnOneServer},
	{name: "Stopped: broken credentials keep the start going", run: brokenCredentials},
	{name: "Stopped: someone else starts the server", run: startedElsewhere},
	{name: "Stopped: abandoned", run: abandoned},
	{name: "Stopped: a volume-backed server starts right after the request", run: volumeBacked, applies: func(p provider) bool { return p.volumeAtOnce }},
	{name: "Captured for every image, before Ready where the image shows the upload", run: capturedBeforeReady},
	{name: "image properties set, changed, removed", run: propertiesLifecycle, applies: keepsProperties},
	{name: "image properties drift put back", run: propertiesDrift, applies: keepsSharing},
	{name: "protected image with deletionPolicy Delete", run: protectedDelete, applies: keepsProperties},
	{name: "member call answer lost", run: memberResponseLost, applies: keepsSharing},
	{name: "share accepted by the consumer's Cloud", run: shareAccepted, applies: func(p provider) bool { return p.name == scp.name }},
	{name: "member job fails", run: memberJobFails, applies: func(p provider) bool { return p.name == huawei.name }},
	{name: "unsupported image property refused", run: propertiesUnsupported, applies: refusesSomething},
}

func happyPath(t *testing.T, p provider) {
	s := p.start(t, fakecloud.Options{})
	srv := s.sim.AddServer(fakecloud.Server{Name: "web-1"})
	s.serverImage("web", srv.ID, func(si *imagesv1.ServerImage) {
		si.Spec.ImageName = "web-golden"
		if p.metadata {
			si.Spec.Metadata = map[string]imagesv1.MetadataValue{"ImageType": "Gold"}
		}
	})

	si := s.WaitReady("web")
	img := s.onlyImage(si)
	if want := p.imageName("web-golden", si.UID); img.Name != want || si.Status.ImageName != want {
		t.Errorf("image named %q, status.imageName %q; want %q", img.Name, si.Status.ImageName, want)
	}
	if p.metadata && (img.Properties["ImageType"] != "Gold" || img.Properties["serverimage_uid"] != string(si.UID)) {
		t.Errorf("image created with properties %v", img.Properties)
	}
	st := si.Status
	if st.ImageStatus != p.active || st.SizeBytes == nil || st.ActivatedTime == nil || st.CreateRequestedTime == nil {
		t.Errorf("status not complete (want imageStatus %q): %+v", p.active, st)
	}
	if p.checksum && st.Checksum == "" {
		t.Errorf("checksum not recorded: %+v", st)
	}
	// Progress while saving is asserted in the drivers' tests: the
	// reconciler refreshes it only every ProgressRefreshInterval (a
	// minute), too slow for this suite; it must read 100 once Ready.
	if p.progress && (st.Progress == nil || *st.Progress != 100) {
		t.Errorf("progress %v once Ready, want 100", st.Progress)
	}
	if p.images != nil && st.ImageURL != p.images(s.sim)+"/"+img.ID {
		t.Errorf("imageURL %q, want %q", st.ImageURL, p.images(s.sim)+"/"+img.ID)
	}
	if st.ObservedGeneration != si.Generation {
		t.Errorf("observedGeneration %d, generation %d", st.ObservedGeneration, si.Generation)
	}
	for _, c := range st.Conditions {
		if c.ObservedGeneration != si.Generation {
			t.Errorf("condition %s observedGeneration %d", c.Type, c.ObservedGeneration)
		}
	}
	s.wantCalls(fakecloud.OpCreateImage, 1)
	if n := s.sim.Calls(fakecloud.OpAuth); !p.tokens && n != 0 {
		t.Errorf("signed requests logged in %d times", n)
	}
	s.WaitEvent("web", "Normal", imagesv1.ReasonImageSaving)
	s.WaitEvent("web", "Normal", imagesv1.ReasonImageActive)
}

// busyServer: a server busy with another snapshot is a wait, not a
// failure.
func busyServer(t *testing.T, p provider) {
	s := p.start(t, fakecloud.Options{})
	srv := s.sim.AddServer(fakecloud.Server{})
	if p.hidesTaskState {
		srv.TaskState = "image_uploading"
		s.sim.SetServer(srv)
	} else {
		// Busy twice at create time: a 409 the server check before
		// creating could not see.
		s.sim.InjectFault(fakecloud.Fault{Op: fakecloud.OpCreateImage, Times: 2, Status: 409,
			Message: "Cannot 'createImage' instance " + srv.ID + " while it is in task_state image_uploading"})
	}
	s.serverImage("busy", srv.ID)

	note := s.WaitEvent("busy", "Warning", imagesv1.ReasonServerBusy)
	if !contains(note, "409") || !contains(note, "task_state image_uploading") {
		t.Errorf("busy event does not carry the HTTP status and the cloud's message: %q", note)
	}
	if p.hidesTaskState {
		s.sim.SetServer(fakecloud.Server{ID: srv.ID})
	}
	s.onlyImage(s.WaitReady("busy"))
	if !p.hidesTaskState {
		s.wantCalls(fakecloud.OpCreateImage, 3) // two refused, one accepted
	}
}

// rateLimited: the cloud's Retry-After is honoured, then the create goes
// through.
func rateLimited(t *testing.T, p provider) {
	s := p.start(t, fakecloud.Options{})
	srv := s.sim.AddServer(fakecloud.Server{})
	fault := p.rateLimit
	fault.Op, fault.RetryAfter = fakecloud.OpCreateImage, "1"
	s.sim.InjectFault(fault)
	creates := callTimes(t, s.sim, fakecloud.OpCreateImage)
	s.serverImage("limited", srv.ID)

	note := s.WaitEvent("limited", "Warning", imagesv1.ReasonRateLimited)
	for _, want := range p.rateLimitNote {
		if !contains(note, want) {
			t.Errorf("rate-limit event %q does not say %q", note, want)
		}
	}
	s.onlyImage(s.WaitReady("limited"))
	times := creates()
	if len(times) != 2 {
		t.Fatalf("createImage reached the cloud %d times, want 2 (limited, then accepted)", len(times))
	}
	// Without Retry-After the first retry would come after 0.5–1s of
	// backoff; Retry-After: 1 means not before a second has passed.
	if gap := times[1].Sub(times[0]); gap < time.Second {
		t.Errorf("retried after %s, before the Retry-After of 1s", gap)
	}
}

// droppedCreateResponse: the image exists but its ID never arrived; the
// operator finds it again by its key (metadata, or the UID in its name)
// and never creates a second one.
func droppedCreateResponse(t *testing.T, p provider) {
	s := p.start(t, fakecloud.Options{QueuedFor: time.Second})
	srv := s.sim.AddServer(fakecloud.Server{})
	s.sim.InjectFault(fakecloud.Fault{Op: fakecloud.OpCreateImage, DropResponse: true})
	s.serverImage("lost", srv.ID)

	s.WaitEvent("lost", "Normal", "Adopted")
	si := s.WaitReady("lost")
	img := s.onlyImage(si)
	if img.Name != p.imageName("lost", si.UID) || (p.metadata && img.Properties["serverimage_uid"] != string(si.UID)) {
		t.Errorf("the image %q (properties %v) is not named or keyed for the object", img.Name, img.Properties)
	}
	s.wantCalls(fakecloud.OpCreateImage, 1)
}

func imageKilled(t *testing.T, p provider) {
	s := p.start(t, fakecloud.Options{})
	srv := s.sim.AddServer(fakecloud.Server{})
	s.sim.FreezeImages(true)
	s.serverImage("doomed", srv.ID)
	si := s.WaitCondition("doomed", imagesv1.ConditionReconciling, imagesv1.ReasonImageSaving)
	s.sim.SetImageStatus(si.Status.ImageID, fakecloud.StatusKilled)

	si = s.wantImageFailed("doomed", p.failed)
	if si.Status.ImageStatus != p.failed {
		t.Errorf("imageStatus %q, want %q", si.Status.ImageStatus, p.failed)
	}
}

// imageDisappears: the cloud deletes the image of a failed snapshot (Nova
// does); a confirmed 404 while building is a failure, not a wait.
func imageDisappears(t *testing.T, p provider) {
	s := p.start(t, fakecloud.Options{QueuedFor: 500 * time.Millisecond, SavingFor: time.Second})
	srv := s.sim.AddServer(fakecloud.Server{})
	s.sim.FailNextSnapshot(srv.ID)
	s.serverImage("doomed", srv.ID)
	s.wantImageFailed("doomed", "disappeared while it was being built")
}

func deletionPolicy(policy imagesv1.DeletionPolicy) func(t *testing.T, p provider) {
	return func(t *testing.T, p provider) {
		s := p.start(t, fakecloud.Options{})
		si := s.readyImage("img", func(si *imagesv1.ServerImage) { si.Spec.DeletionPolicy = policy })
		s.Delete(si)
		s.WaitServerImageGone("img")
		// Retain is the default.
		deleted := policy == imagesv1.DeletionPolicyDelete
		if _, exists := s.sim.Image(si.Status.ImageID); exists == deleted {
			t.Errorf("image exists after the ServerImage was deleted = %v, want %v", exists, !deleted)
		}
		want := 0
		if deleted {
			want = 1
		}
		s.wantCalls(fakecloud.OpDeleteImage, want)
	}
}

// wrongCredentials: the Cloud is not Ready and says why in the cloud's
// own words, without showing any secret.
func wrongCredentials(t *testing.T, p provider) {
	s := p.startWithout(t, fakecloud.Options{})
	s.CreateCloud(s.cloud, p.wrong(s.sim, p.wrongValue), p.cloud(s.sim))
	cond := s.WaitCloudNotReady(s.cloud, imagesv1.ReasonAuthenticationFailed)
	for _, want := range p.authFailure {
		if !strings.Contains(cond.Message, want) {
			t.Errorf("Ready message %q does not contain %q", cond.Message, want)
		}
	}
	for _, secret := range append(p.secrets(s.sim), p.wrongValue) {
		if strings.Contains(cond.Message, secret) || strings.Contains(logSink.String(), secret) {
			t.Errorf("a secret leaked into the condition or the logs")
		}
	}
}

// tokenExpiry: a token that stops being valid while the operator waits for
// an image is replaced, and the wait goes on to Ready.
func tokenExpiry(t *testing.T, p provider) {
	s := p.start(t, fakecloud.Options{})
	srv := s.sim.AddServer(fakecloud.Server{})
	s.sim.FreezeImages(true)
	s.serverImage("long", srv.ID)
	s.WaitCondition("long", imagesv1.ConditionReconciling, imagesv1.ReasonImageSaving)

	auths := s.sim.Calls(fakecloud.OpAuth)
	s.sim.ExpireTokens()
	s.sim.FreezeImages(false)
	s.WaitReady("long")
	if s.sim.Calls(fakecloud.OpAuth) <= auths {
		t.Errorf("no re-authentication after the token expired")
	}
}

// refusedBeforeCreating: a spec the cloud would refuse stalls with the
// reason, and the cloud never sees it.
func refusedBeforeCreating(t *testing.T, p provider) {
	s := p.start(t, fakecloud.Options{})
	srv := s.sim.AddServer(fakecloud.Server{})
	s.serverImage("refused", srv.ID, p.refuse)
	si := s.WaitCondition("refused", imagesv1.ConditionStalled, imagesv1.ReasonInvalidRequest)
	c := readyOf(si)
	for _, want := range p.refusal {
		if c.Status != metav1.ConditionFalse || !contains(c.Message, want) {
			t.Errorf("Ready condition does not say %q: %+v", want, c)
		}
	}
	// Give the operator time for a retry it must not make.
	time.Sleep(500 * time.Millisecond)
	s.wantCalls(fakecloud.OpCreateImage, 0)
	if n := len(s.sim.Images()); n != 0 {
		t.Errorf("simulator has %d images, want 0", n)
	}
}

// onlyImage returns the cloud's only image, which must be the one the
// object recorded.
func (s *scenario) onlyImage(si *imagesv1.ServerImage) fakecloud.Image {
	s.T.Helper()
	imgs := s.sim.Images()
	if len(imgs) != 1 || imgs[0].ID != si.Status.ImageID {
		s.T.Fatalf("want exactly one image, status.imageID %q; the cloud has %+v", si.Status.ImageID, imgs)
	}
	return imgs[0]
}

func (s *scenario) wantCalls(op fakecloud.Op, want int) {
	s.T.Helper()
	if n := s.sim.Calls(op); n != want {
		s.T.Errorf("%s reached the cloud %d times, want %d", op, n, want)
	}
}

// wantImageFailed waits until the object stalls with ImageFailed, its
// Ready=False message saying why, and a Warning Event.
func (s *scenario) wantImageFailed(name, why string) *imagesv1.ServerImage {
	s.T.Helper()
	si := s.WaitCondition(name, imagesv1.ConditionStalled, imagesv1.ReasonImageFailed)
	if c := readyOf(si); c.Status != metav1.ConditionFalse || !contains(c.Message, why) {
		s.T.Errorf("Ready condition does not say %q: %+v", why, c)
	}
	s.WaitEvent(name, "Warning", imagesv1.ReasonImageFailed)
	return si
}
