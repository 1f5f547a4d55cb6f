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
