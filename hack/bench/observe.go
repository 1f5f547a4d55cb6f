package main

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/rest"
	toolscache "k8s.io/client-go/tools/cache"
	"sigs.k8s.io/controller-runtime/pkg/cache"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
	"github.com/serverimage-operator/serverimage-operator/internal/fakecloud"
)

// readyTimes records when the bench first saw each object Ready=True, and
// the image it named then, so that the lags need no list of N objects.
type readyTimes struct {
	mu   sync.Mutex
	at   map[string]readyAt
	last time.Time
}

type readyAt struct {
	seen    time.Time
	imageID string
}

func (r *readyTimes) len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.at)
}

// lastReady is when the bench saw the last object turn Ready.
func (r *readyTimes) lastReady() time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.last
}

// slim keeps what the observer reads of a ServerImage. With N in the
// thousands, the annotation and managed fields the apply modes add would
// otherwise be most of the bench's own memory.
func slim(obj any) (any, error) {
	si, ok := obj.(*imagesv1.ServerImage)
	if !ok {
		return obj, nil
	}
	return &imagesv1.ServerImage{
		ObjectMeta: metav1.ObjectMeta{Namespace: si.Namespace, Name: si.Name, ResourceVersion: si.ResourceVersion},
		Status:     imagesv1.ServerImageStatus{ImageID: si.Status.ImageID, Conditions: si.Status.Conditions},
	}, nil
}

// watchReady runs an informer on the namespace's ServerImages and records
// the first time each one is seen with Ready=True.
func watchReady(ctx context.Context, rc *rest.Config, scheme *runtime.Scheme, ns string) (*readyTimes, func(), error) {
	ca, err := cache.New(rc, cache.Options{
		Scheme:            scheme,
		DefaultNamespaces: map[string]cache.Config{ns: {}},
		DefaultTransform:  slim,
	})
	if err != nil {
		return nil, nil, err
	}
	inf, err := ca.GetInformer(ctx, &imagesv1.ServerImage{})
	if err != nil {
		return nil, nil, err
	}
	r := &readyTimes{at: map[string]readyAt{}}
	record := func(obj any) {
		si, ok := obj.(*imagesv1.ServerImage)
		if !ok || !meta.IsStatusConditionTrue(si.Status.Conditions, imagesv1.ConditionReady) {
			return
		}
		now := time.Now()
		r.mu.Lock()
		if _, seen := r.at[si.Name]; !seen {
			r.at[si.Name] = readyAt{seen: now, imageID: si.Status.ImageID}
			r.last = now
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
func detectionLags(sim *fakecloud.Cloud, r *readyTimes) (p50, p99, mx time.Duration, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	lags := make([]time.Duration, 0, len(r.at))
	for name, ra := range r.at {
		img, ok := sim.Image(ra.imageID)
		if !ok {
			return 0, 0, 0, fmt.Errorf("%s: image %q not in the simulator", name, ra.imageID)
		}
		lags = append(lags, ra.seen.Sub(img.ActivatedAt))
	}
	sort.Slice(lags, func(i, j int) bool { return lags[i] < lags[j] })
	pick := func(q float64) time.Duration { return lags[min(len(lags)-1, int(q*float64(len(lags))))] }
	return pick(0.50), pick(0.99), lags[len(lags)-1], nil
}
