package controllers

import (
	"context"
	"maps"
	"slices"
	"time"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
	"github.com/serverimage-operator/serverimage-operator/internal/metrics"
)

// The change feed: where a cloud lists every image of the account that
// changed since a time in one paged call (cloud.Capabilities.ChangeFeed),
// reading it costs the same for one image in flight as for ten thousand.
// The poller then reads the feed instead of the images one call's worth at
// a time, as often as the number in flight makes worth it.
const (
	// minFeedInterval is the shortest time between two feed reads of a
	// Cloud: a second, which is what keeps the detection lag of a thousand
	// images in flight near one second.
	minFeedInterval = time.Second
	// feedOverlap re-reads the last moments of the previous window:
	// Glance stamps updates to the second, and a row may become visible a
	// little after its stamp. Repeats are dropped (an unchanged phase
	// wakes no object).
	feedOverlap = 2 * time.Second
	// feedFirstLookback covers, on the first read, the changes since each
	// image's last read by ID (within one poll interval) plus clock skew
	// between the operator and the cloud.
	feedFirstLookback = 30 * time.Second
	// sweepEvery: the feed says what changed, never what is gone (a
	// Glance list leaves out deleted and killed images), and an orphan
	// that stays queued never changes; so every this many feed reads, one
	// call's worth of the images in flight, those read by ID longest ago,
	// are also read by ID. A rolling sweep rather than a full pass keeps
	// the calls per interval flat in the number of images.
	sweepEvery = 4
)

// useFeedLocked reports whether the feed is worth reading: only when more
// images are in flight than one read by ID covers. Below that, reading by
// ID costs no more and also sees images that are gone.
func (cp *cloudPoll) useFeedLocked() bool {
	return cp.feed && cp.perCall > 0 && len(cp.inFlight) > cp.perCall
}

// feedIntervalLocked is the time between feed reads: the poll interval
// shared out over the calls that reading by ID would have cost, so that
// the feed takes no more calls per interval than reads by ID would (the
// sweep comes on top) and reads about every second when a thousand images
// are in flight.
func (cp *cloudPoll) feedIntervalLocked() time.Duration {
	calls := (len(cp.inFlight) + cp.perCall - 1) / cp.perCall
	return min(cp.interval, max(minFeedInterval, cp.interval/time.Duration(calls)))
}

// nextReadLocked is when the in-flight images are read next.
func (cp *cloudPoll) nextReadLocked() (time.Time, bool) {
	if cp.useFeedLocked() {
		return cp.lastFeed.Add(cp.feedIntervalLocked()), true
	}
	return cp.firstDueLocked()
}

// pollFeed reads the Cloud's change feed, records what it says about the
// images in flight and wakes the objects whose image changed phase. The
// images it does not list have not changed, which confirms their last
// read. Every sweepEvery reads it also sweeps one call's worth by ID.
func (p *imagePoller) pollFeed(ctx context.Context, cp *cloudPoll) {
	p.mu.Lock()
	now := time.Now()
	since := cp.feedSince
	if since.IsZero() {
		since = now.Add(-cp.interval - feedFirstLookback)
	}
	if !cp.lastFeed.IsZero() {
		metrics.FeedInterval.WithLabelValues(cp.name).Set(now.Sub(cp.lastFeed).Seconds())
	}
	cp.lastFeed = now
	cp.feedReads++
	var sweep []string
	if cp.feedReads%sweepEvery == 1 {
		sweep = cp.sweepLocked()
	}
	prov, perCall := cp.prov, cp.perCall
	p.mu.Unlock()

	changed, err := prov.ImagesChangedSince(ctx, since)

	p.mu.Lock()
	var wakes []*imagesv1.ServerImage
	if err != nil {
		wakes = p.recordLocked(ctx, cp, cp.inFlight, slices.Collect(maps.Keys(cp.inFlight)), nil, err, true)
	} else {
		found := make(map[string]cloud.Image, len(changed))
		ids := make([]string, 0, len(changed))
		newest := time.Time{}
		for _, img := range changed {
			if img.UpdatedAt.After(newest) {
				newest = img.UpdatedAt
			}
			if _, tracked := cp.inFlight[img.ID]; tracked {
				found[img.ID] = img
				ids = append(ids, img.ID)
			}
		}
		if !newest.IsZero() && newest.Add(-feedOverlap).After(since) {
			cp.feedSince = newest.Add(-feedOverlap)
		} else if cp.feedSince.IsZero() {
			cp.feedSince = since
		}
		read := p.now()
		for id, t := range cp.inFlight {
			if _, ok := found[id]; !ok && t.latest != nil && !t.failing {
				t.fetchedAt = read
			}
		}
		wakes = p.recordLocked(ctx, cp, cp.inFlight, ids, found, nil, true)
	}
	p.mu.Unlock()
	p.send(ctx, wakes)
	if len(sweep) > 0 {
		p.readInCalls(ctx, cp, prov, perCall, sweep, true)
	}
}

// sweepLocked picks one call's worth of in-flight images, those read by ID
// longest ago.
func (cp *cloudPoll) sweepLocked() []string { return cp.byDueLocked(cp.perCall) }
