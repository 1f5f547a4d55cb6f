package controllers_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/controller-runtime/pkg/client"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
	// Linked here until internal/cloud/drivers wires the SCP driver.
	_ "github.com/serverimage-operator/serverimage-operator/internal/cloud/scp"
	"github.com/serverimage-operator/serverimage-operator/internal/fakecloud"
)

// newSCPScenario is a Samsung Cloud Platform Cloud pointed at the
// simulator's SCP front; secretKey "" means the right one.
func newSCPScenario(t *testing.T, opts fakecloud.Options) *scenario {
	t.Helper()
	s := startSCPScenario(t, opts, "")
	s.waitCloudReady(s.cloud)
	return s
}

func startSCPScenario(t *testing.T, opts fakecloud.Options, secretKey string) *scenario {
	t.Helper()
	sim := fakecloud.New(opts)
	t.Cleanup(sim.Close)
	if secretKey == "" {
		secretKey = sim.SCPSecretKey()
	}
	s := &scenario{t: t, sim: sim, ns: newNamespace(t), cloud: "scp"}
	s.createCloudWith(s.cloud, map[string]string{"accessKey": sim.SCPAccessKey(), "secretKey": secretKey}, func(c *imagesv1.Cloud) {
		c.Spec.Provider = imagesv1.ProviderSamsungCloudPlatform
		c.Spec.Region = "kr-west1"
		c.Spec.Endpoints = &imagesv1.CloudEndpoints{Compute: sim.SCPURL()}
	})
	return s
}

// scpName is the image name the driver gives the object's image: the
// requested name and the first 8 hex digits of the UID.
func scpName(name string, uid types.UID) string {
	return name + "-" + strings.ReplaceAll(string(uid), "-", "")[:8]
}

// TestSCPHappyPathPassesThroughQueued holds the image in "queued" (the
// first status of every SCP snapshot) while the operator polls it: queued
// must read as in progress, never as a failure.
func TestSCPHappyPathPassesThroughQueued(t *testing.T) {
	t.Parallel()
	s := newSCPScenario(t, fakecloud.Options{})
	srv := s.sim.AddServer(fakecloud.Server{Name: "web-1"})
	s.sim.FreezeImages(true)
	s.serverImage("web", srv.ID, func(si *imagesv1.ServerImage) { si.Spec.ImageName = "web-golden" })

	si := s.waitCondition("web", imagesv1.ConditionReconciling, imagesv1.ReasonImageSaving)
	if si.Status.ImageID == "" {
		t.Fatalf("no image ID recorded: %+v", si.Status)
	}
	reads := s.sim.Calls(fakecloud.OpGetImage)
	eventually(t, waitTimeout, "the operator reading the queued image", func() bool {
		return s.sim.Calls(fakecloud.OpGetImage) >= reads+3
	})
	img, _ := s.sim.Image(si.Status.ImageID)
	si = s.get("web")
	if img.Status != fakecloud.StatusQueued || meta.IsStatusConditionTrue(si.Status.Conditions, imagesv1.ConditionStalled) {
		t.Fatalf("while the image is %s the object is %+v", img.Status, si.Status.Conditions)
	}
	if st := si.Status.ImageStatus; st != "" && st != "queued" {
		t.Errorf("status.imageStatus %q while the cloud says queued", st)
	}

	s.sim.FreezeImages(false)
	si = s.waitReady("web")
	imgs := s.sim.Images()
	if len(imgs) != 1 || imgs[0].ID != si.Status.ImageID || imgs[0].Name != scpName("web-golden", si.UID) {
		t.Fatalf("cloud images %+v, status %+v", imgs, si.Status)
	}
	if si.Status.ImageStatus != "active" || si.Status.SizeBytes == nil || si.Status.ActivatedTime == nil {
		t.Errorf("status not complete: %+v", si.Status)
	}
	if n := s.sim.Calls(fakecloud.OpCreateImage); n != 1 {
		t.Errorf("createImage called %d times, want 1", n)
	}
	s.waitEvent("web", "Normal", imagesv1.ReasonImageActive)
}

