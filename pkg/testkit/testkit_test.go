package testkit_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
	"github.com/serverimage-operator/serverimage-operator/pkg/fakecloud"
	"github.com/serverimage-operator/serverimage-operator/pkg/testkit"
)

var (
	cfg *rest.Config
	k8s client.Client
)

// TestMain starts one control plane with the CRDs from AddCRDs alone (no
// CRD directory), and one operator from StartOperator, as a user would.
func TestMain(m *testing.M) {
	env := &envtest.Environment{}
	if err := testkit.AddCRDs(env); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	var err error
	if cfg, err = env.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "envtest (is KUBEBUILDER_ASSETS set? `make envtest`):", err)
		os.Exit(1)
	}
	code := run(m)
	_ = env.Stop()
	os.Exit(code)
}

// credentialsNS holds the ClusterClouds' credentials Secrets.
const credentialsNS = "serverimage-credentials"

func run(m *testing.M) int {
	var err error
	if k8s, err = client.New(cfg, client.Options{Scheme: testkit.Scheme()}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if err := k8s.Create(context.Background(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: credentialsNS}}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	op, err := testkit.StartOperator(context.Background(), cfg, testkit.Options{ClusterCloudNamespace: credentialsNS})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer func() { _ = op.Stop() }()
	return m.Run()
}

// namespace creates a namespace for one test, named after prefix.
func namespace(t *testing.T, prefix string) string {
	t.Helper()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: prefix + "-"}}
	if err := k8s.Create(t.Context(), ns); err != nil {
		t.Fatal(err)
	}
	return ns.Name
}

func serverImage(ns, name, cloud, serverID string) *imagesv1.ServerImage {
	return &imagesv1.ServerImage{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec:       imagesv1.ServerImageSpec{CloudRef: imagesv1.CloudReference{Name: cloud}, ServerID: serverID},
	}
}

func startSim(t *testing.T, opts fakecloud.Options) *fakecloud.Cloud {
	t.Helper()
	sim, err := fakecloud.Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sim.Close)
	return sim
}

// TestEveryDialect: the Secret and Cloud fakecloud makes reach each
// dialect, its rate limit is one the operator understands (it waits as
// told, and says so), and an image built there makes the ServerImage
// Ready with the simulator's image ID.
func TestEveryDialect(t *testing.T) {
	for i, d := range fakecloud.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			ns := namespace(t, fmt.Sprintf("dialect-%d", i))
			sim := startSim(t, fakecloud.Options{Dialect: d, BuildTime: 300 * time.Millisecond})
			server := sim.AddServer("web-1")
			sim.RateLimitNext(fakecloud.OpCreateImage, time.Second)
			if _, err := testkit.CreateCloud(t.Context(), k8s, sim, ns, "sim"); err != nil {
				t.Fatal(err)
			}
			si := serverImage(ns, "golden", "sim", server.ID)
			if err := k8s.Create(t.Context(), si); err != nil {
				t.Fatal(err)
			}
			got := testkit.RequireReady(t, k8s, client.ObjectKeyFromObject(si), time.Minute)
			img, ok := sim.Image(got.Status.ImageID)
			if !ok || img.Status != fakecloud.ImageActive || img.ServerID != server.ID {
				t.Fatalf("status.imageID %q: simulator has %+v (found %v), want an active image of %s", got.Status.ImageID, img, ok, server.ID)
			}
			if n := sim.Calls(fakecloud.OpCreateImage); n != 2 {
				t.Errorf("%d createImage calls, want 2: the rate-limited one and the one after", n)
			}
			if !hasEvent(t, ns, "golden", imagesv1.ReasonRateLimited) {
				t.Errorf("no %s Event", imagesv1.ReasonRateLimited)
			}
		})
	}
}

