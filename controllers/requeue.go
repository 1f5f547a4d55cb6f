package controllers

import (
	"math/rand/v2"
	"sync"
	"time"
)

const (
	// DefaultPollInterval is how often an in-flight image is read when the
	// Cloud does not say otherwise.
	DefaultPollInterval = 5 * time.Second
	// ProgressRefreshInterval is how often an in-flight object refreshes its
	// shown status (queued, saving, progress) from the poller's latest read.
	// Phase changes (active, failed, gone) and read errors wake it at once;
	// this only bounds how stale the progress may look, at one status write
	// per interval. Two minutes keeps a short build (most snapshots of small
	// servers take one to two minutes) at three writes: finalizer, image
	// ID, Ready.
	ProgressRefreshInterval = 2 * time.Minute
	// DriftCheckInterval is how often a Ready image is checked for
	// out-of-band deletion. Slow on purpose: Ready images should cost next
	// to nothing.
	DriftCheckInterval = 10 * time.Minute
	// CloudNotReadyRecheck re-reads a missing or unready Cloud in case no
	// watch event arrives (the Cloud watch normally wakes us sooner).
	CloudNotReadyRecheck = 30 * time.Second
	// ServerNotReadyRecheck re-reads a server whose state does not allow a
	// snapshot, so the object recovers when the server does.
	ServerNotReadyRecheck = time.Minute
	// DeletePollInterval is how often a deleted image is checked until it
	// is gone.
	DeletePollInterval = 2 * time.Second
	// CloudReauthInterval re-checks a Ready Cloud's credentials.
	CloudReauthInterval = 15 * time.Minute
	// DefaultImageTimeout bounds the wait for an image to become active.
	DefaultImageTimeout = time.Hour

	backoffBase = time.Second
	backoffCap  = 5 * time.Minute
)

// jitter spreads requeues by up to +10% so that objects created together do
// not poll together forever.
func jitter(d time.Duration) time.Duration {
	if d <= 0 {
		return d
	}
	return d + time.Duration(rand.Int64N(int64(d)/10+1))
}

// backoff tracks consecutive failures per object for exponential backoff
// with full jitter, capped. It lives in memory: after a restart the
// objects start again from the base delay, which is what we want.
type backoff struct {
	mu       sync.Mutex
	failures map[string]int
}

func newBackoff() *backoff { return &backoff{failures: map[string]int{}} }

// next records a failure for key and returns the delay before the retry.
func (b *backoff) next(key string) time.Duration {
	b.mu.Lock()
	n := b.failures[key]
	b.failures[key] = n + 1
	b.mu.Unlock()
	d := backoffBase << min(n, 16)
	if d > backoffCap || d <= 0 {
		d = backoffCap
	}
	// Half fixed, half random: never zero, never all objects at once.
	return d/2 + time.Duration(rand.Int64N(int64(d/2)+1))
}

// attempts returns how many consecutive failures key has had.
func (b *backoff) attempts(key string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.failures[key]
}

// reset forgets key's failures after a success.
func (b *backoff) reset(key string) {
	b.mu.Lock()
	delete(b.failures, key)
	b.mu.Unlock()
}
