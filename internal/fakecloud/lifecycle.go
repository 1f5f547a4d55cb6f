package fakecloud

import "time"

// Image statuses as Glance v2 reports them.
const (
	StatusQueued        = "queued"
	StatusSaving        = "saving"
	StatusActive        = "active"
	StatusKilled        = "killed"
	StatusDeleted       = "deleted"
	StatusPendingDelete = "pending_delete"
	StatusDeactivated   = "deactivated"
)

// Nova task states a server passes through while it is being snapshotted.
const (
	// TaskImageSnapshotPending is set by nova-api before it answers 202.
	TaskImageSnapshotPending = "image_snapshot_pending"
	TaskImageSnapshot        = "image_snapshot"
	TaskImagePendingUpload   = "image_pending_upload"
	TaskImageUploading       = "image_uploading"
)

// lifeClock is the clock snapshot lifecycles run on. It follows wall time
// except while images are frozen (FreezeImages), when it stands still. A
// snapshot's status is a pure function of how far this clock has moved since
// the snapshot was taken, so no goroutine or timer is needed per image and
// thousands of in-flight images cost nothing until somebody looks.
type lifeClock struct {
	// runs are the periods in which the clock moved: from wall time
	// run.wall the clock read run.life and advanced with wall time until
	// the next run began (or until now for the last one).
	runs     []clockRun
	frozen   bool
	frozenAt time.Duration // clock reading while frozen
}

type clockRun struct {
	wall time.Time
	life time.Duration
}

func newLifeClock(start time.Time) *lifeClock {
	return &lifeClock{runs: []clockRun{{wall: start}}}
}

// read returns the clock's reading at wall time now.
func (c *lifeClock) read(now time.Time) time.Duration {
	if c.frozen {
		return c.frozenAt
	}
	last := c.runs[len(c.runs)-1]
	if d := now.Sub(last.wall); d > 0 {
		return last.life + d
	}
	return last.life
}

func (c *lifeClock) freeze(now time.Time) {
	if c.frozen {
		return
	}
	c.frozenAt = c.read(now)
	c.frozen = true
}

func (c *lifeClock) thaw(now time.Time) {
	if !c.frozen {
		return
	}
	c.runs = append(c.runs, clockRun{wall: now, life: c.frozenAt})
	c.frozen = false
}

// wallAt returns the first wall time at which the clock read at least life.
// It is how lazily computed transitions get real timestamps (updated_at,
// ActivatedAt). Only meaningful for readings already reached.
func (c *lifeClock) wallAt(life time.Duration) time.Time {
	for i, r := range c.runs {
		end := c.frozenAt // a run ends where the next begins, or at the freeze
		if i+1 < len(c.runs) {
			end = c.runs[i+1].life
		} else if !c.frozen {
			return r.wall.Add(life - r.life)
		}
		if life <= end {
			if life < r.life {
				life = r.life
			}
			return r.wall.Add(life - r.life)
		}
	}
	// Not reached yet (frozen before it): report the freeze point's wall
	// time plus the remainder, a best guess that is never used for state.
	last := c.runs[len(c.runs)-1]
	return last.wall.Add(life - last.life)
}

// snapshotLife is the schedule of one snapshot image, in lifeClock time.
type snapshotLife struct {
	born      time.Duration
	queuedFor time.Duration
	savingFor time.Duration
	// fail models a compute-side snapshot failure: as real Nova does, the
	// image is deleted (GET answers 404) when the upload would have begun.
	fail bool
}

// lifePhase is where a snapshot is at one instant.
type lifePhase struct {
	status string // Glance status; "" means the image is gone
	task   string // the server's task_state contribution; "" when done
	// since is the lifeClock reading at which the current status began.
	since time.Duration
}

func (l *snapshotLife) phaseAt(now time.Duration) lifePhase {
	e := now - l.born
	switch {
	case e < l.queuedFor:
		// nova-api sets image_snapshot_pending before it answers; the
		// compute host then moves image_snapshot -> image_pending_upload
		// while it prepares the disk. The image stays queued meanwhile.
		task := TaskImageSnapshotPending
		switch {
		case e >= l.queuedFor*2/3:
			task = TaskImagePendingUpload
		case e >= l.queuedFor/3:
			task = TaskImageSnapshot
		}
		return lifePhase{status: StatusQueued, task: task, since: l.born}
	case l.fail:
		return lifePhase{since: l.born + l.queuedFor}
	case e < l.queuedFor+l.savingFor:
		return lifePhase{status: StatusSaving, task: TaskImageUploading, since: l.born + l.queuedFor}
	default:
		return lifePhase{status: StatusActive, since: l.activeAt()}
	}
}

func (l *snapshotLife) activeAt() time.Duration { return l.born + l.queuedFor + l.savingFor }
