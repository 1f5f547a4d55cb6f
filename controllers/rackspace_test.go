package controllers_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/controller-runtime/pkg/client"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
	// The Rackspace driver registers itself; linked here until the lead
	// adds it to internal/cloud/drivers.
	_ "github.com/serverimage-operator/serverimage-operator/internal/cloud/rackspace"
	"github.com/serverimage-operator/serverimage-operator/internal/fakecloud"
)

// The real Rackspace driver against the simulator's Rackspace dialect
// (Identity v2.0 API key + Cloud Servers v2).

func rackspaceSecret(sim *fakecloud.Cloud) map[string]string {
	return map[string]string{"username": sim.RackspaceUsername(), "apiKey": sim.RackspaceAPIKey()}
}

func rackspaceCloud(sim *fakecloud.Cloud) func(*imagesv1.Cloud) {
	return func(c *imagesv1.Cloud) {
		c.Spec.Provider = imagesv1.ProviderRackspace
		c.Spec.Endpoints = &imagesv1.CloudEndpoints{Identity: sim.RackspaceIdentityURL()}
	}
}

// newRackspaceScenario is newProviderScenario for Rackspace, whose Secret
// and identity URL depend on the running simulator.
func newRackspaceScenario(t *testing.T, opts fakecloud.Options, mutate ...func(*imagesv1.Cloud)) *scenario {
	t.Helper()
	sim := fakecloud.New(opts)
	t.Cleanup(sim.Close)
	s := &scenario{t: t, sim: sim, ns: newNamespace(t), cloud: "rax"}
	s.createCloudWith(s.cloud, rackspaceSecret(sim), append([]func(*imagesv1.Cloud){rackspaceCloud(sim)}, mutate...)...)
	s.waitCloudReady(s.cloud)
	return s
}

// Progress while SAVING is asserted in the driver's tests: the reconciler
// refreshes the shown progress only every ProgressRefreshInterval (a
// minute), too slow for this suite; here it must read 100 once Ready.
func TestRackspaceHappyPathReachesReadyWithProgressAndTheLocationImageID(t *testing.T) {
	t.Parallel()
	s := newRackspaceScenario(t, fakecloud.Options{})
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
	if si.Status.ImageID != img.ID || si.Status.ImageName != "web-golden" {
		t.Errorf("status.imageID %q name %q; the cloud's image is %q", si.Status.ImageID, si.Status.ImageName, img.ID)
	}
	if img.Name != "web-golden" || img.Properties["ImageType"] != "Gold" || img.Properties["serverimage_uid"] != string(si.UID) {
		t.Errorf("image created with name %q properties %v", img.Name, img.Properties)
	}
	st := si.Status
	if st.ImageStatus != "ACTIVE" || st.Progress == nil || *st.Progress != 100 || st.SizeBytes == nil ||
		st.ActivatedTime == nil || st.CreateRequestedTime == nil {
		t.Errorf("status not complete: %+v", st)
	}
	if want := s.sim.RackspaceComputeURL(s.sim.RackspaceDefaultRegion()) + "/images/" + img.ID; st.ImageURL != want {
		t.Errorf("imageURL %q, want %q (the user's default region)", st.ImageURL, want)
	}
	if n := s.sim.Calls(fakecloud.OpCreateImage); n != 1 {
		t.Errorf("createImage called %d times, want 1", n)
	}
	s.waitEvent("web", "Normal", imagesv1.ReasonImageActive)
}

