package controllers

import (
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
)

// What the poller reads for each object, worked out from the object's
// status after every pass (finish calls sync) and nowhere else.

// watch is what the poller does for one object.
type watch int

const (
	// watchNone: nothing to read (no image, being deleted, or an image
	// that failed or is gone for good).
	watchNone watch = iota
	// watchDrift: a Ready image, read by the slow drift check.
	watchDrift
	// watchInFlight: an image being built, read every poll interval.
	watchInFlight
)

// watchOf works out, from an object's status alone, what the poller
// should read for it. It is the only place that decides.
func watchOf(si *imagesv1.ServerImage) watch {
	switch {
	case !si.DeletionTimestamp.IsZero(), si.Status.ImageID == "", imageFinal(si), cloudNotAllowed(si):
		return watchNone
	case isReady(si):
		return watchDrift
	}
	return watchInFlight
}

// imageFinal reports whether the object recorded that its image failed or
// is gone, which no later read can change.
func imageFinal(si *imagesv1.ServerImage) bool {
	c := readyCondition(si.Status.Conditions)
	if c == nil || c.Status != metav1.ConditionFalse {
		return false
	}
	switch c.Reason {
	case imagesv1.ReasonImageFailed, imagesv1.ReasonImageMissing, imagesv1.ReasonImageNotFound:
		return true
	}
	return false
}

// sync makes the poller read what si needs after a pass (watchOf). c and
// prov are nil when the pass did not resolve the Cloud: then an object
// that still needs reads keeps what it had.
func (p *imagePoller) sync(si *imagesv1.ServerImage, c *imagesv1.Cloud, prov cloud.Provider) {
	w := watchOf(si)
	p.mu.Lock()
	defer p.mu.Unlock()
	prev, had := p.watched[si.UID]
	if w == watchNone {
		if had {
			p.forgetLocked(prev)
			p.dropJobsLocked(prev.cloud, si.UID)
			delete(p.watched, si.UID)
		}
		return
	}
	if c == nil || prov == nil {
		return
	}
	ref := imageRef{cloud: c.UID, image: si.Status.ImageID}
	if had && prev != ref {
		p.forgetLocked(prev)
	}
	p.watched[si.UID] = ref
	p.trackLocked(c, prov, si, w == watchInFlight)
	p.watchPropsLocked(c.UID, si)
	p.watchJobsLocked(c.UID, si)
}

// trackLocked registers an image: in flight (read every poll interval) or
// ready (read by the drift check). A Ready object last recorded the image
// active, any other one in progress, so that only a change wakes it.
func (p *imagePoller) trackLocked(c *imagesv1.Cloud, prov cloud.Provider, si *imagesv1.ServerImage, inFlight bool) {
	cp := p.clouds[c.UID]
	if cp == nil {
		cp = &cloudPoll{inFlight: map[string]*trackedImage{}, ready: map[string]*trackedImage{}, kick: make(chan struct{}, 1)}
		p.clouds[c.UID] = cp
	}
	cp.prov = prov
	cp.interval = pollIntervalOf(c)
	caps := prov.Capabilities()
	cp.perCall = caps.ImagesPerCall
	cp.feed = caps.ChangeFeed && !p.perObject && !p.noFeed
	if p.perObject {
		cp.perCall = 1
	}
	cp.name = c.Namespace + "/" + c.Name
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
		cp.inFlight[id] = &trackedImage{obj: key, phase: phaseInProgress, due: time.Now().Add(cp.interval), orphanCheck: mayHoldOrphan(si, prov),
			captureWake: wantsCaptureWake(si, caps)}
	} else {
		delete(cp.inFlight, id)
		if t, ok := cp.ready[id]; ok {
			t.obj = key
			return
		}
		cp.ready[id] = &trackedImage{obj: key, phase: cloud.PhaseActive}
	}
	p.startLocked(c.UID, cp)
}

// phaseInProgress stands for every phase on the way to active: the poller
// wakes an object when its image leaves them, not on every step between.
const phaseInProgress = cloud.PhasePending

// coarse folds the phases an object does not react to separately.
func coarse(ph cloud.ImagePhase) cloud.ImagePhase {
	switch {
	case ph.InProgress():
		return phaseInProgress
	case ph.Final():
		return cloud.PhaseFailed
	}
	return ph
}

// forgetLocked stops reading an image.
func (p *imagePoller) forgetLocked(ref imageRef) {
	if cp := p.clouds[ref.cloud]; cp != nil {
		delete(cp.inFlight, ref.image)
		delete(cp.ready, ref.image)
	}
}
