package controllers

import (
	"context"
	"math/rand/v2"
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
// thousand GETs per interval. Here they cost one batched list per interval
// (per page), and a Ready image costs nothing but its share of a slow,
// batched drift check. There is one goroutine per Cloud with work, never one
// per object.
type imagePoller struct {
	events chan event.GenericEvent
	now    func() time.Time
	drift  time.Duration
	// perObject turns batching off (one GET per image), for comparison in
	// benchmarks.
	perObject bool

	mu     sync.Mutex
	ctx    context.Context
	clouds map[types.UID]*cloudPoll
}

// cloudPoll is the state of one Cloud's timer.
type cloudPoll struct {
	prov     cloud.Provider
	interval time.Duration
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
}

type trackedImage struct {
	obj   *imagesv1.ServerImage // for the wake-up event; only its key is used
	phase cloud.ImagePhase
	// latest is what the last read returned (nil: not read yet).
	latest    *cloud.Image
	notFound  bool
	fetchedAt time.Time
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
		// Buffered so that a batch of changes never blocks the timer on the
		// controller's queue.
		events: make(chan event.GenericEvent, 1024),
		now:    now,
		clouds: map[types.UID]*cloudPoll{},
		drift:  driftInterval,
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

// track registers an image: in flight (read every poll interval) or ready
// (read by the drift check). known is the phase the object last recorded,
// so that only a change wakes it.
func (p *imagePoller) track(c *imagesv1.Cloud, prov cloud.Provider, si *imagesv1.ServerImage, inFlight bool, known cloud.ImagePhase) {
	p.mu.Lock()
	defer p.mu.Unlock()
	cp := p.clouds[c.UID]
	if cp == nil {
		cp = &cloudPoll{inFlight: map[string]*trackedImage{}, ready: map[string]*trackedImage{}, kick: make(chan struct{}, 1)}
		p.clouds[c.UID] = cp
	}
	cp.prov = prov
	cp.interval = pollIntervalOf(c)
	id := si.Status.ImageID
	key := objectRef(si)
	if inFlight {
		delete(cp.ready, id)
		if t, ok := cp.inFlight[id]; ok {
			t.obj = key
			return
		}
		if len(cp.inFlight) == 0 {
			select {
			case cp.kick <- struct{}{}:
			default:
			}
		}
		cp.inFlight[id] = &trackedImage{obj: key, phase: known}
	} else {
		delete(cp.inFlight, id)
		if t, ok := cp.ready[id]; ok {
			t.obj = key
			return
		}
		cp.ready[id] = &trackedImage{obj: key, phase: known}
	}
	p.startLocked(c.UID, cp)
}

// forget stops reading an image (object deleted, failed, or stalled).
func (p *imagePoller) forget(cloudUID types.UID, imageID string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if cp := p.clouds[cloudUID]; cp != nil {
		delete(cp.inFlight, imageID)
		delete(cp.ready, imageID)
	}
}

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
	nextDrift := p.now().Add(jitter(first))
	for {
		// Wake at least as often as the drift check needs.
		p.mu.Lock()
		cp := p.clouds[uid]
		if cp == nil || (len(cp.inFlight) == 0 && len(cp.ready) == 0) {
			if cp != nil {
				cp.running = false
			}
			p.mu.Unlock()
			return
		}
		interval := jitter(cp.interval)
		if len(cp.inFlight) == 0 {
			interval = max(nextDrift.Sub(p.now()), interval)
		}
		kick := cp.kick
		p.mu.Unlock()

		timer := time.NewTimer(interval)
		select {
		case <-ctx.Done():
			timer.Stop()
			return
		case <-kick:
			timer.Stop()
			continue
		case <-timer.C:
		}
		p.pollOnce(ctx, uid, false)
		if !p.now().Before(nextDrift) {
			p.pollOnce(ctx, uid, true)
			nextDrift = p.now().Add(jitter(p.drift))
		}
	}
}

// pollOnce reads every in-flight (or, for drift, every ready) image of one
// Cloud and wakes the objects whose image changed phase or vanished.
func (p *imagePoller) pollOnce(ctx context.Context, uid types.UID, drift bool) {
	p.mu.Lock()
	cp := p.clouds[uid]
	if cp == nil {
		p.mu.Unlock()
		return
	}
	set := cp.inFlight
	if drift {
		set = cp.ready
	}
	ids := make([]string, 0, len(set))
	for id := range set {
		ids = append(ids, id)
	}
	prov := cp.prov
	p.mu.Unlock()
	if len(ids) == 0 {
		return
	}
	// A fair order: no image is always last in line behind a rate limit.
	rand.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })

	found, err := readImages(ctx, prov, ids, !p.perObject)
	now := p.now()
	p.mu.Lock()
	defer p.mu.Unlock()
	if err != nil {
		// The objects report the error on their next safety requeue; the
		// timer tries again next interval.
		log.FromContext(ctx).V(1).Info("batched image read failed", "error", err.Error(), "images", len(ids))
		cp.lastErr, cp.lastErrAt = err, now
		return
	}
	cp.lastErr = nil
	for _, id := range ids {
		t := set[id]
		if t == nil {
			continue // forgotten meanwhile
		}
		img, ok := found[id]
		t.fetchedAt = now
		if !ok {
			changed := !t.notFound
			t.latest, t.notFound = nil, true
			if changed {
				p.wake(t)
			}
			continue
		}
		t.latest, t.notFound = &img, false
		if img.Phase != t.phase {
			t.phase = img.Phase
			p.wake(t)
		}
	}
}

func (p *imagePoller) wake(t *trackedImage) {
	select {
	case p.events <- event.GenericEvent{Object: t.obj}:
	default:
		// The queue is saturated; the object's safety requeue catches up.
	}
}

// readImages reads many images in as few calls as the driver can do it.
// Images that do not exist are absent from the result.
func readImages(ctx context.Context, prov cloud.Provider, ids []string, batch bool) (map[string]cloud.Image, error) {
	if b, ok := prov.(cloud.BatchImageGetter); ok && batch {
		return b.GetImages(ctx, ids)
	}
	out := make(map[string]cloud.Image, len(ids))
	for _, id := range ids {
		img, err := prov.GetImage(ctx, id)
		if cloud.IsNotFound(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out[id] = *img
	}
	return out, nil
}

// objectRef is the smallest object that names si for an event.
func objectRef(si *imagesv1.ServerImage) *imagesv1.ServerImage {
	ref := &imagesv1.ServerImage{}
	ref.Namespace, ref.Name, ref.UID = si.Namespace, si.Name, si.UID
	return ref
}
