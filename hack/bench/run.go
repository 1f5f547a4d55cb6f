package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime/pprof"
	"sync"
	"time"

	eventsv1 "k8s.io/api/events/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
	"github.com/serverimage-operator/serverimage-operator/hack/internal/stage"
	"github.com/serverimage-operator/serverimage-operator/internal/fakecloud"
	"github.com/serverimage-operator/serverimage-operator/internal/kubetest"
	"github.com/serverimage-operator/serverimage-operator/internal/localenv"
)

// glanceBatch is how many image IDs the OpenStack driver puts in one list
// call; a restart's drift pass should cost ceil(N/glanceBatch) calls.
const glanceBatch = 50

// schemaEventList is what countEvents asks for: the Events the operator's
// recorder writes.
var schemaEventList = eventsv1.SchemeGroupVersion.WithKind("EventList")

type result struct {
	mode, apply       string
	n                 int
	applyDuration     time.Duration
	applyToLastCreate time.Duration
	createsPerSec     float64
	lagP50, lagP99    time.Duration
	lagMax            time.Duration
	calls             callKinds
	// readsMean and readsPeak are the image reads per poll interval from
	// the apply to the last Ready: the mean, and the most in one interval.
	readsMean      float64
	readsPeak      int
	writesPerImage float64
	eventsPerImage float64
	peakRSS        int64
	peakHeap       float64
	restartCalls   *callKinds
	// restartReobserved is how long the restarted operator took to read
	// every image once.
	restartReobserved time.Duration
	restartWrites     int
	// peakCallsPerSec is the most cloud calls the simulator received in
	// any one-second window, to compare with a Cloud's rate limit.
	peakCallsPerSec int
}

// label names one run's files: mode, apply mode and N.
func label(cfg config, n int) string { return fmt.Sprintf("%s-%s-%d", cfg.mode, cfg.apply, n) }

func runOne(ctx context.Context, cfg config, env *localenv.Env, bin, state string, n int) (*result, error) {
	scheme := kubetest.NewScheme()
	c, rc, err := stage.Client(env, scheme, 2000, 4000)
	if err != nil {
		return nil, err
	}
	ns, err := stage.Namespace(ctx, c, "bench-"+label(cfg, n))
	if err != nil {
		return nil, err
	}
	sim := fakecloud.New(fakecloud.Options{QueuedFor: cfg.build / 10, SavingFor: cfg.build * 9 / 10, TokenTTL: 24 * time.Hour})
	defer sim.Close()
	servers := stage.Servers(sim, n)

	readyAt, stopWatch, err := watchReady(ctx, rc, scheme, ns)
	if err != nil {
		return nil, err
	}
	defer stopWatch()

	var rateLimit *imagesv1.RateLimit
	if cfg.rateLimit != "" {
		rateLimit = &imagesv1.RateLimit{RequestsPerSecond: cfg.rateLimit, Burst: 10}
	}
	if err := stage.Cloud(ctx, c, ns, "bench", sim, cfg.poll, rateLimit); err != nil {
		return nil, err
	}
	op, err := startOperator(bin, env.Kubeconfig, ns, filepath.Join(state, "operator-"+label(cfg, n)+".log"), cfg)
	if err != nil {
		return nil, err
	}
	var stopOnce sync.Once
	stopOp := func() { stopOnce.Do(op.stopAndWait) }
	defer stopOp()
	if err := op.waitMetrics(ctx); err != nil {
		return nil, err
	}
	// The happy path starts from a Ready Cloud: objects applied before it
	// would each write (and announce) a CloudNotReady first.
	if err := waitCloudReady(ctx, c, ns); err != nil {
		return nil, err
	}

	seriesCtx, stopSeries := context.WithCancel(ctx)
	defer stopSeries()
	seriesCh := sampleLedger(seriesCtx, sim, func() int { return int(op.finds.Load()) })
	if cfg.profile {
		stopProfiles := profileCreatePhase(op, state, label(cfg, n))
		defer stopProfiles()
	}
	applyStart := time.Now()
	if err := createServerImages(ctx, c, cfg.apply, ns, servers); err != nil {
		return nil, err
	}
	applyDuration := time.Since(applyStart)
	if err := waitAll(ctx, readyAt, n); err != nil {
		return nil, err
	}
	stopSeries()
	series := <-seriesCh

	res := &result{mode: cfg.mode, apply: cfg.apply, n: n, applyDuration: applyDuration, peakCallsPerSec: peakPerSecond(series)}
	var lastCreate time.Time
	for _, img := range sim.Images() {
		if img.CreatedAt.After(lastCreate) {
			lastCreate = img.CreatedAt
		}
	}
	res.applyToLastCreate = lastCreate.Sub(applyStart)
	res.createsPerSec = float64(n) / res.applyToLastCreate.Seconds()
	if res.lagP50, res.lagP99, res.lagMax, err = detectionLags(sim, readyAt); err != nil {
		return nil, err
	}
	res.readsMean, res.readsPeak = readsPerInterval(series, applyStart, readyAt.lastReady(), cfg.poll)
	m, err := op.settled(ctx)
	if err != nil {
		return nil, err
	}
	res.calls = kindsOf(sim.Ledger(), findsOf(m))
	writes := mutatingRequests(m)
	events, err := countEvents(ctx, c, ns)
	if err != nil {
		return nil, err
	}
	res.eventsPerImage = float64(events) / float64(n)
	// Event writes are reported on their own; the rest are the object
	// writes (finalizer, status).
	res.writesPerImage = writes/float64(n) - res.eventsPerImage
	res.peakRSS, res.peakHeap = op.peakRSS(), op.heapPeak()
	stopOp()

	if cfg.restart {
		var rk callKinds
		rk, res.restartReobserved, res.restartWrites, err = measureRestart(ctx, cfg, env, bin, state, ns, sim, n)
		if err != nil {
			return nil, err
		}
		res.restartCalls = &rk
	}
	return res, nil
}

