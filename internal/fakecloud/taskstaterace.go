package fakecloud

import "errors"

// Real Nova registers the Glance image before it sets the server's task
// state with a compare-and-swap. When two createImage calls for one server
// arrive together, both pass the task_state check and both images are
// registered; the loser's swap fails, Nova answers 500 (computeFault,
// UnexpectedTaskStateError) instead of 409, and the loser's image stays
// queued for ever, carrying that request's metadata. The simulator checks
// under one lock and so never races by itself: LoseNextSnapshotRace makes
// the next createImage of a server behave like that loser.

// errLostTaskStateRace is the loser's fate inside createSnapshot.
var errLostTaskStateRace = errors.New("Unexpected task state: expecting [None] but the actual state is image_snapshot_pending")

// LoseNextSnapshotRace makes the next createImage of serverID register its
// image (queued, never progressing) and then fail with HTTP 500, leaving
// the server's task state alone.
func (c *Cloud) LoseNextSnapshotRace(serverID string) {
	c.store.mu.Lock()
	defer c.store.mu.Unlock()
	if c.store.raceNext == nil {
		c.store.raceNext = map[string]int{}
	}
	c.store.raceNext[serverID]++
}

// loseRace registers the orphan when serverID is due to lose a race; the
// caller holds st.mu.
func (st *store) loseRace(serverID string, img Image) bool {
	if st.raceNext[serverID] == 0 {
		return false
	}
	st.raceNext[serverID]--
	// No lifecycle: the image stays queued; the server is not touched.
	st.images[img.ID] = &imageRec{img: img}
	return true
}
