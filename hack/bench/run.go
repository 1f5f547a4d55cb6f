package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime/pprof"
	"sort"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	toolscache "k8s.io/client-go/tools/cache"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
	"github.com/serverimage-operator/serverimage-operator/internal/fakecloud"
	"github.com/serverimage-operator/serverimage-operator/internal/localenv"
)

// glanceBatch is how many image IDs the OpenStack driver puts in one list
// call; a restart's drift pass should cost ceil(N/glanceBatch) calls.
const glanceBatch = 50

type result struct {
	n                  int
	applyDuration      time.Duration
	applyToLastCreate  time.Duration
	createsPerSec      float64
	lagP50, lagP99     time.Duration
	lagMax             time.Duration
	callsPerImage      map[fakecloud.Op]float64
	totalCallsPerImage float64
	writesPerImage     float64
	eventsPerImage     float64
	peakRSS            int64
	peakHeap           float64
	restartCalls       map[fakecloud.Op]int
	restartReobserved  time.Duration
	restartWrites      int
	// peakCallsPerSec is the most cloud calls the simulator received in
	// any one-second window, to compare with a Cloud's rate limit.
	peakCallsPerSec int
}

func newScheme() *runtime.Scheme {
	s := runtime.NewScheme()
	utilruntime.Must(clientgoscheme.AddToScheme(s))
	utilruntime.Must(imagesv1.AddToScheme(s))
	return s
}

func runOne(ctx context.Context, cfg config, env *localenv.Env, bin, state string, n int) (*result, error) {
	scheme := newScheme()
	rc := *env.Config
	rc.QPS, rc.Burst = 2000, 4000
	c, err := client.New(&rc, client.Options{Scheme: scheme})
	if err != nil {
		return nil, err
	}
	ns := fmt.Sprintf("bench-%d-%d", n, time.Now().Unix())
	if err := c.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}); err != nil {
		return nil, err
	}
	sim := fakecloud.New(fakecloud.Options{QueuedFor: cfg.build / 10, SavingFor: cfg.build * 9 / 10, TokenTTL: 24 * time.Hour})
	defer sim.Close()
	servers := make([]string, n)
	for i := range servers {
		servers[i] = sim.AddServer(fakecloud.Server{Name: fmt.Sprintf("vm-%d", i)}).ID
	}

	readyAt, stopWatch, err := watchReady(ctx, &rc, scheme, ns)
	if err != nil {
		return nil, err
	}
	defer stopWatch()

	if err := createCloud(ctx, c, ns, sim, cfg); err != nil {
		return nil, err
	}
	op, err := startOperator(bin, env.Kubeconfig, ns, filepath.Join(state, fmt.Sprintf("operator-%d.log", n)), cfg)
	if err != nil {
		return nil, err
	}
	if err := op.waitMetrics(ctx); err != nil {
		op.stopAndWait()
		return nil, err
	}
	// The happy path starts from a Ready Cloud: objects applied before it
	// would each write (and announce) a CloudNotReady first.
	if err := waitCloudReady(ctx, c, ns); err != nil {
		op.stopAndWait()
		return nil, err
	}

	rateCtx, stopRate := context.WithCancel(ctx)
	defer stopRate()
	peakRate := sampleCallRate(rateCtx, sim)
	if cfg.profile {
		stopProfiles := profileCreatePhase(op, state, cfg.mode, n)
		defer stopProfiles()
	}
	applyStart := time.Now()
	if err := createServerImages(ctx, c, ns, servers); err != nil {
		op.stopAndWait()
		return nil, err
	}
	applyDuration := time.Since(applyStart)
	if err := waitAll(ctx, readyAt, n); err != nil {
		op.stopAndWait()
		return nil, err
	}

	stopRate()
	res := &result{n: n, applyDuration: applyDuration, callsPerImage: map[fakecloud.Op]float64{}, peakCallsPerSec: <-peakRate}
	var lastCreate time.Time
	for _, img := range sim.Images() {
		if img.CreatedAt.After(lastCreate) {
			lastCreate = img.CreatedAt
		}
	}
	res.applyToLastCreate = lastCreate.Sub(applyStart)
	res.createsPerSec = float64(n) / res.applyToLastCreate.Seconds()
	res.lagP50, res.lagP99, res.lagMax, err = detectionLags(ctx, c, ns, sim, readyAt)
	if err != nil {
		op.stopAndWait()
		return nil, err
	}
	for o, k := range sim.Ledger() {
		res.callsPerImage[o] = float64(k) / float64(n)
		res.totalCallsPerImage += float64(k) / float64(n)
	}
	m, err := op.scrape()
	if err != nil {
		op.stopAndWait()
		return nil, err
	}
	writes := mutatingRequests(m)
	var evs eventsv1.EventList
	if err := c.List(ctx, &evs, client.InNamespace(ns)); err != nil {
		op.stopAndWait()
		return nil, err
	}
	res.eventsPerImage = float64(len(evs.Items)) / float64(n)
	// Event writes are reported on their own; the rest are the object
	// writes (finalizer, status).
	res.writesPerImage = writes/float64(n) - res.eventsPerImage
	res.peakRSS, res.peakHeap = op.peakRSS(), op.heapPeak()
	op.stopAndWait()

	if cfg.restart {
		res.restartCalls, res.restartReobserved, res.restartWrites, err = measureRestart(ctx, cfg, env, bin, state, ns, sim, n)
		if err != nil {
			return nil, err
		}
	}
	return res, nil
}

