package controllers_test

import (
	"context"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
	// The lead wires the driver into internal/cloud/drivers; until then it
	// registers itself through this import.
	_ "github.com/serverimage-operator/serverimage-operator/internal/cloud/huawei"
	"github.com/serverimage-operator/serverimage-operator/internal/fakecloud"
)

// huaweiAKSK is the Secret of the simulator's permanent access key pair.
func huaweiAKSK(sim *fakecloud.Cloud) map[string]string {
	return map[string]string{"accessKey": sim.HuaweiAccessKey(), "secretKey": sim.HuaweiSecretKey()}
}

// huaweiCloud points a Cloud at the simulator's Huawei dialect: region
// and project as a user would set them, endpoints overridden to loopback.
func huaweiCloud(sim *fakecloud.Cloud) func(*imagesv1.Cloud) {
	return func(c *imagesv1.Cloud) {
		c.Spec.Provider = imagesv1.ProviderHuaweiCloud
		c.Spec.Region = sim.HuaweiRegion()
		c.Spec.ProjectID = sim.HuaweiProjectID()
		c.Spec.Endpoints = &imagesv1.CloudEndpoints{
			Identity: sim.HuaweiIAMURL(),
			Compute:  sim.HuaweiECSURL(),
			Image:    sim.HuaweiIMSURL(),
		}
	}
}

// newHuaweiScenario is a Ready HuaweiCloud Cloud using AK/SK.
func newHuaweiScenario(t *testing.T, opts fakecloud.Options) *scenario {
	t.Helper()
	sim := fakecloud.New(opts)
	t.Cleanup(sim.Close)
	s := &scenario{t: t, sim: sim, ns: newNamespace(t), cloud: "hw"}
	s.createCloudWith(s.cloud, huaweiAKSK(sim), huaweiCloud(sim))
	s.waitCloudReady(s.cloud)
	return s
}

// huaweiImage returns the simulator's only image, failing otherwise.
func (s *scenario) huaweiOnlyImage() fakecloud.Image {
	s.t.Helper()
	imgs := s.sim.Images()
	if len(imgs) != 1 {
		s.t.Fatalf("simulator has %d images, want exactly 1: %+v", len(imgs), imgs)
	}
	return imgs[0]
}

func TestHuaweiHappyPathWithAKSK(t *testing.T) {
	t.Parallel()
	s := newHuaweiScenario(t, fakecloud.Options{})
	srv := s.sim.AddServer(fakecloud.Server{Name: "web-1"})
	s.serverImage("web", srv.ID, func(si *imagesv1.ServerImage) {
		si.Spec.ImageName = "web-golden"
		si.Spec.Metadata = map[string]imagesv1.MetadataValue{"ImageType": "Gold"}
	})

	si := s.waitReady("web")
	img := s.huaweiOnlyImage()
	if si.Status.ImageID != img.ID {
		t.Errorf("status.imageID = %q, cloud image = %q", si.Status.ImageID, img.ID)
	}
	wantName := "web-golden-" + strings.ReplaceAll(string(si.UID), "-", "")[:8]
	if img.Name != wantName || img.Properties["serverimage_uid"] != string(si.UID) || img.Properties["ImageType"] != "Gold" {
		t.Errorf("image created as %q with %v, want name %q", img.Name, img.Properties, wantName)
	}
	if si.Status.ImageStatus != "active" || si.Status.SizeBytes == nil || si.Status.Checksum == "" || si.Status.ImageURL == "" {
		t.Errorf("status not complete: %+v", si.Status)
	}
	if n := s.sim.Calls(fakecloud.OpCreateImage); n != 1 {
		t.Errorf("createImage called %d times, want 1", n)
	}
	if n := s.sim.Calls(fakecloud.OpAuth); n != 0 {
		t.Errorf("AK/SK logged in to IAM %d times", n)
	}
	s.waitEvent("web", "Normal", imagesv1.ReasonImageActive)
}