func TestSCPWrongSecretKeyKeepsTheCloudNotReady(t *testing.T) {
	t.Parallel()
	const wrong = "scp-wrong-secret-d0-not-leak-91c2"
	s := startSCPScenario(t, fakecloud.Options{}, wrong)
	cond := s.waitCloudNotReady(s.cloud, imagesv1.ReasonAuthenticationFailed)
	if !strings.Contains(cond.Message, "401") || !strings.Contains(cond.Message, "signature does not match") {
		t.Errorf("condition does not carry the cloud's answer: %q", cond.Message)
	}
	for _, key := range []string{wrong, s.sim.SCPSecretKey()} {
		if strings.Contains(cond.Message, key) || strings.Contains(logSink.String(), key) {
			t.Errorf("a secret key leaked into the condition or the logs")
		}
	}
}

// TestSCPBusyServerWaits: SCP shows no task state, so a busy server reads
// ACTIVE and only createImage's 409 tells; that is a wait, not a failure.
func TestSCPBusyServerWaits(t *testing.T) {
	t.Parallel()
	s := newSCPScenario(t, fakecloud.Options{})
	srv := s.sim.AddServer(fakecloud.Server{TaskState: "image_uploading"})
	s.serverImage("busy", srv.ID)

	note := s.waitEvent("busy", "Warning", imagesv1.ReasonServerBusy)
	if !strings.Contains(note, "409") || !strings.Contains(note, "task_state image_uploading") {
		t.Errorf("busy event does not carry the status and the cloud's message: %q", note)
	}
	s.sim.SetServer(fakecloud.Server{ID: srv.ID})
	s.waitReady("busy")
	if n := len(s.sim.Images()); n != 1 {
		t.Errorf("simulator has %d images, want 1", n)
	}
}

func TestSCPRateLimitedThenSucceeds(t *testing.T) {
	t.Parallel()
	s := newSCPScenario(t, fakecloud.Options{})
	srv := s.sim.AddServer(fakecloud.Server{})
	s.sim.InjectFault(fakecloud.Fault{Op: fakecloud.OpCreateImage, Status: 429, RetryAfter: "1", Message: "Too many requests, slow down."})
	s.serverImage("slow", srv.ID)

	note := s.waitEvent("slow", "Warning", imagesv1.ReasonRateLimited)
	if !strings.Contains(note, "429") || !strings.Contains(note, "slow down") {
		t.Errorf("rate-limit event: %q", note)
	}
	si := s.waitReady("slow")
	if n := s.sim.Calls(fakecloud.OpCreateImage); n != 2 {
		t.Errorf("createImage reached the cloud %d times, want 2", n)
	}
	if imgs := s.sim.Images(); len(imgs) != 1 || imgs[0].ID != si.Status.ImageID {
		t.Errorf("cloud images %+v, status.imageID %s", imgs, si.Status.ImageID)
	}
}

// TestSCPDroppedCreateResponseYieldsExactlyOneImage: the image exists but
// its ID never arrived. SCP images carry no metadata, so the operator
// finds it again by the UID suffix in its name, in the pending list.
func TestSCPDroppedCreateResponseYieldsExactlyOneImage(t *testing.T) {
	t.Parallel()
	s := newSCPScenario(t, fakecloud.Options{QueuedFor: time.Second})
	srv := s.sim.AddServer(fakecloud.Server{})
	s.sim.InjectFault(fakecloud.Fault{Op: fakecloud.OpCreateImage, DropResponse: true})
	s.serverImage("lost", srv.ID)

	s.waitEvent("lost", "Normal", "Adopted")
	si := s.waitReady("lost")
	imgs := s.sim.Images()
	if len(imgs) != 1 || imgs[0].ID != si.Status.ImageID || imgs[0].Name != scpName("lost", si.UID) {
		t.Fatalf("want exactly one image named for the object; cloud has %+v, status.imageID %s", imgs, si.Status.ImageID)
	}
	if n := s.sim.Calls(fakecloud.OpCreateImage); n != 1 {
		t.Errorf("createImage reached the cloud %d times, want 1", n)
	}
}

