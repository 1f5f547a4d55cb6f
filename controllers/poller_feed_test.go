package controllers

import (
	"context"
	"fmt"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/event"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
)

// feedCloud is an in-memory cloud with a change feed and a batched read of
// perCall IDs; images change when activated.
type feedCloud struct {
	batchCloud
	feedCalls int
	changedAt map[string]time.Time
	sinces    []time.Time
}

func (f *feedCloud) Capabilities() cloud.Capabilities {
	return cloud.Capabilities{ImagesPerCall: f.perCall, ChangeFeed: true}
}

func (f *feedCloud) ImagesChangedSince(_ context.Context, since time.Time) ([]cloud.Image, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.feedCalls++
	f.sinces = append(f.sinces, since)
	var out []cloud.Image
	for id, at := range f.changedAt {
		if !at.Before(since) {
			img := cloud.Image{ID: id, Status: "saving", Phase: cloud.PhasePending, UpdatedAt: at}
			if f.active[id] {
				img.Status, img.Phase = "active", cloud.PhaseActive
			}
			out = append(out, img)
		}
	}
	return out, nil
}

func (f *feedCloud) change(id string, active bool) {
	f.mu.Lock()
	f.changedAt[id] = time.Now()
	if active {
		f.active[id] = true
	}
	f.mu.Unlock()
}