func TestRackspaceCloudReadiness(t *testing.T) {
	t.Parallel()
	const leak = "0ddba11c0ffee0ddba11c0ffee5ec7e7"
	cases := []struct {
		name       string
		secret     func(sim *fakecloud.Cloud) map[string]string
		mutate     func(c *imagesv1.Cloud)
		wantReason string // "" means Ready
		wantInMsg  []string
	}{
		{
			name: "password credentials",
			secret: func(sim *fakecloud.Cloud) map[string]string {
				return map[string]string{"username": sim.RackspaceUsername(), "password": sim.RackspacePassword()}
			},
		},
		{
			name: "wrong API key",
			secret: func(sim *fakecloud.Cloud) map[string]string {
				return map[string]string{"username": sim.RackspaceUsername(), "apiKey": leak}
			},
			wantReason: imagesv1.ReasonAuthenticationFailed,
			wantInMsg:  []string{"401", "Username or api key is invalid."},
		},
		{
			name:       "region without Cloud Servers",
			secret:     rackspaceSecret,
			mutate:     func(c *imagesv1.Cloud) { c.Spec.Region = "SYD" },
			wantReason: imagesv1.ReasonInvalidConfiguration,
			wantInMsg:  []string{"region SYD", "available: DFW, ORD"},
		},
		{
			name: "no API key in the Secret",
			secret: func(sim *fakecloud.Cloud) map[string]string {
				return map[string]string{"username": sim.RackspaceUsername()}
			},
			wantReason: imagesv1.ReasonInvalidConfiguration,
			wantInMsg:  []string{`"apiKey"`},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			sim := fakecloud.New(fakecloud.Options{})
			t.Cleanup(sim.Close)
			s := &scenario{t: t, sim: sim, ns: newNamespace(t), cloud: "rax"}
			mutate := []func(*imagesv1.Cloud){rackspaceCloud(sim)}
			if tc.mutate != nil {
				mutate = append(mutate, tc.mutate)
			}
			s.createCloudWith("rax", tc.secret(sim), mutate...)
			if tc.wantReason == "" {
				s.waitCloudReady("rax")
				return
			}
			cond := s.waitCloudNotReady("rax", tc.wantReason)
			for _, want := range tc.wantInMsg {
				if !strings.Contains(cond.Message, want) {
					t.Errorf("message %q does not contain %q", cond.Message, want)
				}
			}
			if strings.Contains(cond.Message, leak) || strings.Contains(logSink.String(), leak) {
				t.Errorf("the API key leaked into the condition or the logs")
			}
		})
	}
}

func TestRackspaceBusyServerThenSuccess(t *testing.T) {
	t.Parallel()
	s := newRackspaceScenario(t, fakecloud.Options{})
	srv := s.sim.AddServer(fakecloud.Server{})
	// Busy at create time, twice (a 409 the server check could not see).
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
	if n := s.sim.Calls(fakecloud.OpCreateImage); n != 3 {
		t.Errorf("createImage reached the cloud %d times, want 3 (two refused, one accepted)", n)
	}
}

// callTimes records when the simulator's count of op changes, so that a
// test can measure the gap between two calls.
func callTimes(t *testing.T, sim *fakecloud.Cloud, op fakecloud.Op) func() []time.Time {
	var (
		mu    sync.Mutex
		times []time.Time
	)
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		seen := sim.Calls(op)
		for {
			select {
			case <-done:
				return
			case <-time.After(2 * time.Millisecond):
			}
			if n := sim.Calls(op); n != seen {
				mu.Lock()
				for ; seen < n; seen++ {
					times = append(times, time.Now())
				}
				mu.Unlock()
			}
		}
	}()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			close(done)
			<-stopped
		})
	}
	t.Cleanup(stop)
	return func() []time.Time {
		stop()
		mu.Lock()
		defer mu.Unlock()
		return append([]time.Time(nil), times...)
	}
}

func TestRackspaceRateLimitHonoursRetryAfter(t *testing.T) {
	t.Parallel()
	s := newRackspaceScenario(t, fakecloud.Options{})
	srv := s.sim.AddServer(fakecloud.Server{})
	// Repose's rate control: 413 overLimit, Retry-After header and retryAt.
	s.sim.InjectFault(fakecloud.Fault{Op: fakecloud.OpCreateImage, Status: 413, RetryAfter: "1"})
	creates := callTimes(t, s.sim, fakecloud.OpCreateImage)
	s.serverImage("limited", srv.ID)

	note := s.waitEvent("limited", "Warning", imagesv1.ReasonRateLimited)
	if !contains(note, "413") {
		t.Errorf("rate-limit event does not carry the HTTP status: %q", note)
	}
	s.waitReady("limited")
	times := creates()
	if len(times) != 2 {
		t.Fatalf("createImage reached the cloud %d times, want 2", len(times))
	}
	// Without Retry-After the first retry would come after 0.5–1s of
	// backoff; Retry-After: 1 means not before a second has passed.
	if gap := times[1].Sub(times[0]); gap < time.Second {
		t.Errorf("retried after %s, before the Retry-After of 1s", gap)
	}
	if n := len(s.sim.Images()); n != 1 {
		t.Errorf("simulator has %d images, want 1", n)
	}
}

