package controllers

import (
	"math/rand/v2"
	"time"

	"github.com/serverimage-operator/serverimage-operator/internal/policy"
)

// Requeue intervals, named once. Failures are scheduled by internal/policy;
// these are the waits of the happy path and of polling.
const (
	// DefaultPollInterval is how often an in-flight image is read when the
	// Cloud does not say otherwise.
	DefaultPollInterval = 5 * time.Second
	// ProgressRefreshInterval is how often an in-flight object refreshes its
	// shown status (queued, saving, progress) from the poller's latest read.
	// Phase changes (active, failed, gone) and read errors wake it at once;
	// this only bounds how stale the progress may look, at one status write
	// per interval.
	ProgressRefreshInterval = policy.RecheckProgress
	// DriftCheckInterval is how often a Ready image is checked for
	// out-of-band deletion. Slow on purpose: Ready images should cost next
	// to nothing.
	DriftCheckInterval = 10 * time.Minute
	// CloudNotReadyRecheck re-reads a missing or unready Cloud in case no
	// watch event arrives (the Cloud watch normally wakes us sooner).
	CloudNotReadyRecheck = 30 * time.Second
	// ServerNotReadyRecheck re-reads a server whose state does not allow a
	// snapshot, so the object recovers when the server does.
	ServerNotReadyRecheck = policy.RecheckServer
	// DuplicateRecheck is how often an object with several images carrying
	// its key looks again, so that it recovers once a person removed the
	// extras.
	DuplicateRecheck = policy.RecheckServer
	// DeletePollInterval is how often a deleted image is checked until it
	// is gone.
	DeletePollInterval = 2 * time.Second
	// VolumeSnapshotRecheck re-reads the volume snapshots of an image when
	// one failed, in case a person repairs it.
	VolumeSnapshotRecheck = policy.RecheckServer
	// CloudReauthInterval re-checks a Ready Cloud's credentials.
	CloudReauthInterval = policy.RecheckCloud
	// DefaultImageTimeout bounds the wait for an image to become active.
	DefaultImageTimeout = time.Hour
	// TimeoutRecheck is how often an image past its timeout is looked at:
	// it keeps looking, slowly, since one that turns active late still
	// makes the object Ready.
	TimeoutRecheck = policy.RecheckServer
	// StopTimeout bounds the wait for a server to stop for an image of
	// consistency Stopped: past it no image is taken and the server is put
	// back as it was.
	StopTimeout = 10 * time.Minute
	// StartTimeout is how long a started server may take to run before a
	// Warning says so; the start keeps being retried.
	StartTimeout = 10 * time.Minute
	// LeaseRecheck is how often an object waiting for another's
	// stop-image-start of the same server looks again.
	LeaseRecheck = 5 * time.Second
)

// jitter spreads requeues by up to +10% so that objects created together do
// not poll together forever.
func jitter(d time.Duration) time.Duration {
	if d <= 0 {
		return d
	}
	return d + time.Duration(rand.Int64N(int64(d)/10+1))
}