// countEvents counts the namespace's Events by pages of metadata, so that
// N = 10,000 (two Events each) never holds them all at once.
func countEvents(ctx context.Context, c client.Client, ns string) (int, error) {
	total, cont := 0, ""
	for {
		var page metav1.PartialObjectMetadataList
		page.SetGroupVersionKind(schemaEventList)
		if err := c.List(ctx, &page, client.InNamespace(ns), client.Limit(500), client.Continue(cont)); err != nil {
			return 0, fmt.Errorf("listing Events: %w", err)
		}
		total += len(page.Items)
		if cont = page.Continue; cont == "" {
			return total, nil
		}
	}
}

// profileCreatePhase profiles the operator and this process (the
// simulator) for 8 s from now; the returned func waits for both files.
func profileCreatePhase(op *operator, state, label string) func() {
	const d = 8 * time.Second
	done := make(chan struct{})
	go func() {
		defer close(done)
		path := filepath.Join(state, fmt.Sprintf("cpu-operator-%s.pprof", label))
		if err := op.cpuProfile(d, path); err != nil {
			fmt.Fprintln(os.Stderr, "operator profile:", err)
		}
	}()
	path := filepath.Join(state, fmt.Sprintf("cpu-bench-%s.pprof", label))
	f, err := os.Create(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, "simulator profile:", err)
		return func() { <-done }
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		fmt.Fprintln(os.Stderr, "simulator profile:", err)
		_ = f.Close()
		return func() { <-done }
	}
	go func() {
		time.Sleep(d)
		pprof.StopCPUProfile()
		_ = f.Close()
	}()
	return func() { <-done }
}

// mutatingRequests is how many writes the operator sent the API server
// (Events included), from its client-side request metrics.
func mutatingRequests(m metrics) float64 {
	writes := 0.0
	for _, verb := range []string{"POST", "PUT", "PATCH", "DELETE"} {
		writes += m.sum("rest_client_requests_total", map[string]string{"method": verb})
	}
	return writes
}

// measureRestart starts the operator again with N Ready objects and counts
// what it asks of the cloud until every image has been read once, and what
// it wrote to the API server by then.
func measureRestart(ctx context.Context, cfg config, env *localenv.Env, bin, state, ns string, sim *fakecloud.Cloud, n int) (callKinds, time.Duration, int, error) {
	sim.ResetLedger()
	start := time.Now()
	op, err := startOperator(bin, env.Kubeconfig, ns, filepath.Join(state, "operator-"+label(cfg, n)+"-restart.log"), cfg)
	if err != nil {
		return callKinds{}, 0, 0, err
	}
	defer op.stopAndWait()
	reads := func() int {
		l := sim.Ledger()
		if cfg.mode == "per-object" {
			return l[fakecloud.OpGetImage]
		}
		return l[fakecloud.OpListImages] * glanceBatch
	}
	// The restarted operator lists N objects before its first read, and
	// reads them at its usual pace: allow for both growing with N.
	deadline := time.Now().Add(cfg.poll*4 + time.Minute + time.Duration(n)*10*time.Millisecond)
	for reads() < n && time.Now().Before(deadline) {
		select {
		case <-ctx.Done():
			return callKinds{}, 0, 0, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
	reobserved := time.Since(start)
	// Let anything else the restart triggers arrive before counting.
	time.Sleep(2 * cfg.poll)
	m, err := op.scrape()
	if err != nil {
		return callKinds{}, 0, 0, err
	}
	return kindsOf(sim.Ledger(), findsOf(m)), reobserved, int(mutatingRequests(m)), nil
}

func waitCloudReady(ctx context.Context, c client.Client, ns string) error {
	for {
		var cl imagesv1.Cloud
		if err := c.Get(ctx, client.ObjectKey{Namespace: ns, Name: "bench"}, &cl); err == nil &&
			meta.IsStatusConditionTrue(cl.Status.Conditions, imagesv1.ConditionReady) {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("the Cloud did not become Ready: %w", ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}