func TestRackspaceDroppedCreateResponseYieldsExactlyOneImage(t *testing.T) {
	t.Parallel()
	s := newRackspaceScenario(t, fakecloud.Options{})
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

func TestRackspaceImageErrorStalls(t *testing.T) {
	t.Parallel()
	s := newRackspaceScenario(t, fakecloud.Options{QueuedFor: 500 * time.Millisecond, SavingFor: time.Second})
	srv := s.sim.AddServer(fakecloud.Server{})
	// The image goes to ERROR (Glance "killed") as soon as it exists.
	go func() {
		for range 400 {
			for _, img := range s.sim.Images() {
				s.sim.SetImageStatus(img.ID, fakecloud.StatusKilled)
				return
			}
			time.Sleep(5 * time.Millisecond)
		}
	}()
	s.serverImage("doomed", srv.ID)
	si := s.waitCondition("doomed", imagesv1.ConditionStalled, imagesv1.ReasonImageFailed)
	if c := readyOf(si); c == nil || c.Status != metav1.ConditionFalse || !contains(c.Message, "ERROR") {
		t.Errorf("Ready condition does not report the ERROR status: %+v", c)
	}
	if si.Status.ImageStatus != "ERROR" {
		t.Errorf("imageStatus %q, want ERROR", si.Status.ImageStatus)
	}
	s.waitEvent("doomed", "Warning", imagesv1.ReasonImageFailed)
}

func TestRackspaceDeletePolicyRemovesTheImage(t *testing.T) {
	t.Parallel()
	s := newRackspaceScenario(t, fakecloud.Options{}, func(c *imagesv1.Cloud) { c.Spec.Region = "ORD" })
	srv := s.sim.AddServer(fakecloud.Server{})
	s.serverImage("img", srv.ID, func(si *imagesv1.ServerImage) { si.Spec.DeletionPolicy = imagesv1.DeletionPolicyDelete })
	si := s.waitReady("img")
	if !strings.HasPrefix(si.Status.ImageURL, s.sim.RackspaceComputeURL("ORD")+"/") {
		t.Errorf("imageURL %q is not in the Cloud's region ORD", si.Status.ImageURL)
	}
	if err := k8s.Delete(context.Background(), si); err != nil {
		t.Fatal(err)
	}
	s.waitGone("img")
	if _, exists := s.sim.Image(si.Status.ImageID); exists {
		t.Errorf("image %s still exists after the ServerImage with deletionPolicy Delete was deleted", si.Status.ImageID)
	}
	if n := s.sim.Calls(fakecloud.OpDeleteImage); n != 1 {
		t.Errorf("deleteImage called %d times, want 1", n)
	}
}

func TestRackspaceTooMuchMetadataStallsWithoutCreating(t *testing.T) {
	t.Parallel()
	s := newRackspaceScenario(t, fakecloud.Options{})
	srv := s.sim.AddServer(fakecloud.Server{})
	meta := map[string]imagesv1.MetadataValue{}
	for i := range 41 {
		meta[fmt.Sprintf("key%02d", i)] = "v"
	}
	s.serverImage("heavy", srv.ID, func(si *imagesv1.ServerImage) { si.Spec.Metadata = meta })
	si := s.waitCondition("heavy", imagesv1.ConditionStalled, imagesv1.ReasonInvalidRequest)
	c := readyOf(si)
	if c == nil || c.Status != metav1.ConditionFalse || !contains(c.Message, "at most 40 per image") || !contains(c.Message, "remove at least 2 entries") {
		t.Errorf("Ready condition does not explain the limit: %+v", c)
	}
	if n := s.sim.Calls(fakecloud.OpCreateImage); n != 0 {
		t.Errorf("createImage reached the cloud %d times, want 0", n)
	}
	if n := len(s.sim.Images()); n != 0 {
		t.Errorf("simulator has %d images, want 0", n)
	}
}

// The samples must pass the CRDs' schemas and CEL rules as written.
func TestRackspaceSamplesAreAccepted(t *testing.T) {
	t.Parallel()
	ns := newNamespace(t)
	files, err := filepath.Glob(filepath.Join("..", "config", "samples", "rackspace_*.yaml"))
	if err != nil || len(files) != 3 {
		t.Fatalf("want the Secret, Cloud and ServerImage samples, found %v (%v)", files, err)
	}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		obj := &unstructured.Unstructured{}
		if err := utilyaml.NewYAMLOrJSONDecoder(strings.NewReader(string(raw)), 4096).Decode(&obj.Object); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		obj.SetNamespace(ns)
		if err := k8s.Create(context.Background(), obj, client.DryRunAll, client.FieldValidation("Strict")); err != nil {
			t.Errorf("%s is rejected: %v", f, err)
		}
	}
}