func TestHuaweiIAMTokenAuth(t *testing.T) {
	t.Parallel()
	sim := fakecloud.New(fakecloud.Options{})
	t.Cleanup(sim.Close)
	s := &scenario{t: t, sim: sim, ns: newNamespace(t), cloud: "hw-iam"}
	// Region and IAM endpoint come from clouds.yaml; the project from the
	// token.
	s.createCloudWith(s.cloud, map[string]string{"clouds.yaml": sim.HuaweiCloudsYAML("hw")}, func(c *imagesv1.Cloud) {
		c.Spec.Provider = imagesv1.ProviderHuaweiCloud
		c.Spec.Endpoints = &imagesv1.CloudEndpoints{Compute: sim.HuaweiECSURL(), Image: sim.HuaweiIMSURL()}
	})
	s.waitCloudReady(s.cloud)
	srv := sim.AddServer(fakecloud.Server{})
	s.serverImage("tok", srv.ID)
	si := s.waitReady("tok")
	if img := s.huaweiOnlyImage(); img.ID != si.Status.ImageID {
		t.Errorf("status.imageID %q, cloud image %q", si.Status.ImageID, img.ID)
	}
	// One Provider per Cloud: the 24 h token is shared by the Cloud check
	// and the ServerImage, not fetched per call.
	if n := sim.Calls(fakecloud.OpAuth); n != 1 {
		t.Errorf("%d IAM logins, want 1", n)
	}
}

func TestHuaweiWrongSecretKeyMakesTheCloudNotReady(t *testing.T) {
	t.Parallel()
	const wrongSK = "Wr0ng-SK-that-must-never-leak-5c1d9e7a2b"
	sim := fakecloud.New(fakecloud.Options{})
	t.Cleanup(sim.Close)
	s := &scenario{t: t, sim: sim, ns: newNamespace(t), cloud: "hw-bad"}
	secret := huaweiAKSK(sim)
	secret["secretKey"] = wrongSK
	s.createCloudWith(s.cloud, secret, huaweiCloud(sim))

	cond := s.waitCloudNotReady(s.cloud, imagesv1.ReasonAuthenticationFailed)
	for _, want := range []string{"401", "APIGW.0301", "Incorrect IAM authentication information: verify aksk signature fail"} {
		if !strings.Contains(cond.Message, want) {
			t.Errorf("Ready message %q does not contain %q", cond.Message, want)
		}
	}
	for _, secret := range []string{wrongSK, sim.HuaweiSecretKey()} {
		if strings.Contains(cond.Message, secret) || strings.Contains(logSink.String(), secret) {
			t.Errorf("a secret key leaked into the condition or the logs")
		}
	}
}

func TestHuaweiBusyServerThenSuccess(t *testing.T) {
	t.Parallel()
	s := newHuaweiScenario(t, fakecloud.Options{})
	srv := s.sim.AddServer(fakecloud.Server{})
	s.sim.InjectFault(fakecloud.Fault{Op: fakecloud.OpCreateImage, Status: 409,
		Message: "Cannot 'createImage' instance " + srv.ID + " while it is in task_state image_uploading"})
	s.serverImage("busy", srv.ID)

	note := s.waitEvent("busy", "Warning", imagesv1.ReasonServerBusy)
	if !contains(note, "409") || !contains(note, "task_state image_uploading") {
		t.Errorf("busy event does not carry the status and the cloud's message: %q", note)
	}
	si := s.waitReady("busy")
	if img := s.huaweiOnlyImage(); img.ID != si.Status.ImageID {
		t.Errorf("status.imageID %q, cloud image %q", si.Status.ImageID, img.ID)
	}
}

func TestHuaweiThrottledThenSuccess(t *testing.T) {
	t.Parallel()
	s := newHuaweiScenario(t, fakecloud.Options{})
	srv := s.sim.AddServer(fakecloud.Server{})
	s.sim.InjectFault(fakecloud.Fault{Op: fakecloud.OpCreateImage, Status: 429, RetryAfter: "1"})
	s.serverImage("slow-down", srv.ID)

	note := s.waitEvent("slow-down", "Warning", imagesv1.ReasonRateLimited)
	if !contains(note, "429") || !contains(note, "APIG.0308") || !contains(note, "The throttling threshold has been reached") {
		t.Errorf("rate-limit event %q", note)
	}
	s.waitReady("slow-down")
	s.huaweiOnlyImage()
	if n := s.sim.Calls(fakecloud.OpCreateImage); n != 2 {
		t.Errorf("createImage called %d times, want 2 (throttled, then accepted)", n)
	}
}

