package controllers

import (
	"context"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/log"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
)

// imagePoller reads the images of many ServerImages with as few cloud calls
// as each cloud allows, on one timer per Cloud, and wakes only the objects
// whose image changed phase.
//
// Peers poll each object on its own timer: a thousand images in flight cost a
// thousand GETs per interval. Here they cost one batched list per page per
// interval, and a Ready image costs nothing but its share of a slow,
// batched drift check. There is one goroutine per Cloud with work, never one
// per object.
//
// Each in-flight image keeps its own read schedule (one read per interval
// from when it was tracked), and a pass reads the images that are due,
// topped up with the next due ones to fill the last call. The calls stay as
// few as reading everything at once would cost, but reads, and the wake-ups
// they cause, are spread over the interval as the images were created: a
// thousand images turning active do not all wait behind one pass and then
// queue behind each other for their status writes.
type imagePoller struct {
	events chan event.GenericEvent
	now    func() time.Time
	drift  time.Duration
	// orphanGrace is how long an image may stay queued before its object
	// is woken to check for an orphan (see OrphanQueuedGrace).
	orphanGrace time.Duration
	// perObject turns batching off (one GET per image), for comparison in
	// benchmarks.
	perObject bool
	// noFeed reads in-flight images by ID even where the cloud has a
	// change feed, for comparison in benchmarks.
	noFeed bool

	mu     sync.Mutex
	ctx    context.Context
	clouds map[types.UID]*cloudPoll
	// watched is what each object has the poller read, so that sync can
	// move or drop it without being told the Cloud.
	watched map[types.UID]imageRef
}

// imageRef names one image of one Cloud.
type imageRef struct {
	cloud types.UID
	image string
}

// cloudPoll is the state of one Cloud's timer.
type cloudPoll struct {
	prov     cloud.Provider
	interval time.Duration
	// perCall is how many images one read covers: 0 when one read covers
	// any number (then all in-flight images are read together).
	perCall int
	// inFlight images are read every interval; ready ones every
	// DriftCheckInterval.
	inFlight map[string]*trackedImage
	ready    map[string]*trackedImage
	running  bool
	// lastErr is the last failed batched read, surfaced on the objects
	// when they find no fresh observation.
	lastErr   error
	lastErrAt time.Time
	// kick cuts short a long sleep (drift only) when an image starts
	// being in flight.
	kick chan struct{}
	// The change feed, where the cloud has one (see poller_feed.go).
	name      string
	feed      bool
	feedSince time.Time
	lastFeed  time.Time
	feedReads int

	// jobs are member jobs being read (poller_jobs.go).
	jobs map[string]*jobWatch
}

type trackedImage struct {
	obj   *imagesv1.ServerImage // for the wake-up event; only its key is used
	phase cloud.ImagePhase
	// latest is what the last read returned (nil: not read yet).
	latest    *cloud.Image
	notFound  bool
	fetchedAt time.Time
	// due is when an in-flight image is read next (real time).
	due time.Time
	// failing: the last read of this image failed and its object was
	// woken to show it; the next good read wakes it again to clear it.
	failing bool
	// orphanCheck: the object may hold an orphan of Nova's createImage
	// race, so a long "queued" wakes it (see replaceOrphan).
	orphanCheck  bool
	queuedSince  time.Time
	orphanWokeAt time.Time
	// captureWake: wake the object once when its image starts uploading,
	// the capture signal (poller_capture.go).
	captureWake bool
	// What the drift check compares for objects that keep image
	// properties (poller_props.go).
	propsWatch
}

// observation is what the poller knows about one image: a fresh read, or
// the error that prevented one.
type observation struct {
	image    *cloud.Image
	notFound bool
	err      error
	at       time.Time
}

func newImagePoller(now func() time.Time, driftInterval time.Duration) *imagePoller {
	return &imagePoller{
		// Buffered so that a batch of changes rarely waits for the
		// controller's queue.
		events:      make(chan event.GenericEvent, 1024),
		now:         now,
		clouds:      map[types.UID]*cloudPoll{},
		watched:     map[types.UID]imageRef{},
		drift:       driftInterval,
		orphanGrace: OrphanQueuedGrace,
	}
}

// Start runs until ctx ends; it is a manager Runnable that needs the leader,
// so only the leading replica talks to the clouds.
func (p *imagePoller) Start(ctx context.Context) error {
	p.mu.Lock()
	p.ctx = ctx
	for uid, cp := range p.clouds {
		p.startLocked(uid, cp)
	}
	p.mu.Unlock()
	<-ctx.Done()
	return nil
}

// NeedLeaderElection keeps the non-leading replicas quiet.
func (p *imagePoller) NeedLeaderElection() bool { return true }