// TestClusterCloud: a ClusterCloud from CreateClusterCloud serves the
// namespaces it allows, and only those.
func TestClusterCloud(t *testing.T) {
	allowed, other := namespace(t, "team-a"), namespace(t, "team-b")
	sim := startSim(t, fakecloud.Options{BuildTime: 300 * time.Millisecond})
	server := sim.AddServer("web-1")
	name := "sim-" + allowed // cluster-scoped: one per test run
	cc, err := testkit.CreateClusterCloud(t.Context(), k8s, sim, credentialsNS, name, allowed)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = k8s.Delete(context.Background(), cc) })
	ref := imagesv1.CloudReference{Kind: imagesv1.KindClusterCloud, Name: name}
	ok, refused := serverImage(allowed, "golden", name, server.ID), serverImage(other, "golden", name, server.ID)
	ok.Spec.CloudRef, refused.Spec.CloudRef = ref, ref
	for _, si := range []*imagesv1.ServerImage{ok, refused} {
		if err := k8s.Create(t.Context(), si); err != nil {
			t.Fatal(err)
		}
	}
	got := testkit.RequireReady(t, k8s, client.ObjectKeyFromObject(ok), time.Minute)
	if img, found := sim.Image(got.Status.ImageID); !found || img.Status != fakecloud.ImageActive {
		t.Fatalf("status.imageID %q: simulator has %+v (found %v), want an active image", got.Status.ImageID, img, found)
	}
	var stalled *metav1.Condition
	deadline := time.Now().Add(30 * time.Second)
	for stalled == nil && time.Now().Before(deadline) {
		var si imagesv1.ServerImage
		if err := k8s.Get(t.Context(), client.ObjectKeyFromObject(refused), &si); err != nil {
			t.Fatal(err)
		}
		if c := meta.FindStatusCondition(si.Status.Conditions, imagesv1.ConditionReady); c != nil && c.Reason == imagesv1.ReasonCloudNotAllowed {
			stalled = c
		}
		time.Sleep(100 * time.Millisecond)
	}
	if stalled == nil {
		t.Fatalf("the ServerImage in %s, which %s does not allow, is not refused with %s", other, name, imagesv1.ReasonCloudNotAllowed)
	}
	if n := sim.Calls(fakecloud.OpCreateImage); n != 1 {
		t.Errorf("%d createImage calls, want 1: the refused namespace must make none", n)
	}
}

// TestFaults: a failed create, a rate limit and a lost response still end
// in one image, and the ledger shows the calls the faults cost.
func TestFaults(t *testing.T) {
	ns := namespace(t, "faults")
	sim := startSim(t, fakecloud.Options{})
	server := sim.AddServer("web-1")
	sim.FailNext(fakecloud.OpCreateImage, 1, 500)
	sim.RateLimitNext(fakecloud.OpCreateImage, time.Second)
	sim.DropNextCreateResponse()
	if _, err := testkit.CreateCloud(t.Context(), k8s, sim, ns, "sim", testkit.PollInterval(100*time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	si := serverImage(ns, "golden", "sim", server.ID)
	if err := k8s.Create(t.Context(), si); err != nil {
		t.Fatal(err)
	}
	testkit.RequireReady(t, k8s, client.ObjectKeyFromObject(si), time.Minute)
	// The 500, the 429, and the create whose answer was lost, whose image
	// the operator then found and adopted.
	if n := sim.Calls(fakecloud.OpCreateImage); n != 3 {
		t.Errorf("%d createImage calls, want 3 (ledger %v)", n, sim.Ledger())
	}
	if n := len(sim.Images()); n != 1 {
		t.Errorf("%d images, want exactly 1", n)
	}
}

// TestNotReadyMessage: a wait that ends says why: the conditions, the
// Cloud's and the Events, in the cloud's own words.
func TestNotReadyMessage(t *testing.T) {
	ns := namespace(t, "not-ready")
	sim := startSim(t, fakecloud.Options{})
	server := sim.AddServer("web-1")
	sim.SetServerStatus(server.ID, "ERROR")
	if _, err := testkit.CreateCloud(t.Context(), k8s, sim, ns, "sim"); err != nil {
		t.Fatal(err)
	}
	si := serverImage(ns, "golden", "sim", server.ID)
	if err := k8s.Create(t.Context(), si); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	_, err := testkit.WaitForReady(ctx, k8s, client.ObjectKeyFromObject(si))
	if err == nil {
		t.Fatal("Ready with its server in ERROR")
	}
	for _, want := range []string{
		"ServerImage " + ns + "/golden is not Ready after",
		"Ready=False",
		"vm_state error",
		"Cloud " + ns + "/sim conditions:\n    Ready=True",
		"\n    Warning ServerNotReady: createImage: HTTP 409",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message lacks %q:\n%v", want, err)
		}
	}
}

// TestRegisterWithoutCRDs: a control plane that does not serve the kinds
// is reported at once, saying how to install them, instead of the manager
// failing minutes later when its caches time out. (The mapper stands in
// for a control plane started without AddCRDs.)
func TestRegisterWithoutCRDs(t *testing.T) {
	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		Scheme:  testkit.Scheme(),
		Metrics: metricsserver.Options{BindAddress: "0"},
		MapperProvider: func(*rest.Config, *http.Client) (meta.RESTMapper, error) {
			return meta.NewDefaultRESTMapper(nil), nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	err = testkit.Register(t.Context(), mgr, testkit.Options{})
	if err == nil || !strings.Contains(err.Error(), "testkit.AddCRDs(env) before env.Start") {
		t.Fatalf("Register without the CRDs: %v", err)
	}
}

func hasEvent(t *testing.T, ns, name, reason string) bool {
	t.Helper()
	var list eventsv1.EventList
	if err := k8s.List(t.Context(), &list, client.InNamespace(ns)); err != nil {
		t.Fatal(err)
	}
	for _, e := range list.Items {
		if e.Regarding.Name == name && e.Reason == reason {
			return true
		}
	}
	return false
}