// profileCreatePhase profiles the operator and this process (the
// simulator) for 8 s from now; the returned func waits for both files.
func profileCreatePhase(op *operator, state, mode string, n int) func() {
	const d = 8 * time.Second
	done := make(chan struct{})
	go func() {
		defer close(done)
		path := filepath.Join(state, fmt.Sprintf("cpu-operator-%s-%d.pprof", mode, n))
		if err := op.cpuProfile(d, path); err != nil {
			fmt.Fprintln(os.Stderr, "operator profile:", err)
		}
	}()
	path := filepath.Join(state, fmt.Sprintf("cpu-bench-%s-%d.pprof", mode, n))
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

// sampleCallRate counts the simulator's calls every 100 ms until ctx ends
// and then sends the most calls seen in any one-second window.
func sampleCallRate(ctx context.Context, sim *fakecloud.Cloud) <-chan int {
	out := make(chan int, 1)
	total := func() int {
		n := 0
		for _, k := range sim.Ledger() {
			n += k
		}
		return n
	}
	go func() {
		const window = 10 // samples of 100 ms
		hist := []int{total()}
		peak := 0
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				out <- peak
				return
			case <-t.C:
			}
			hist = append(hist, total())
			if len(hist) > window+1 {
				hist = hist[1:]
			}
			peak = max(peak, hist[len(hist)-1]-hist[0])
		}
	}()
	return out
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
func measureRestart(ctx context.Context, cfg config, env *localenv.Env, bin, state, ns string, sim *fakecloud.Cloud, n int) (map[fakecloud.Op]int, time.Duration, int, error) {
	sim.ResetLedger()
	start := time.Now()
	op, err := startOperator(bin, env.Kubeconfig, ns, filepath.Join(state, fmt.Sprintf("operator-%d-restart.log", n)), cfg)
	if err != nil {
		return nil, 0, 0, err
	}
	defer op.stopAndWait()
	reads := func() int {
		l := sim.Ledger()
		if cfg.mode == "per-object" {
			return l[fakecloud.OpGetImage]
		}
		return l[fakecloud.OpListImages] * glanceBatch
	}
	deadline := time.Now().Add(cfg.poll*4 + time.Minute)
	for reads() < n && time.Now().Before(deadline) {
		select {
		case <-ctx.Done():
			return nil, 0, 0, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
	reobserved := time.Since(start)
	// Let anything else the restart triggers arrive before counting.
	time.Sleep(2 * cfg.poll)
	m, err := op.scrape()
	if err != nil {
		return nil, 0, 0, err
	}
	return sim.Ledger(), reobserved, int(mutatingRequests(m)), nil
}

func createCloud(ctx context.Context, c client.Client, ns string, sim *fakecloud.Cloud, cfg config) error {
	secret := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "bench-credentials"},
		StringData: map[string]string{"clouds.yaml": sim.CloudsYAML("bench")},
	}
	if err := c.Create(ctx, secret); err != nil {
		return err
	}
	spec := imagesv1.CloudSpec{
		Provider:             imagesv1.ProviderOpenStack,
		CloudName:            "bench",
		CredentialsSecretRef: imagesv1.SecretReference{Name: secret.Name},
		PollInterval:         &metav1.Duration{Duration: cfg.poll},
	}
	if cfg.rateLimit != "" {
		spec.RateLimit = &imagesv1.RateLimit{RequestsPerSecond: cfg.rateLimit, Burst: 10}
	}
	return c.Create(ctx, &imagesv1.Cloud{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "bench"}, Spec: spec})
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