// latest returns the last observation of an image younger than maxAge.
func (p *imagePoller) latest(cloudUID types.UID, imageID string, maxAge time.Duration) (observation, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	cp := p.clouds[cloudUID]
	if cp == nil {
		return observation{}, false
	}
	t := cp.inFlight[imageID]
	if t == nil {
		t = cp.ready[imageID]
	}
	now := p.now()
	if t == nil || t.fetchedAt.IsZero() || now.Sub(t.fetchedAt) > maxAge {
		if cp.lastErr != nil && now.Sub(cp.lastErrAt) <= maxAge {
			return observation{err: cp.lastErr, at: cp.lastErrAt}, true
		}
		return observation{}, false
	}
	return observation{image: t.latest, notFound: t.notFound, at: t.fetchedAt}, true
}

func (p *imagePoller) startLocked(uid types.UID, cp *cloudPoll) {
	if cp.running || p.ctx == nil {
		return
	}
	cp.running = true
	go p.run(p.ctx, uid)
}

// run is the timer of one Cloud. It stops when the Cloud has nothing left
// to watch and starts again on the next track.
func (p *imagePoller) run(ctx context.Context, uid types.UID) {
	// The first drift pass comes one poll interval after the timer starts:
	// after a restart every Ready image is re-observed in one batched pass
	// (one list call per page) instead of one GET per object.
	p.mu.Lock()
	first := p.clouds[uid].interval
	p.mu.Unlock()
	nextDrift := time.Now().Add(jitter(first))
	for {
		p.mu.Lock()
		cp := p.clouds[uid]
		if cp == nil || (len(cp.inFlight) == 0 && len(cp.ready) == 0) {
			if cp != nil {
				cp.running = false
			}
			p.mu.Unlock()
			return
		}
		wake := nextDrift
		if due, ok := cp.nextReadLocked(); ok && due.Before(wake) {
			wake = due
		}
		if due, ok := cp.nextJobLocked(); ok && due.Before(wake) {
			wake = due
		}
		kick := cp.kick
		p.mu.Unlock()

		if wait := time.Until(wake); wait > 0 {
			timer := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				timer.Stop()
				return
			case <-kick:
				timer.Stop()
				continue
			case <-timer.C:
			}
		}
		if ctx.Err() != nil {
			return
		}
		p.poll(ctx, uid, false)
		p.readJobs(ctx, uid)
		if !time.Now().Before(nextDrift) {
			p.poll(ctx, uid, true)
			nextDrift = time.Now().Add(jitter(p.drift))
		}
	}
}

// firstDueLocked is the earliest read time of the in-flight images.
func (cp *cloudPoll) firstDueLocked() (time.Time, bool) {
	var first time.Time
	for _, t := range cp.inFlight {
		if first.IsZero() || t.due.Before(first) {
			first = t.due
		}
	}
	return first, !first.IsZero()
}

// dueLocked picks the in-flight images to read now: those due within a
// tenth of the interval (so that nearby reads share a call), topped up
// with the next due ones until the last call is full. Reading an image a
// little early only shortens its wait; none is read later than its due.
func (cp *cloudPoll) dueLocked(now time.Time) []string {
	horizon := now.Add(cp.interval / 10)
	n := 0
	for _, t := range cp.inFlight {
		if !t.due.After(horizon) {
			n++
		}
	}
	if n == 0 {
		return nil
	}
	switch {
	case cp.perCall == 0:
		// One read covers any number: read them all.
		n = len(cp.inFlight)
	case cp.perCall > 1:
		n = min(len(cp.inFlight), (n+cp.perCall-1)/cp.perCall*cp.perCall)
	}
	return cp.byDueLocked(n)
}

// byDueLocked is the first n in-flight images by due time: the next to be
// read, or, where the feed is read instead, those read by ID longest ago
// (each read by ID moves an image's due).
func (cp *cloudPoll) byDueLocked(n int) []string {
	ids := make([]string, 0, len(cp.inFlight))
	for id := range cp.inFlight {
		ids = append(ids, id)
	}
	slices.SortFunc(ids, func(a, b string) int { return cp.inFlight[a].due.Compare(cp.inFlight[b].due) })
	return ids[:min(n, len(ids))]
}

// poll reads one Cloud's in-flight images that are due, or for drift
// every ready image (to notice images deleted out of band), and wakes the
// objects whose image changed phase, vanished, failed to read, or sat
// queued for too long.
func (p *imagePoller) poll(ctx context.Context, uid types.UID, drift bool) {
	p.mu.Lock()
	cp := p.clouds[uid]
	if cp == nil {
		p.mu.Unlock()
		return
	}
	if !drift && cp.useFeedLocked() {
		p.mu.Unlock()
		p.pollFeed(ctx, cp)
		return
	}
	var ids []string
	if drift {
		ids = cp.readyIDsLocked()
	} else {
		ids = cp.dueLocked(time.Now())
	}
	prov, perCall := cp.prov, cp.perCall
	p.mu.Unlock()
	if len(ids) == 0 {
		return
	}
	p.readInCalls(ctx, cp, prov, perCall, ids, !drift)
}

// readyIDsLocked lists the ready images in a fair order: no image is
// always last in line behind a rate limit.
func (cp *cloudPoll) readyIDsLocked() []string {
	ids := make([]string, 0, len(cp.ready))
	for id := range cp.ready {
		ids = append(ids, id)
	}
	rand.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
	return ids
}