// TestPollerReadsTheFeedWhenManyImagesAreInFlight: with more images in
// flight than one read by ID covers, each pass is one feed call however
// many there are; the images it lists that turned active wake their
// objects within about a feed interval, the others are not woken, and
// every few intervals the in-flight images are also read by ID (to see
// what a feed leaves out: images that are gone).
func TestPollerReadsTheFeedWhenManyImagesAreInFlight(t *testing.T) {
	const interval = 400 * time.Millisecond
	const perCall, n = 5, 40
	f := &feedCloud{batchCloud: batchCloud{perCall: perCall, active: map[string]bool{}, reads: map[string][]time.Time{}}, changedAt: map[string]time.Time{}}
	p := newImagePoller(time.Now, time.Hour)
	p.events = make(chan event.GenericEvent, 1)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { _ = p.Start(ctx) }()
	started := time.Now()

	c := &imagesv1.Cloud{ObjectMeta: metav1.ObjectMeta{UID: types.UID("c"), Namespace: "ns", Name: "c"}, Spec: imagesv1.CloudSpec{
		Provider: imagesv1.ProviderOpenStack, PollInterval: &metav1.Duration{Duration: interval}}}
	var ids []string
	for i := range n {
		id := fmt.Sprintf("img-%02d", i)
		ids = append(ids, id)
		si := &imagesv1.ServerImage{ObjectMeta: metav1.ObjectMeta{Name: id, UID: types.UID(id)}}
		si.Status.ImageID = id
		p.sync(si, c, f)
		f.change(id, false)
	}
	// A few passes with nothing changing, then half turn active.
	time.Sleep(2 * interval)
	activated := time.Now()
	for _, id := range ids[:n/2] {
		f.change(id, true)
	}
	woken := map[string]time.Duration{}
	deadline := time.After(3 * time.Second)
	for len(woken) < n/2 {
		select {
		case ev := <-p.events:
			woken[ev.Object.GetName()] = time.Since(activated)
		case <-deadline:
			t.Fatalf("only %d of %d objects woken after their images turned active: %v", len(woken), n/2, woken)
		}
	}
	// Let a few more passes run: no other object may be woken.
	more := time.After(2 * interval)
wait:
	for {
		select {
		case ev := <-p.events:
			t.Errorf("%s woken though its image did not change", ev.Object.GetName())
		case <-more:
			break wait
		}
	}
	cancel()

	p.mu.Lock()
	feedEvery := p.clouds["c"].feedIntervalLocked()
	p.mu.Unlock()
	for id, lag := range woken {
		if lag > feedEvery+interval/2 {
			t.Errorf("%s woken %s after it turned active (feed interval %s)", id, lag, feedEvery)
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	elapsed := time.Since(started)
	if f.feedCalls < 3 {
		t.Errorf("%d feed calls", f.feedCalls)
	}
	// By ID, the images were read only by the sweep: one call every
	// sweepEvery feed reads, never all of them each interval.
	if max := (f.feedCalls+sweepEvery-1)/sweepEvery + 1; len(f.calls) > max {
		t.Errorf("%d reads by ID besides %d feed calls in %s; the sweep makes at most %d", len(f.calls), f.feedCalls, elapsed, max)
	}
	if byID := int(elapsed/interval) * (n / perCall); len(f.calls) >= byID/2 {
		t.Errorf("%d reads by ID; reading by ID every interval would be %d", len(f.calls), byID)
	}
	for i := 1; i < len(f.sinces); i++ {
		if f.sinces[i].Before(f.sinces[i-1]) {
			t.Errorf("the feed window went back: %v after %v", f.sinces[i], f.sinces[i-1])
		}
	}
}

// TestFeedInterval: the feed is read as often as reading by ID would have
// called, and never more than once a second; few images read by ID.
func TestFeedInterval(t *testing.T) {
	for _, tc := range []struct {
		inFlight int
		useFeed  bool
		want     time.Duration
	}{
		{1, false, 5 * time.Second},
		{50, false, 5 * time.Second},
		{51, true, 2500 * time.Millisecond},
		{200, true, 1250 * time.Millisecond},
		{1000, true, time.Second},
		{10000, true, time.Second},
	} {
		cp := &cloudPoll{interval: 5 * time.Second, perCall: 50, feed: true, inFlight: map[string]*trackedImage{}}
		for i := range tc.inFlight {
			cp.inFlight[fmt.Sprint(i)] = &trackedImage{}
		}
		if got := cp.useFeedLocked(); got != tc.useFeed {
			t.Errorf("%d in flight: feed %v, want %v", tc.inFlight, got, tc.useFeed)
		}
		if tc.useFeed {
			if got := cp.feedIntervalLocked(); got != tc.want {
				t.Errorf("%d in flight: every %s, want %s", tc.inFlight, got, tc.want)
			}
		}
	}
}

// TestSweepVisitsEveryImageInTurn: the sweep reads one call's worth of the
// images read by ID longest ago, so that each in-flight image, even one
// the feed never lists again (deleted, killed, an orphan left queued), is
// read by ID within a round of sweeps.
func TestSweepVisitsEveryImageInTurn(t *testing.T) {
	f := &feedCloud{batchCloud: batchCloud{perCall: 4, active: map[string]bool{}, reads: map[string][]time.Time{}}, changedAt: map[string]time.Time{}}
	p := newImagePoller(time.Now, time.Hour)
	cp := &cloudPoll{interval: time.Second, perCall: 4, feed: true, prov: f, inFlight: map[string]*trackedImage{}}
	base := time.Now()
	for i := range 10 {
		cp.inFlight[fmt.Sprintf("img-%d", i)] = &trackedImage{obj: &imagesv1.ServerImage{}, phase: phaseInProgress, due: base.Add(time.Duration(i) * time.Millisecond)}
	}
	seen := map[string]int{}
	for round := range 3 {
		p.mu.Lock()
		ids := cp.sweepLocked()
		p.mu.Unlock()
		if len(ids) > cp.perCall {
			t.Fatalf("sweep %d picked %d images, more than one call reads", round, len(ids))
		}
		for _, id := range ids {
			seen[id]++
		}
		p.readInCalls(context.Background(), cp, f, cp.perCall, ids, true)
	}
	if len(seen) != 10 {
		t.Errorf("three sweeps of four read %d of 10 images: %v", len(seen), seen)
	}
	for id, n := range seen {
		if n > 2 {
			t.Errorf("%s swept %d times before every image was swept once", id, n)
		}
	}
}
