package controllers

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/event"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
)

// These tests cover the poller's scheduling on its own. The cloud side is
// a small in-memory batched reader, because what is asserted is which
// IDs go into which call and when; the drivers' batched reads are tested
// against the simulator in their own packages, and the whole path in the
// envtest scenarios and make bench.

func TestDueLockedPicksDueImagesAndFillsTheLastCall(t *testing.T) {
	now := time.Now()
	const interval = 10 * time.Second
	// 120 images: 30 overdue, 30 due within the coalescing window
	// (interval/10), 60 later.
	dues := map[string]time.Duration{}
	for i := range 120 {
		d := -time.Second
		switch {
		case i >= 60:
			d = 5*time.Second + time.Duration(i)*time.Millisecond
		case i >= 30:
			d = 500 * time.Millisecond
		}
		dues[fmt.Sprintf("img-%03d", i)] = d
	}
	for _, tc := range []struct {
		name    string
		perCall int
		want    int
	}{
		{"one per call reads only the due ones", 1, 60},
		{"pages of 50 are filled with the next due", 50, 100},
		{"pages of 7 are filled with the next due", 7, 63},
		{"a read that covers any number reads all", 0, 120},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cp := &cloudPoll{interval: interval, perCall: tc.perCall, inFlight: map[string]*trackedImage{}}
			for id, d := range dues {
				cp.inFlight[id] = &trackedImage{due: now.Add(d)}
			}
			got := cp.dueLocked(now)
			if len(got) != tc.want {
				t.Fatalf("picked %d images, want %d", len(got), tc.want)
			}
			// Earliest first: every due image is in, and the top-up takes
			// the soonest of the rest.
			sorted := append([]string(nil), got...)
			sort.Strings(sorted)
			for i, id := range sorted {
				if want := fmt.Sprintf("img-%03d", i); id != want {
					t.Fatalf("picked %v; want the %d earliest", sorted, tc.want)
				}
			}
		})
	}
	t.Run("nothing due reads nothing", func(t *testing.T) {
		cp := &cloudPoll{interval: interval, perCall: 0, inFlight: map[string]*trackedImage{"a": {due: now.Add(3 * time.Second)}}}
		if got := cp.dueLocked(now); len(got) != 0 {
			t.Fatalf("picked %v with nothing due", got)
		}
	})
}

func TestRecordLockedWakesOnlyOnChange(t *testing.T) {
	clock := time.Now()
	p := newImagePoller(func() time.Time { return clock }, time.Hour)
	p.orphanGrace = 15 * time.Second
	obj := &imagesv1.ServerImage{ObjectMeta: metav1.ObjectMeta{Name: "si"}}
	t1 := &trackedImage{obj: obj, phase: phaseInProgress, orphanCheck: true}
	cp := &cloudPoll{inFlight: map[string]*trackedImage{"i": t1}}
	read := func(img *cloud.Image, err error) bool {
		found := map[string]cloud.Image{}
		if img != nil {
			found["i"] = *img
		}
		return len(p.recordLocked(context.Background(), cp, cp.inFlight, []string{"i"}, found, err, true)) == 1
	}
	queued := &cloud.Image{ID: "i", Status: "queued", Phase: cloud.PhaseQueued}
	saving := &cloud.Image{ID: "i", Status: "saving", Phase: cloud.PhasePending}
	active := &cloud.Image{ID: "i", Status: "active", Phase: cloud.PhaseActive}
	boom := &cloud.Error{Class: cloud.ClassTransient, HTTPStatus: 503, Message: "down"}

	steps := []struct {
		name    string
		advance time.Duration
		img     *cloud.Image
		err     error
		wake    bool
	}{
		{"first queued read", 0, queued, nil, false},
		{"still queued, within the grace", 10 * time.Second, queued, nil, false},
		{"queued for the whole grace: a possible orphan", 6 * time.Second, queued, nil, true},
		{"still queued, woken a moment ago", 5 * time.Second, queued, nil, false},
		{"queued for another grace", 10 * time.Second, queued, nil, true},
		{"saving: still in progress", 5 * time.Second, saving, nil, false},
		{"the read fails", 5 * time.Second, nil, boom, true},
		{"it fails again: already shown", 5 * time.Second, nil, boom, false},
		{"it works again: clear the error", 5 * time.Second, saving, nil, true},
		{"active: phase change", 5 * time.Second, active, nil, true},
		{"active again", 5 * time.Second, active, nil, false},
		{"gone", 5 * time.Second, nil, nil, true},
		{"still gone", 5 * time.Second, nil, nil, false},
	}
	for _, s := range steps {
		clock = clock.Add(s.advance)
		if got := read(s.img, s.err); got != s.wake {
			t.Errorf("%s: woken %v, want %v", s.name, got, s.wake)
		}
	}
}