// readInCalls reads ids in calls of perCall images, records each call's
// result in the in-flight or the ready set, and wakes that call's objects
// before the next call.
func (p *imagePoller) readInCalls(ctx context.Context, cp *cloudPoll, prov cloud.Provider, perCall int, ids []string, inFlight bool) {
	for _, chunk := range chunks(ids, perCall) {
		found, err := readImages(ctx, prov, chunk, !p.perObject)
		p.mu.Lock()
		set := cp.ready
		if inFlight {
			set = cp.inFlight
			next := time.Now().Add(cp.interval)
			for _, id := range chunk {
				if t := set[id]; t != nil {
					t.due = next
				}
			}
		}
		wakes := p.recordLocked(ctx, cp, set, chunk, found, err, inFlight)
		p.mu.Unlock()
		p.send(ctx, wakes)
	}
}

// chunks splits ids into the calls of perCall images each (one call for
// all when perCall is 0). One GetImages per call keeps one call of the
// cloud per rate-limit token, and wakes the objects of the first call
// while the next is read.
func chunks(ids []string, perCall int) [][]string {
	if perCall <= 0 {
		return [][]string{ids}
	}
	out := make([][]string, 0, (len(ids)+perCall-1)/perCall)
	for start := 0; start < len(ids); start += perCall {
		out = append(out, ids[start:min(start+perCall, len(ids))])
	}
	return out
}

// recordLocked stores the result of one read of ids from set and returns
// the objects to wake. inFlight objects are also woken when a read fails
// (and again when reads work again), so that the error shows at once; a
// Ready object keeps showing Ready while its drift check fails.
func (p *imagePoller) recordLocked(ctx context.Context, cp *cloudPoll, set map[string]*trackedImage, ids []string, found map[string]cloud.Image, err error, inFlight bool) []*imagesv1.ServerImage {
	now := p.now()
	var wakes []*imagesv1.ServerImage
	if err != nil {
		// The timer tries again next interval.
		log.FromContext(ctx).V(1).Info("batched image read failed", "error", err.Error(), "images", len(ids))
		cp.lastErr, cp.lastErrAt = err, now
		if inFlight {
			for _, id := range ids {
				if t := set[id]; t != nil && !t.failing {
					t.failing = true
					wakes = append(wakes, t.obj)
				}
			}
		}
		return wakes
	}
	cp.lastErr = nil
	for _, id := range ids {
		t := set[id]
		if t == nil {
			continue // forgotten meanwhile
		}
		changed := t.failing
		t.failing = false
		t.fetchedAt = now
		img, ok := found[id]
		if !ok {
			changed = changed || !t.notFound
			t.latest, t.notFound = nil, true
		} else {
			t.latest, t.notFound = &img, false
			if ph := coarse(img.Phase); ph != t.phase {
				t.phase = ph
				changed = true
			}
			if inFlight && p.orphanSuspect(t, &img, now) {
				changed = true
			}
			if inFlight && uploadStarted(t, &img) {
				changed = true
			}
			changed = changed || (!inFlight && t.propsDrifted(&img))
		}
		if changed {
			wakes = append(wakes, t.obj)
		}
	}
	return wakes
}

// orphanSuspect reports whether an image has been queued for a whole
// grace period since its object last looked, which is when the object
// should check whether the server still runs the snapshot.
func (p *imagePoller) orphanSuspect(t *trackedImage, img *cloud.Image, now time.Time) bool {
	if !t.orphanCheck || img.Phase != cloud.PhaseQueued {
		t.queuedSince = time.Time{}
		return false
	}
	if t.queuedSince.IsZero() {
		t.queuedSince = now
		return false
	}
	if now.Sub(t.queuedSince) < p.orphanGrace || now.Sub(t.orphanWokeAt) < p.orphanGrace {
		return false
	}
	t.orphanWokeAt = now
	return true
}

// send wakes objects through the controller's queue. It waits rather than
// drops when the channel is full: a dropped wake-up would leave the object
// to its slow safety requeue.
func (p *imagePoller) send(ctx context.Context, objs []*imagesv1.ServerImage) {
	for _, o := range objs {
		select {
		case p.events <- event.GenericEvent{Object: o}:
		case <-ctx.Done():
			return
		}
	}
}

// readImages reads many images in as few calls as the driver can do it.
// Images that do not exist are absent from the result.
func readImages(ctx context.Context, prov cloud.Provider, ids []string, batch bool) (map[string]cloud.Image, error) {
	if batch {
		return prov.GetImages(ctx, ids)
	}
	out := make(map[string]cloud.Image, len(ids))
	return out, cloud.GetEach(ctx, prov.GetImage, ids, out)
}

// objectRef is the smallest object that names si for an event.
func objectRef(si *imagesv1.ServerImage) *imagesv1.ServerImage {
	ref := &imagesv1.ServerImage{}
	ref.Namespace, ref.Name, ref.UID = si.Namespace, si.Name, si.UID
	return ref
}
