package fakecloud

import "time"

// SetSnapshotTimes changes how long snapshots taken from now on stay
// queued and then saving (zero keeps the current value). Snapshots already
// running keep the schedule they started with, so a test can slow one
// build down without disturbing others.
func (c *Cloud) SetSnapshotTimes(queuedFor, savingFor time.Duration) {
	c.store.mu.Lock()
	defer c.store.mu.Unlock()
	if queuedFor > 0 {
		c.store.queuedFor = queuedFor
	}
	if savingFor > 0 {
		c.store.savingFor = savingFor
	}
}