func TestRecordLockedNoOrphanWakeWhereNoOrphanCanBe(t *testing.T) {
	clock := time.Now()
	p := newImagePoller(func() time.Time { return clock }, time.Hour)
	obj := &imagesv1.ServerImage{ObjectMeta: metav1.ObjectMeta{Name: "si"}}
	cp := &cloudPoll{inFlight: map[string]*trackedImage{"i": {obj: obj, phase: phaseInProgress, orphanCheck: false}}}
	found := map[string]cloud.Image{"i": {ID: "i", Status: "queued", Phase: cloud.PhaseQueued}}
	for range 10 {
		if w := p.recordLocked(context.Background(), cp, cp.inFlight, []string{"i"}, found, nil, true); len(w) != 0 {
			t.Fatalf("woken at %s for a queued image that cannot be an orphan", clock)
		}
		clock = clock.Add(time.Minute)
	}
}

// TestMayHoldOrphan: only a created image, on a cloud that reports the
// server's task, can be told to be an orphan (each driver's test checks
// what its cloud reports).
func TestMayHoldOrphan(t *testing.T) {
	for _, tc := range []struct {
		serverTasks bool
		imported    bool
		want        bool
	}{
		{true, false, true},
		{false, false, false},
		{true, true, false},
	} {
		si := &imagesv1.ServerImage{}
		if tc.imported {
			si.Spec.Import = &imagesv1.ImageImport{ImageID: "x"}
		}
		prov := &batchCloud{serverTasks: tc.serverTasks}
		if got := mayHoldOrphan(si, prov); got != tc.want {
			t.Errorf("server tasks %v, imported %v: %v, want %v", tc.serverTasks, tc.imported, got, tc.want)
		}
	}
}

