package upgrade_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/go-logr/logr"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	upgrade "github.com/serverimage-operator/serverimage-operator/examples/envtest"
	"github.com/serverimage-operator/serverimage-operator/pkg/fakecloud"
	"github.com/serverimage-operator/serverimage-operator/pkg/testkit"
)

// k8s reads straight from the API server: the manager's cached client
// may not have seen an object the test just created.
var k8s client.Client

// TestMain runs the control plane and one manager with both the team's
// controller and the operator's, as the team's own suite would.
func TestMain(m *testing.M) {
	ctrl.SetLogger(logr.Discard())
	env := &envtest.Environment{}
	if err := testkit.AddCRDs(env); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	cfg, err := env.Start()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := func() int {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		mgr, err := ctrl.NewManager(cfg, ctrl.Options{Scheme: testkit.Scheme(), Metrics: metricsserver.Options{BindAddress: "0"}})
		if err == nil {
			err = testkit.Register(ctx, mgr, testkit.Options{})
		}
		if err == nil {
			err = (&upgrade.Reconciler{Client: mgr.GetClient(), Cloud: "sim"}).SetupWithManager(mgr)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		if k8s, err = client.New(cfg, client.Options{Scheme: testkit.Scheme()}); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		go func() { _ = mgr.Start(ctx) }()
		mgr.GetCache().WaitForCacheSync(ctx)
		return m.Run()
	}()
	_ = env.Stop()
	os.Exit(code)
}

// requestUpgrade starts a simulated cloud with one server, a Cloud "sim"
// for it in a new namespace named after prefix, and requests the
// server's upgrade.
func requestUpgrade(t *testing.T, prefix string, prepare func(sim *fakecloud.Cloud, server fakecloud.Server)) (*fakecloud.Cloud, client.ObjectKey) {
	t.Helper()
	ctx := t.Context()
	sim, err := fakecloud.Start(fakecloud.Options{BuildTime: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sim.Close)
	server := sim.AddServer("web-1")
	prepare(sim, server)
	nsObj := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: prefix + "-"}}
	if err := k8s.Create(ctx, nsObj); err != nil {
		t.Fatal(err)
	}
	ns := nsObj.Name
	if _, err := testkit.CreateCloud(ctx, k8s, sim, ns, "sim"); err != nil {
		t.Fatal(err)
	}
	req := &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "web-1", Labels: map[string]string{upgrade.Label: ""}},
		Data:       map[string]string{upgrade.KeyServerID: server.ID},
	}
	if err := k8s.Create(ctx, req); err != nil {
		t.Fatal(err)
	}
	return sim, client.ObjectKeyFromObject(req)
}

// watchPhase reads the request until it says Upgrading and fails the test
// if, at any read before, it said Upgrading while the simulator had no
// active image: the upgrade must never overtake its snapshot.
func watchPhase(t *testing.T, sim *fakecloud.Cloud, key client.ObjectKey) (imageID string) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		var cm corev1.ConfigMap
		if err := k8s.Get(t.Context(), key, &cm); err != nil {
			t.Fatal(err)
		}
		if cm.Data[upgrade.KeyPhase] == upgrade.PhaseUpgrading {
			img, ok := sim.Image(cm.Data[upgrade.KeyImageID])
			if !ok || img.Status != fakecloud.ImageActive {
				t.Fatalf("upgrading with image %q, which the cloud has as %+v (found %v)", cm.Data[upgrade.KeyImageID], img, ok)
			}
			return img.ID
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%s never reached phase %s", key, upgrade.PhaseUpgrading)
	return ""
}

// TestUpgradeWaitsForSnapshot: while the cloud holds the image back the
// request stays Snapshotting; once it is built the upgrade proceeds.
func TestUpgradeWaitsForSnapshot(t *testing.T) {
	sim, key := requestUpgrade(t, "waits", func(sim *fakecloud.Cloud, _ fakecloud.Server) { sim.FreezeBuilds(true) })
	snapshot := client.ObjectKey{Namespace: key.Namespace, Name: key.Name + "-before-upgrade"}
	// Snapshotting, and the image requested: the controller now waits.
	for sim.Calls(fakecloud.OpCreateImage) == 0 || phaseOf(t, key) != upgrade.PhaseSnapshotting {
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(2 * time.Second) // several poll intervals with the build frozen
	if p := phaseOf(t, key); p != upgrade.PhaseSnapshotting {
		t.Fatalf("phase %q while the image is still building", p)
	}
	sim.FreezeBuilds(false)
	si := testkit.RequireReady(t, k8s, snapshot, time.Minute)
	if id := watchPhase(t, sim, key); id != si.Status.ImageID {
		t.Errorf("upgrading with image %s, the ServerImage has %s", id, si.Status.ImageID)
	}
}

// TestUpgradeWaitsWhenTheCloudFailsFirst: the cloud refuses the first
// createImage; the operator retries, and the upgrade still waits for the
// image that was built.
func TestUpgradeWaitsWhenTheCloudFailsFirst(t *testing.T) {
	sim, key := requestUpgrade(t, "fails-first", func(sim *fakecloud.Cloud, _ fakecloud.Server) {
		sim.FailNext(fakecloud.OpCreateImage, 1, 503)
	})
	id := watchPhase(t, sim, key)
	if n := sim.Calls(fakecloud.OpCreateImage); n != 2 {
		t.Errorf("%d createImage calls, want 2: the refused one and the retry", n)
	}
	if imgs := sim.Images(); len(imgs) != 1 || imgs[0].ID != id {
		t.Errorf("cloud has images %+v, want only %s", imgs, id)
	}
}

func phaseOf(t *testing.T, key client.ObjectKey) string {
	t.Helper()
	var cm corev1.ConfigMap
	if err := k8s.Get(t.Context(), key, &cm); err != nil {
		t.Fatal(err)
	}
	return cm.Data[upgrade.KeyPhase]
}
