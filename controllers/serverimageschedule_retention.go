package controllers

import (
	"fmt"
	"sort"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
)

// DefaultFailedGracePeriod is how long a failed image of a schedule is kept
// for a person to look at before retention prunes it: a day covers a night
// run that fails while nobody is watching.
const DefaultFailedGracePeriod = 24 * time.Hour

// childState is how retention and concurrencyPolicy see one ServerImage.
type childState int

const (
	// childActive: still being built (neither Ready nor Stalled).
	childActive childState = iota
	// childReady: Ready=True.
	childReady
	// childFailed: Stalled=True; it needs a person or a new run.
	childFailed
)

// scheduleChild is one ServerImage created by the schedule.
type scheduleChild struct {
	si *imagesv1.ServerImage
	// slot is the run's time in the schedule; created is when the
	// schedule created it. Both come from the annotations the schedule
	// wrote, or the creation timestamp when a person removed them.
	slot, created time.Time
	state         childState
}

func newScheduleChild(si *imagesv1.ServerImage) scheduleChild {
	c := scheduleChild{si: si, slot: si.CreationTimestamp.Time, created: si.CreationTimestamp.Time}
	if t, err := time.Parse(time.RFC3339, si.Annotations[imagesv1.ScheduledTimeAnnotation]); err == nil {
		c.slot = t
	}
	if t, err := time.Parse(time.RFC3339, si.Annotations[imagesv1.CreatedTimeAnnotation]); err == nil {
		c.created = t
	}
	switch {
	case meta.IsStatusConditionTrue(si.Status.Conditions, imagesv1.ConditionReady):
		c.state = childReady
	case meta.IsStatusConditionTrue(si.Status.Conditions, imagesv1.ConditionStalled):
		c.state = childFailed
	}
	return c
}

// sortNewestFirst orders children by slot, newest first (name breaks ties
// so the order never depends on the list order).
func sortNewestFirst(children []scheduleChild) {
	sort.SliceStable(children, func(i, j int) bool {
		if !children[i].slot.Equal(children[j].slot) {
			return children[i].slot.After(children[j].slot)
		}
		return children[i].si.Name > children[j].si.Name
	})
}

// pruneDecision is one ServerImage to delete and why.
type pruneDecision struct {
	si  *imagesv1.ServerImage
	why string
}

// planPrune applies the retention rules to children (any order) at now. It
// returns what to delete and the earliest later time at which another
// image will be due for pruning (zero if none), so the caller can requeue
// for it instead of polling.
//
//   - Only Ready images count toward maxCount; the newest maxCount stay.
//   - maxAge prunes Ready images older than it, except the newest Ready
//     one: a suspended or failing schedule never loses its last good image.
//   - Failed images go failedGracePeriod after their creation.
//   - Images still being built are never pruned (their own timeout turns
//     them into failed ones if they hang).
func planPrune(children []scheduleChild, r *imagesv1.ImageRetention, now time.Time) ([]pruneDecision, time.Time) {
	if r == nil {
		return nil, time.Time{}
	}
	sorted := append([]scheduleChild(nil), children...)
	sortNewestFirst(sorted)
	grace := DefaultFailedGracePeriod
	if r.FailedGracePeriod != nil {
		grace = r.FailedGracePeriod.Duration
	}
	var out []pruneDecision
	var wake time.Time
	expiresAt := func(c scheduleChild, after time.Duration, why string) {
		at := c.created.Add(after)
		if !now.Before(at) {
			out = append(out, pruneDecision{c.si, why})
			return
		}
		if wake.IsZero() || at.Before(wake) {
			wake = at
		}
	}
	ready := 0
	for _, c := range sorted {
		switch c.state {
		case childReady:
			ready++
			switch {
			case r.MaxCount != nil && ready > int(*r.MaxCount):
				out = append(out, pruneDecision{c.si, fmt.Sprintf("more than retention.maxCount=%d Ready images", *r.MaxCount)})
			case r.MaxAge != nil && ready > 1:
				expiresAt(c, r.MaxAge.Duration, fmt.Sprintf("older than retention.maxAge=%s", r.MaxAge.Duration))
			}
		case childFailed:
			expiresAt(c, grace, fmt.Sprintf("failed and older than the failed-image grace period %s", grace))
		}
	}
	return out, wake
}