// TestWatchOfFollowsTheStatus: what the poller reads for an object is
// worked out from its status alone.
func TestWatchOfFollowsTheStatus(t *testing.T) {
	now := metav1.Now()
	building := func() *imagesv1.ServerImage {
		si := &imagesv1.ServerImage{}
		si.Status.ImageID = "i"
		setProgressing(&si.Status.Conditions, 1, imagesv1.ReasonImageSaving, "saving")
		return si
	}
	ready := building()
	ready.Status.ActivatedTime = &now
	setReady(&ready.Status.Conditions, 1, imagesv1.ReasonImageActive, "active")
	deleting := ready.DeepCopy()
	deleting.DeletionTimestamp = &now
	failed := building()
	setStalled(&failed.Status.Conditions, 1, imagesv1.ReasonImageFailed, "killed")
	missing := ready.DeepCopy()
	setStalled(&missing.Status.Conditions, 1, imagesv1.ReasonImageMissing, "gone")
	timedOut := building()
	setStalled(&timedOut.Status.Conditions, 1, imagesv1.ReasonTimeout, "slow")
	retrying := building()
	setRetrying(&retrying.Status.Conditions, 1, imagesv1.ReasonTransientError, "503")
	readyRetrying := ready.DeepCopy()
	setRetrying(&readyRetrying.Status.Conditions, 1, imagesv1.ReasonCloudNotReady, "cloud down")
	for _, tc := range []struct {
		name string
		si   *imagesv1.ServerImage
		want watch
	}{
		{"no image", &imagesv1.ServerImage{}, watchNone},
		{"building", building(), watchInFlight},
		{"read failing", retrying, watchInFlight},
		{"past its timeout: keeps looking", timedOut, watchInFlight},
		{"ready", ready, watchDrift},
		{"ready while the Cloud is down", readyRetrying, watchDrift},
		{"failed", failed, watchNone},
		{"gone after Ready", missing, watchNone},
		{"being deleted", deleting, watchNone},
	} {
		if got := watchOf(tc.si); got != tc.want {
			t.Errorf("%s: watch %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestSyncMovesAndDropsAnObjectsImage: sync keeps one read per object,
// moves it when the object records another image, and drops it when the
// object needs none, without being told the Cloud.
func TestSyncMovesAndDropsAnObjectsImage(t *testing.T) {
	p := newImagePoller(time.Now, time.Hour)
	b := &batchCloud{perCall: 1}
	c := &imagesv1.Cloud{ObjectMeta: metav1.ObjectMeta{UID: "c"}}
	si := &imagesv1.ServerImage{ObjectMeta: metav1.ObjectMeta{UID: "o"}}
	si.Status.ImageID = "first"
	p.sync(si, c, b)
	si.Status.ImageID = "second"
	p.sync(si, c, b)
	cp := p.clouds["c"]
	if _, ok := cp.inFlight["first"]; ok || len(cp.inFlight) != 1 {
		t.Fatalf("in flight %v, want only the second image", cp.inFlight)
	}
	si.Status.ImageID = ""
	p.sync(si, nil, nil)
	if len(cp.inFlight)+len(cp.ready) != 0 || len(p.watched) != 0 {
		t.Fatalf("still reading %v %v for an object with no image", cp.inFlight, cp.ready)
	}
}

// batchCloud is an in-memory cloud with a batched read of perCall IDs.
type batchCloud struct {
	cloud.Provider // nil: only the reads below are called
	perCall        int
	serverTasks    bool

	mu     sync.Mutex
	active map[string]bool
	calls  [][]string
	reads  map[string][]time.Time
}

func (b *batchCloud) Capabilities() cloud.Capabilities {
	return cloud.Capabilities{ImagesPerCall: b.perCall, ServerTasks: b.serverTasks}
}

func (b *batchCloud) GetImages(_ context.Context, ids []string) (map[string]cloud.Image, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.perCall > 0 && len(ids) > b.perCall {
		return nil, errors.New("the poller asked for more IDs than one call reads")
	}
	b.calls = append(b.calls, append([]string(nil), ids...))
	out := map[string]cloud.Image{}
	now := time.Now()
	for _, id := range ids {
		b.reads[id] = append(b.reads[id], now)
		img := cloud.Image{ID: id, Status: "saving", Phase: cloud.PhasePending}
		if b.active[id] {
			img.Status, img.Phase = "active", cloud.PhaseActive
		}
		out[id] = img
	}
	return out, nil
}

func (b *batchCloud) activate(id string) {
	b.mu.Lock()
	b.active[id] = true
	b.mu.Unlock()
}

// TestPollerReadsEveryImageOncePerIntervalInFullCalls runs the poller's
// timer: images tracked at different moments are each read about once per
// interval, never more than an interval apart, in calls that are full,
// and an image that turns active wakes its object within one interval.
// A channel of one slot shows that no wake-up is dropped.
func TestPollerReadsEveryImageOncePerIntervalInFullCalls(t *testing.T) {
	const interval = 400 * time.Millisecond
	const perCall = 4
	b := &batchCloud{perCall: perCall, active: map[string]bool{}, reads: map[string][]time.Time{}}
	p := newImagePoller(time.Now, time.Hour)
	p.events = make(chan event.GenericEvent, 1)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { _ = p.Start(ctx) }()

	c := &imagesv1.Cloud{ObjectMeta: metav1.ObjectMeta{UID: types.UID("c")}, Spec: imagesv1.CloudSpec{
		Provider: imagesv1.ProviderOpenStack, PollInterval: &metav1.Duration{Duration: interval}}}
	var ids []string
	// Three waves of four, a third of an interval apart, like objects
	// created over time.
	for wave := range 3 {
		for i := range perCall {
			id := fmt.Sprintf("img-%d-%d", wave, i)
			ids = append(ids, id)
			si := &imagesv1.ServerImage{ObjectMeta: metav1.ObjectMeta{Name: id, UID: types.UID(id)}}
			si.Status.ImageID = id
			p.sync(si, c, b)
		}
		time.Sleep(interval / 3)
	}
	time.Sleep(3 * interval)
	activated := time.Now()
	for _, id := range ids {
		b.activate(id)
	}
	woken := map[string]time.Duration{}
	deadline := time.After(2 * time.Second)
	for len(woken) < len(ids) {
		select {
		case ev := <-p.events:
			woken[ev.Object.GetName()] = time.Since(activated)
		case <-deadline:
			t.Fatalf("only %d of %d objects woken after their images turned active: %v", len(woken), len(ids), woken)
		}
	}
	cancel()

	b.mu.Lock()
	defer b.mu.Unlock()
	for i, call := range b.calls {
		if len(call) != perCall {
			t.Errorf("call %d read %d images, want a full call of %d", i, len(call), perCall)
		}
	}
	// Slack for a loaded machine running the race detector.
	const slack = 250 * time.Millisecond
	for _, id := range ids {
		r := b.reads[id]
		if len(r) < 3 {
			t.Errorf("%s read %d times in over three intervals", id, len(r))
		}
		for k := 1; k < len(r); k++ {
			if gap := r[k].Sub(r[k-1]); gap > interval+slack {
				t.Errorf("%s: %s between reads, more than the interval %s", id, gap, interval)
			}
		}
		if w := woken[id]; w > interval+slack {
			t.Errorf("%s woken %s after it turned active, more than the interval %s", id, w, interval)
		}
	}
}

func TestChunksKeepOneCallPerRead(t *testing.T) {
	ids := []string{"a", "b", "c", "d", "e"}
	for _, tc := range []struct {
		perCall int
		want    []int
	}{
		{0, []int{5}},
		{1, []int{1, 1, 1, 1, 1}},
		{2, []int{2, 2, 1}},
		{50, []int{5}},
	} {
		var got []int
		for _, c := range chunks(ids, tc.perCall) {
			got = append(got, len(c))
		}
		if fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("perCall %d: calls of %v, want %v", tc.perCall, got, tc.want)
		}
	}
}