func TestHuaweiDroppedCreateResponseYieldsExactlyOneImage(t *testing.T) {
	t.Parallel()
	s := newHuaweiScenario(t, fakecloud.Options{})
	srv := s.sim.AddServer(fakecloud.Server{})
	s.sim.InjectFault(fakecloud.Fault{Op: fakecloud.OpCreateImage, DropResponse: true})
	s.serverImage("lost", srv.ID)

	si := s.waitReady("lost")
	img := s.huaweiOnlyImage()
	if img.ID != si.Status.ImageID {
		t.Errorf("status.imageID %q is not the image the cloud created (%q)", si.Status.ImageID, img.ID)
	}
	if n := s.sim.Calls(fakecloud.OpCreateImage); n != 1 {
		t.Errorf("createImage reached the cloud %d times, want 1", n)
	}
	s.waitEvent("lost", "Normal", "Adopted")
}

func TestHuaweiKilledImageStalls(t *testing.T) {
	t.Parallel()
	s := newHuaweiScenario(t, fakecloud.Options{})
	srv := s.sim.AddServer(fakecloud.Server{})
	s.sim.FreezeImages(true)
	s.serverImage("doomed", srv.ID)
	si := s.waitCondition("doomed", imagesv1.ConditionReconciling, imagesv1.ReasonImageSaving)
	s.sim.SetImageStatus(si.Status.ImageID, fakecloud.StatusKilled)

	si = s.waitCondition("doomed", imagesv1.ConditionStalled, imagesv1.ReasonImageFailed)
	if c := readyOf(si); c.Status != metav1.ConditionFalse || !contains(c.Message, "killed") {
		t.Errorf("Ready condition %+v", c)
	}
	s.waitEvent("doomed", "Warning", imagesv1.ReasonImageFailed)
}

func TestHuaweiDeletePolicyRemovesTheImage(t *testing.T) {
	t.Parallel()
	s := newHuaweiScenario(t, fakecloud.Options{})
	srv := s.sim.AddServer(fakecloud.Server{})
	s.serverImage("tmp", srv.ID, func(si *imagesv1.ServerImage) { si.Spec.DeletionPolicy = imagesv1.DeletionPolicyDelete })
	si := s.waitReady("tmp")
	if err := k8s.Delete(context.Background(), si); err != nil {
		t.Fatal(err)
	}
	s.waitGone("tmp")
	if _, exists := s.sim.Image(si.Status.ImageID); exists {
		t.Errorf("image %s still exists after the ServerImage was deleted", si.Status.ImageID)
	}
	if n := s.sim.Calls(fakecloud.OpDeleteImage); n != 1 {
		t.Errorf("deleteImage called %d times, want 1", n)
	}
}

func TestHuaweiImageNameTooLongStallsWithoutCreating(t *testing.T) {
	t.Parallel()
	s := newHuaweiScenario(t, fakecloud.Options{})
	srv := s.sim.AddServer(fakecloud.Server{})
	s.serverImage("long", srv.ID, func(si *imagesv1.ServerImage) { si.Spec.ImageName = strings.Repeat("n", 240) })

	si := s.waitCondition("long", imagesv1.ConditionStalled, imagesv1.ReasonInvalidRequest)
	if c := readyOf(si); !contains(c.Message, "shorter than 243 bytes") || !contains(c.Message, "at most 233 bytes") {
		t.Errorf("Ready message %q does not explain the limit", c.Message)
	}
	// Give the operator time for a retry it must not make.
	time.Sleep(500 * time.Millisecond)
	if n := s.sim.Calls(fakecloud.OpCreateImage); n != 0 {
		t.Errorf("createImage called %d times for a name the cloud would refuse", n)
	}
}
