package ha

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	ctrlconfig "sigs.k8s.io/controller-runtime/pkg/config"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
	"github.com/serverimage-operator/serverimage-operator/controllers"
	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
	"github.com/serverimage-operator/serverimage-operator/internal/fakecloud"
	"github.com/serverimage-operator/serverimage-operator/internal/kubetest"
)

// Short leader-election timings so that a takeover costs seconds, not the
// production 15 s lease.
const (
	leaseDuration = 2 * time.Second
	renewDeadline = 1500 * time.Millisecond
	retryPeriod   = 200 * time.Millisecond
	waitTimeout   = 60 * time.Second
)

// TestLeaderKilledMidRunNeverDoubleCreates runs two replicas; the leader is
// killed (its context cancelled, its lease not released, as in a crash)
// after it has created a third of the images; the standby takes over.
func TestLeaderKilledMidRunNeverDoubleCreates(t *testing.T) {
	const n = 30
	sim := fakecloud.New(fakecloud.Options{QueuedFor: 200 * time.Millisecond, SavingFor: 300 * time.Millisecond})
	t.Cleanup(sim.Close)
	// Slow creates, so that the kill lands with creates done, in flight
	// and still to do.
	sim.InjectFault(fakecloud.Fault{Op: fakecloud.OpCreateImage, Latency: 100 * time.Millisecond, Times: 1 << 20})
	front := newRecordingFront(t, sim)
	ns := newNamespace(t)
	createCloud(ns, sim, front.URL())

	a, b := startReplica(t, ns.Name), startReplica(t, ns.Name)
	leader, standby := waitLeader(t, a, b)

	servers := make([]string, n)
	for i := range servers {
		servers[i] = sim.AddServer(fakecloud.Server{}).ID
		ns.CreateServerImage(fmt.Sprintf("img-%02d", i), "ha", servers[i])
	}

	ns.Until(t, "the leader to create a third of the images", func() bool { return len(front.creates()) >= n/3 })
	authBeforeKill := sim.Calls(fakecloud.OpAuth)
	killedAt := time.Now()
	leader.kill(t)
	stoppedAt := time.Now()
	select {
	case <-standby.mgr.Elected():
	case <-time.After(waitTimeout):
		t.Fatal("the standby never took over")
	}
	objects := waitAllReady(ns, n)

	// The standby stayed away from the cloud while it was not leading:
	// one token request in all (the leader's), and no request with a
	// second token before the kill.
	if authBeforeKill != 1 {
		t.Errorf("%d token requests before the kill, want 1 (the leader's only)", authBeforeKill)
	}
	creates := front.creates()
	byToken := map[string][]time.Time{}
	for _, c := range creates {
		byToken[c.token] = append(byToken[c.token], c.at)
	}
	if len(byToken) != 2 {
		t.Fatalf("creates came with %d tokens, want 2 (one per replica): %v", len(byToken), tokenSummary(byToken))
	}
	first := creates[0].token
	var leaderLast, standbyFirst time.Time
	for tok, times := range byToken {
		if tok == first {
			leaderLast = times[len(times)-1]
		} else {
			standbyFirst = times[0]
		}
	}
	// Only one replica created at a time: every create of the killed
	// leader came before the standby's first, the leader's stopped when
	// it was stopped, and the standby's began after the kill.
	if !leaderLast.Before(standbyFirst) {
		t.Errorf("the replicas' creates overlap: leader's last at %s, standby's first at %s", leaderLast.Format(time.StampMicro), standbyFirst.Format(time.StampMicro))
	}
	if leaderLast.After(stoppedAt) {
		t.Errorf("the killed leader created at %s, after it stopped at %s", leaderLast.Format(time.StampMicro), stoppedAt.Format(time.StampMicro))
	}
	if standbyFirst.Before(killedAt) {
		t.Errorf("the standby created at %s, before the leader was killed at %s", standbyFirst.Format(time.StampMicro), killedAt.Format(time.StampMicro))
	}
	for _, r := range front.requests() {
		if r.token != "" && r.token != first && r.at.Before(killedAt) {
			t.Errorf("the standby called the cloud (%s %s) while the leader was alive", r.method, r.path)
			break
		}
	}
	// Every create went through the recording front (the simulator's
	// ledger agrees), and every object has exactly one image.
	if got := sim.Calls(fakecloud.OpCreateImage); got != len(creates) {
		t.Errorf("the simulator counted %d creates, the front saw %d", got, len(creates))
	}
	checkOneImageEach(t, objects, sim.Images())
	t.Logf("%d creates: %d by the leader before the kill, %d by the standby after; %d token requests",
		len(creates), len(byToken[first]), len(creates)-len(byToken[first]), sim.Calls(fakecloud.OpAuth))
}

// replica is one manager with leader election, as main.go runs it.
type replica struct {
	mgr    ctrl.Manager
	cancel context.CancelFunc
	done   chan error
}

