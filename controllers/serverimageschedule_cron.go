package controllers

import (
	"errors"
	"fmt"
	"strings"
	"time"

	// The operator's image may have no zoneinfo files; embedding the
	// database (about 450 KB) makes every IANA name resolve the same way on
	// every host, and in tests.
	_ "time/tzdata"

	"github.com/robfig/cron/v3"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
)

// cronParser reads five fields and the @daily-style macros. The API server
// already rejects @every and TZ= prefixes; parseSchedule rejects them again
// for objects that were stored before that validation existed.
var cronParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// schedule is a parsed spec.schedule read in spec.timeZone.
type schedule struct {
	spec cron.Schedule
	loc  *time.Location
}

// scheduleError is a spec the parser rejected; reason is the condition
// reason to report it with.
type scheduleError struct {
	reason string
	msg    string
}

func (e *scheduleError) Error() string { return e.msg }

// parseSchedule turns the spec's schedule and time zone into a schedule, or
// a scheduleError carrying the parser's own message. now is only used to
// check that the schedule fires at all.
func parseSchedule(expr, timeZone string, now time.Time) (schedule, error) {
	zone := timeZone
	if zone == "" {
		zone = "UTC"
	}
	loc, err := time.LoadLocation(zone)
	if err == nil && zone == "Local" {
		err = errors.New("Local is the operator host's zone, not a fixed one")
	}
	if err != nil {
		return schedule{}, &scheduleError{imagesv1.ReasonInvalidTimeZone,
			fmt.Sprintf("timeZone %q is not valid: %v; use an IANA name such as Europe/Berlin", timeZone, err)}
	}
	trimmed := strings.TrimSpace(expr)
	switch {
	case strings.HasPrefix(trimmed, "@every"):
		return schedule{}, &scheduleError{imagesv1.ReasonInvalidSchedule,
			fmt.Sprintf("schedule %q is not valid: @every is not supported, use five cron fields such as \"*/15 * * * *\"", expr)}
	case strings.Contains(trimmed, "TZ="):
		return schedule{}, &scheduleError{imagesv1.ReasonInvalidSchedule,
			fmt.Sprintf("schedule %q is not valid: set the time zone in spec.timeZone, not in the schedule", expr)}
	}
	spec, err := cronParser.Parse(trimmed)
	if err != nil {
		return schedule{}, &scheduleError{imagesv1.ReasonInvalidSchedule, fmt.Sprintf("schedule %q is not valid: %v", expr, err)}
	}
	s := schedule{spec: spec, loc: loc}
	// The parser accepts dates that never come (30 February); it then
	// returns the zero time, which must not be mistaken for a run.
	if s.next(now).IsZero() {
		return schedule{}, &scheduleError{imagesv1.ReasonInvalidSchedule,
			fmt.Sprintf("schedule %q never fires: no date matches it", expr)}
	}
	return s, nil
}

// next is the first slot strictly after t, in UTC; zero if there is none.
// Slots are whole seconds.
func (s schedule) next(t time.Time) time.Time {
	n := s.spec.Next(t.In(s.loc))
	if n.IsZero() {
		return n
	}
	return n.UTC()
}

// searchWindows are how far back latestSlot looks, growing until a slot is
// found: a minutely schedule is answered from the last hour, a yearly one
// from the last years, and neither iterates over more than a few hundred
// slots however long the operator was down.
var searchWindows = []time.Duration{
	time.Hour, 25 * time.Hour, 32 * 24 * time.Hour, 367 * 24 * time.Hour, 9 * 366 * 24 * time.Hour,
}

// maxSlotsScanned bounds a single scan; reached only by schedules that
// fire every minute for years on end, which the windows never scan.
const maxSlotsScanned = 100000

// latestSlot is the latest slot in [from, now], if any.
func latestSlot(s schedule, from, now time.Time) (time.Time, bool) {
	if now.Before(from) {
		return time.Time{}, false
	}
	for i := 0; ; i++ {
		start := from
		if i < len(searchWindows) && now.Add(-searchWindows[i]).After(from) {
			start = now.Add(-searchWindows[i])
		}
		if t, ok := lastSlotIn(s, start, now); ok {
			return t, true
		}
		if start.Equal(from) {
			return time.Time{}, false
		}
	}
}

// lastSlotIn scans the slots in [start, now] and returns the last one.
func lastSlotIn(s schedule, start, now time.Time) (time.Time, bool) {
	var last time.Time
	// next is strictly after its argument and slots are whole seconds, so
	// starting one second early includes a slot at start itself.
	t := s.next(start.Add(-time.Second))
	for n := 0; !t.IsZero() && !t.After(now) && n < maxSlotsScanned; n++ {
		if !t.Before(start) {
			last = t
		}
		t = s.next(t)
	}
	return last, !last.IsZero()
}

// runPlan is what the schedule should do now.
type runPlan struct {
	// due is the slot to run now; zero when nothing is due.
	due time.Time
	// caughtUpSince is the pending slot when earlier slots were passed
	// over in favour of due (the operator was down); zero otherwise.
	caughtUpSince time.Time
	// missed is a slot that is due but later than the starting deadline;
	// zero otherwise. due and missed are never both set.
	missed time.Time
	// next is the first slot after now.
	next time.Time
}

// planRun decides about the slots between pending (the nextScheduleTime
// recorded by the previous pass; nil on the first pass, after a suspension
// or after an invalid schedule) and now. Only the latest due slot is ever
// considered, so downtime leads to at most one run, never a burst.
func planRun(s schedule, pending *time.Time, now time.Time, deadline *time.Duration) runPlan {
	p := runPlan{next: s.next(now)}
	if pending == nil || pending.After(now) {
		return p
	}
	latest, ok := latestSlot(s, *pending, now)
	if !ok {
		// The schedule was changed since pending was computed and none of
		// its slots fell in between.
		return p
	}
	if deadline != nil && now.Sub(latest) > *deadline {
		p.missed = latest
		return p
	}
	p.due = latest
	if s.next(pending.Add(-time.Second)).Before(latest) {
		p.caughtUpSince = *pending
	}
	return p
}
