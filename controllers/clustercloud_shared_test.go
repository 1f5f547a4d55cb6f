package controllers_test

import (
	"context"
	"sync"
	"testing"
	"time"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
	"github.com/serverimage-operator/serverimage-operator/controllers"
	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
	"github.com/serverimage-operator/serverimage-operator/internal/fakecloud"
)

// TestClusterCloudRateLimitIsSharedFairly: two namespaces get the one
// Provider of a ClusterCloud, so its rateLimit holds for both together,
// and a namespace with one call is served in turn with a namespace that
// queued thirty, not after them. Real Secret, real driver, simulator.
func TestClusterCloudRateLimitIsSharedFairly(t *testing.T) {
	t.Parallel()
	const rps, calls = 20, 30
	s := newClusterCloud(t, nil, func(cc *imagesv1.ClusterCloud) {
		cc.Spec.RateLimit = &imagesv1.RateLimit{RequestsPerSecond: "20", Burst: 1}
	})
	s.waitReady()
	sim, cc, ctx := s.sim, s.get(), context.Background()
	// A Providers of the test's own, so the operator's calls do not share
	// the bucket measured here.
	providers := &controllers.Providers{Client: k8s, Reader: k8s, Cache: cloud.NewCache()}
	get := func() cloud.Provider {
		p, err := providers.ForCloud(ctx, controllers.AsCloud(cc.DeepCopy(), clusterCloudNS))
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	busy, quiet := get(), get()
	if busy != quiet {
		t.Fatal("two namespaces got different Providers (and limiters) of one ClusterCloud")
	}
	srv := sim.AddServer(fakecloud.Server{})
	sim.ResetLedger()

	var mu sync.Mutex
	var order []string
	var wg sync.WaitGroup
	call := func(p cloud.Provider, ns string) {
		defer wg.Done()
		if _, err := p.GetServer(cloud.WithLane(ctx, ns), srv.ID); err != nil {
			t.Error(err)
		}
		mu.Lock()
		order = append(order, ns)
		mu.Unlock()
	}
	start := time.Now()
	for range calls {
		wg.Add(1)
		go call(busy, "team-busy")
	}
	time.Sleep(100 * time.Millisecond) // about two tokens in: busy's queue is long
	wg.Add(1)
	go call(quiet, "team-quiet")
	wg.Wait()
	elapsed := time.Since(start)

	// One bucket for both: 31 calls at 20/s with a burst of one take 1.5 s.
	if min := time.Duration(calls) * time.Second / rps; elapsed < min {
		t.Errorf("%d calls took %s, faster than the shared limit allows (%s)", calls+1, elapsed, min)
	}
	if n := sim.Calls(fakecloud.OpGetServer); n != calls+1 {
		t.Errorf("%d getServer calls reached the cloud, want %d", n, calls+1)
	}
	for i, ns := range order {
		if ns == "team-quiet" {
			// 100 ms at 20/s is two or three tokens for busy; then it is
			// quiet's turn.
			if i > 5 {
				t.Errorf("the quiet namespace was served %dth of %d, behind the busy one: %v", i+1, len(order), order)
			}
			return
		}
	}
	t.Error("the quiet namespace was never served")
}

// A ServerImageSchedule's template may name a ClusterCloud: its runs do.
func TestScheduleUsesClusterCloud(t *testing.T) {
	t.Parallel()
	h := newScheduleHarness(t, "2026-05-01T10:00:30Z", fakecloud.Options{})
	s := newClusterCloudOn(t, h.sim, nil, allowNames(h.Name))
	s.waitReady()
	h.createSchedule("web", func(sched *imagesv1.ServerImageSchedule) {
		sched.Spec.Template.CloudRef = imagesv1.CloudReference{Kind: imagesv1.KindClusterCloud, Name: s.name}
	})
	h.tick("web", "2026-05-01T10:01:00Z")
	name := runAt("web", "2026-05-01T10:01:00Z")
	h.waitRuns("web", name)
	si := h.WaitReady(name)
	t.Cleanup(func() { _ = k8s.Delete(context.Background(), si) })
	if si.Spec.CloudRef.Kind != imagesv1.KindClusterCloud || si.Spec.CloudRef.Name != s.name {
		t.Errorf("run's cloudRef %+v", si.Spec.CloudRef)
	}
	s.waitFor("counting the run", func(cc *imagesv1.ClusterCloud) bool { return cc.Status.ServerImages == 1 })
}