func createServerImages(ctx context.Context, c client.Client, ns string, servers []string) error {
	work := make(chan int)
	errs := make(chan error, len(servers))
	var wg sync.WaitGroup
	for w := 0; w < 32; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				si := &imagesv1.ServerImage{
					ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: fmt.Sprintf("img-%05d", i)},
					Spec: imagesv1.ServerImageSpec{
						CloudRef: imagesv1.CloudReference{Name: "bench"},
						ServerID: servers[i],
					},
				}
				if err := c.Create(ctx, si); err != nil {
					errs <- err
				}
			}
		}()
	}
	for i := range servers {
		work <- i
	}
	close(work)
	wg.Wait()
	close(errs)
	return <-errs
}

// readyTimes records when the bench first saw each object Ready=True.
type readyTimes struct {
	mu sync.Mutex
	at map[string]time.Time
}

func (r *readyTimes) len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.at)
}

// watchReady runs an informer on the namespace's ServerImages and records
// the first time each one is seen with Ready=True.
func watchReady(ctx context.Context, rc *rest.Config, scheme *runtime.Scheme, ns string) (*readyTimes, func(), error) {
	ca, err := cache.New(rc, cache.Options{Scheme: scheme, DefaultNamespaces: map[string]cache.Config{ns: {}}})
	if err != nil {
		return nil, nil, err
	}
	inf, err := ca.GetInformer(ctx, &imagesv1.ServerImage{})
	if err != nil {
		return nil, nil, err
	}
	r := &readyTimes{at: map[string]time.Time{}}
	record := func(obj any) {
		si, ok := obj.(*imagesv1.ServerImage)
		if !ok || !meta.IsStatusConditionTrue(si.Status.Conditions, imagesv1.ConditionReady) {
			return
		}
		now := time.Now()
		r.mu.Lock()
		if _, seen := r.at[si.Name]; !seen {
			r.at[si.Name] = now
		}
		r.mu.Unlock()
	}
	if _, err := inf.AddEventHandler(toolscache.ResourceEventHandlerFuncs{
		AddFunc:    record,
		UpdateFunc: func(_, obj any) { record(obj) },
	}); err != nil {
		return nil, nil, err
	}
	cctx, cancel := context.WithCancel(ctx)
	go func() { _ = ca.Start(cctx) }()
	if !ca.WaitForCacheSync(cctx) {
		cancel()
		return nil, nil, fmt.Errorf("the bench's informer did not sync")
	}
	return r, cancel, nil
}

func waitAll(ctx context.Context, r *readyTimes, n int) error {
	for r.len() < n {
		select {
		case <-ctx.Done():
			return fmt.Errorf("only %d of %d ServerImages Ready before the timeout", r.len(), n)
		case <-time.After(100 * time.Millisecond):
		}
	}
	return nil
}

// detectionLags compares the simulator's activation time of each image with
// the time the bench saw its object Ready.
func detectionLags(ctx context.Context, c client.Client, ns string, sim *fakecloud.Cloud, r *readyTimes) (p50, p99, mx time.Duration, err error) {
	var list imagesv1.ServerImageList
	if err := c.List(ctx, &list, client.InNamespace(ns)); err != nil {
		return 0, 0, 0, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	lags := make([]time.Duration, 0, len(list.Items))
	for _, si := range list.Items {
		img, ok := sim.Image(si.Status.ImageID)
		if !ok {
			return 0, 0, 0, fmt.Errorf("%s: image %q not in the simulator", si.Name, si.Status.ImageID)
		}
		lags = append(lags, r.at[si.Name].Sub(img.ActivatedAt))
	}
	sort.Slice(lags, func(i, j int) bool { return lags[i] < lags[j] })
	pick := func(q float64) time.Duration { return lags[min(len(lags)-1, int(q*float64(len(lags))))] }
	return pick(0.50), pick(0.99), lags[len(lags)-1], nil
}