func TestSCPFailedImagesStall(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		fail    func(s *scenario, serverID string)
		message string
	}{
		{
			// SCP runs Nova underneath, which deletes a failed snapshot:
			// a confirmed 404.
			name:    "snapshot fails and the image disappears",
			fail:    func(s *scenario, serverID string) { s.sim.FailNextSnapshot(serverID) },
			message: "disappeared while it was being built",
		},
		{
			name: "image killed",
			fail: func(s *scenario, _ string) {
				go func() {
					for range 400 {
						if imgs := s.sim.Images(); len(imgs) > 0 {
							s.sim.SetImageStatus(imgs[0].ID, "killed")
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
			s := newSCPScenario(t, fakecloud.Options{QueuedFor: 500 * time.Millisecond, SavingFor: time.Second})
			srv := s.sim.AddServer(fakecloud.Server{})
			tc.fail(s, srv.ID)
			s.serverImage("doomed", srv.ID)
			si := s.waitCondition("doomed", imagesv1.ConditionStalled, imagesv1.ReasonImageFailed)
			if c := readyOf(si); !strings.Contains(c.Message, tc.message) {
				t.Errorf("Ready message %q does not say %q", c.Message, tc.message)
			}
			s.waitEvent("doomed", "Warning", imagesv1.ReasonImageFailed)
		})
	}
}

func TestSCPDeletePolicyRemovesTheImage(t *testing.T) {
	t.Parallel()
	s := newSCPScenario(t, fakecloud.Options{})
	srv := s.sim.AddServer(fakecloud.Server{})
	s.serverImage("img", srv.ID, func(si *imagesv1.ServerImage) { si.Spec.DeletionPolicy = imagesv1.DeletionPolicyDelete })
	si := s.waitReady("img")
	if err := k8s.Delete(context.Background(), si); err != nil {
		t.Fatal(err)
	}
	s.waitGone("img")
	if _, exists := s.sim.Image(si.Status.ImageID); exists {
		t.Errorf("image %s still exists after the object with deletionPolicy Delete was deleted", si.Status.ImageID)
	}
	if n := s.sim.Calls(fakecloud.OpDeleteImage); n < 1 {
		t.Errorf("deleteImage never called")
	}
}

func TestSCPMetadataIsRefusedBeforeCreating(t *testing.T) {
	t.Parallel()
	s := newSCPScenario(t, fakecloud.Options{})
	srv := s.sim.AddServer(fakecloud.Server{})
	s.serverImage("meta", srv.ID, func(si *imagesv1.ServerImage) {
		si.Spec.Metadata = map[string]imagesv1.MetadataValue{"ImageType": "Gold"}
	})
	si := s.waitCondition("meta", imagesv1.ConditionStalled, imagesv1.ReasonInvalidRequest)
	if c := readyOf(si); !strings.Contains(c.Message, "Samsung Cloud Platform images take no metadata; remove spec.metadata") {
		t.Errorf("Ready message %q", c.Message)
	}
	if n := s.sim.Calls(fakecloud.OpCreateImage); n != 0 {
		t.Errorf("createImage reached the cloud %d times", n)
	}
	if n := len(s.sim.Images()); n != 0 {
		t.Errorf("%d images created", n)
	}
}

// TestSCPSamplesAreValid sends the SCP samples to the API server as a dry
// run: the CRD schema and its CEL rules accept them, and no operator ever
// sees them (they point at the real cloud).
func TestSCPSamplesAreValid(t *testing.T) {
	t.Parallel()
	ns := newNamespace(t)
	files, err := filepath.Glob(filepath.Join("..", "config", "samples", "scp_*.yaml"))
	if err != nil || len(files) != 3 {
		t.Fatalf("samples %v, %v", files, err)
	}
	kinds := map[string]bool{}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		obj := &unstructured.Unstructured{}
		if err := yaml.Unmarshal(raw, &obj.Object); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		obj.SetNamespace(ns)
		if err := k8s.Create(context.Background(), obj, client.DryRunAll); err != nil {
			t.Errorf("%s: %v", f, err)
		}
		kinds[obj.GetKind()] = true
		if obj.GetKind() == "ServerImage" {
			if _, has, _ := unstructured.NestedMap(obj.Object, "spec", "metadata"); has {
				t.Errorf("%s sets spec.metadata, which SCP refuses", f)
			}
		}
	}
	if !kinds["Secret"] || !kinds["Cloud"] || !kinds["ServerImage"] {
		t.Errorf("samples cover %v", kinds)
	}
}