func startReplica(t *testing.T, ns string) *replica {
	t.Helper()
	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		Scheme:                  scheme,
		Metrics:                 metricsserver.Options{BindAddress: "0"},
		HealthProbeBindAddress:  "0",
		LeaderElection:          true,
		LeaderElectionID:        "serverimage-operator-ha-test",
		LeaderElectionNamespace: ns,
		// A crash does not release the lease; the standby must wait for
		// it to expire.
		LeaderElectionReleaseOnCancel: false,
		LeaseDuration:                 ptr.To(leaseDuration),
		RenewDeadline:                 ptr.To(renewDeadline),
		RetryPeriod:                   ptr.To(retryPeriod),
		Cache:                         cache.Options{DefaultNamespaces: map[string]cache.Config{ns: {}}},
		// Two managers in one process register the same controller names.
		Controller: ctrlconfig.Controller{SkipNameValidation: ptr.To(true)},
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	if err := controllers.Setup(ctx, mgr, controllers.Options{MaxConcurrentReconciles: 2}); err != nil {
		cancel()
		t.Fatal(err)
	}
	r := &replica{mgr: mgr, cancel: cancel, done: make(chan error, 1)}
	go func() { r.done <- mgr.Start(ctx) }()
	t.Cleanup(func() { r.kill(t) })
	return r
}

// kill cancels the replica and waits until its manager has stopped.
func (r *replica) kill(t *testing.T) {
	r.cancel()
	select {
	case <-r.done:
	case <-time.After(waitTimeout):
		t.Error("a replica did not stop")
	}
	r.done <- nil // later kills return at once
}

// waitLeader returns the replica that won the election first, then the
// other.
func waitLeader(t *testing.T, a, b *replica) (*replica, *replica) {
	t.Helper()
	select {
	case <-a.mgr.Elected():
		return a, b
	case <-b.mgr.Elected():
		return b, a
	case <-time.After(waitTimeout):
		t.Fatal("no replica was elected")
	}
	return nil, nil
}

// recordingFront is a reverse proxy in front of the simulator that notes
// every request with its arrival time and token. Each replica has its own
// token (its own Provider cache), which is how a create is traced back to
// the replica that sent it.
type recordingFront struct {
	srv *httptest.Server
	mu  sync.Mutex
	log []request
}

type request struct {
	at                  time.Time
	method, path, token string
}

func newRecordingFront(t *testing.T, sim *fakecloud.Cloud) *recordingFront {
	t.Helper()
	target, err := url.Parse(sim.URL())
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(target)
	// The killed leader's requests end with "context canceled": expected.
	proxy.ErrorLog = log.New(io.Discard, "", 0)
	f := &recordingFront{}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.log = append(f.log, request{at: time.Now(), method: r.Method, path: r.URL.Path, token: r.Header.Get("X-Auth-Token")})
		f.mu.Unlock()
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *recordingFront) URL() string { return f.srv.URL }

func (f *recordingFront) requests() []request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]request(nil), f.log...)
}

// creates are the createImage calls (POST /servers/{id}/action), in
// arrival order.
func (f *recordingFront) creates() []request {
	var out []request
	for _, r := range f.requests() {
		if r.method == http.MethodPost && strings.HasSuffix(r.path, "/action") {
			out = append(out, r)
		}
	}
	return out
}

func tokenSummary(byToken map[string][]time.Time) string {
	var parts []string
	for tok, times := range byToken {
		parts = append(parts, fmt.Sprintf("%.8s…: %d", tok, len(times)))
	}
	sort.Strings(parts)
	return strings.Join(parts, ", ")
}

func newNamespace(t *testing.T) *kubetest.NS {
	t.Helper()
	ns := kubetest.NewNamespace(t, k8s, "ha-")
	ns.Wait = kubetest.Wait{Timeout: waitTimeout, Poll: 20 * time.Millisecond}
	ns.CloudPoll = 200 * time.Millisecond
	return ns
}

// createCloud points the Cloud at the recording front: auth_url in the
// clouds.yaml and the compute and image endpoints.
func createCloud(ns *kubetest.NS, sim *fakecloud.Cloud, front string) {
	ns.T.Helper()
	ns.CreateCloud("ha", map[string]string{"clouds.yaml": strings.ReplaceAll(sim.CloudsYAML("ha"), sim.URL(), front)}, func(c *imagesv1.Cloud) {
		c.Spec.Provider = imagesv1.ProviderOpenStack
		c.Spec.CloudName = "ha"
		c.Spec.Endpoints = &imagesv1.CloudEndpoints{Compute: front + "/compute/v2.1", Image: front + "/image"}
	})
}

func waitAllReady(ns *kubetest.NS, n int) []imagesv1.ServerImage {
	ns.T.Helper()
	var list imagesv1.ServerImageList
	ns.Until(ns.T, fmt.Sprintf("all %d ServerImages Ready", n), func() bool {
		if err := k8s.List(context.Background(), &list, client.InNamespace(ns.Name)); err != nil {
			return false
		}
		ready := 0
		for i := range list.Items {
			if meta.IsStatusConditionTrue(list.Items[i].Status.Conditions, imagesv1.ConditionReady) {
				ready++
			}
		}
		return ready == n
	})
	return list.Items
}

// checkOneImageEach: one image per object by key, recorded in its status,
// and no image whose key belongs to no object.
func checkOneImageEach(t *testing.T, objects []imagesv1.ServerImage, images []fakecloud.Image) {
	t.Helper()
	byKey := map[string][]string{}
	for _, img := range images {
		key := img.Properties[cloud.IdempotencyMetadataKey]
		byKey[key] = append(byKey[key], img.ID)
	}
	for _, si := range objects {
		ids := byKey[string(si.UID)]
		if len(ids) != 1 || ids[0] != si.Status.ImageID {
			t.Errorf("%s: images with its key %v, status.imageID %q; want exactly that one", si.Name, ids, si.Status.ImageID)
		}
		delete(byKey, string(si.UID))
	}
	for key, ids := range byKey {
		t.Errorf("orphan image(s) %v with key %q", ids, key)
	}
}
