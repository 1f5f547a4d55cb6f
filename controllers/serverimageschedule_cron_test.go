package controllers

import (
	"strings"
	"testing"
	"time"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
)

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func mustSchedule(t *testing.T, expr, tz string) schedule {
	t.Helper()
	s, err := parseSchedule(expr, tz, utc("2026-01-01T00:00:00Z"))
	if err != nil {
		t.Fatalf("parseSchedule(%q, %q): %v", expr, tz, err)
	}
	return s
}

func TestScheduleParseReportsTheParsersMessage(t *testing.T) {
	cases := []struct {
		expr, tz string
		reason   string // empty: valid
		message  string
	}{
		{expr: "0 2 * * *"},
		{expr: "@daily", tz: "Europe/Berlin"},
		{expr: "0 0 ? * MON", tz: "America/New_York"},
		{expr: "*/15 8-18 * JAN-MAR 1-5", tz: "Etc/GMT+5"},
		{expr: "61 * * * *", reason: imagesv1.ReasonInvalidSchedule, message: "end of range (61) above maximum (59)"},
		{expr: "0 2 * *", reason: imagesv1.ReasonInvalidSchedule, message: "expected exactly 5 fields, found 4"},
		{expr: "@every 1h", reason: imagesv1.ReasonInvalidSchedule, message: "@every is not supported"},
		{expr: "CRON_TZ=UTC 0 2 * * *", reason: imagesv1.ReasonInvalidSchedule, message: "spec.timeZone"},
		{expr: "0 0 30 2 *", reason: imagesv1.ReasonInvalidSchedule, message: "never fires"},
		{expr: "0 2 * * *", tz: "Mars/Olympus", reason: imagesv1.ReasonInvalidTimeZone, message: "unknown time zone Mars/Olympus"},
		{expr: "0 2 * * *", tz: "Local", reason: imagesv1.ReasonInvalidTimeZone, message: "operator host"},
	}
	for _, c := range cases {
		t.Run(c.expr+"/"+c.tz, func(t *testing.T) {
			_, err := parseSchedule(c.expr, c.tz, utc("2026-11-23T00:00:00Z"))
			if c.reason == "" {
				if err != nil {
					t.Fatalf("rejected a valid schedule: %v", err)
				}
				return
			}
			se, ok := err.(*scheduleError)
			if !ok {
				t.Fatalf("error = %v (%T), want a *scheduleError", err, err)
			}
			if se.reason != c.reason || !strings.Contains(se.msg, c.message) {
				t.Errorf("got %s %q, want %s containing %q", se.reason, se.msg, c.reason, c.message)
			}
		})
	}
}

// Slots follow the local wall clock across daylight saving time changes.
// On the spring-forward night a time inside the skipped hour does not
// happen; on the fall-back night a time inside the repeated hour happens
// twice (the behaviour of the cron library, as with Kubernetes CronJobs,
// and what the README documents).
func TestScheduleFollowsLocalTimeAcrossDST(t *testing.T) {
	cases := []struct {
		name, expr, tz, from string
		want                 []string
	}{{
		name: "Berlin spring forward: 03:30 local moves from 02:30Z to 01:30Z",
		expr: "30 3 * * *", tz: "Europe/Berlin", from: "2026-03-27T12:00:00Z",
		want: []string{"2026-03-28T02:30:00Z", "2026-03-29T01:30:00Z", "2026-03-30T01:30:00Z"},
	}, {
		name: "Berlin spring forward: 02:30 local does not exist on the 29th",
		expr: "30 2 * * *", tz: "Europe/Berlin", from: "2026-03-27T12:00:00Z",
		want: []string{"2026-03-28T01:30:00Z", "2026-03-30T00:30:00Z"},
	}, {
		name: "Berlin fall back: 03:30 local moves from 01:30Z to 02:30Z",
		expr: "30 3 * * *", tz: "Europe/Berlin", from: "2026-10-23T12:00:00Z",
		want: []string{"2026-10-24T01:30:00Z", "2026-10-25T02:30:00Z", "2026-10-26T02:30:00Z"},
	}, {
		name: "New York fall back: 01:30 local happens twice on November 1st",
		expr: "30 1 * * *", tz: "America/New_York", from: "2026-10-31T00:00:00Z",
		want: []string{"2026-10-31T05:30:00Z", "2026-11-01T05:30:00Z", "2026-11-01T06:30:00Z", "2026-11-02T06:30:00Z"},
	}, {
		name: "hourly in Berlin skips the missing hour and keeps elapsed time",
		expr: "0 * * * *", tz: "Europe/Berlin", from: "2026-03-28T23:30:00Z",
		want: []string{"2026-03-29T00:00:00Z", "2026-03-29T01:00:00Z", "2026-03-29T02:00:00Z"},
	}, {
		name: "UTC has no DST",
		expr: "@daily", tz: "", from: "2026-03-28T12:00:00Z",
		want: []string{"2026-03-29T00:00:00Z", "2026-03-30T00:00:00Z"},
	}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := mustSchedule(t, c.expr, c.tz)
			at := utc(c.from)
			for i, w := range c.want {
				at = s.next(at)
				if !at.Equal(utc(w)) || at.Location() != time.UTC {
					t.Fatalf("slot %d = %s, want %s", i, at, w)
				}
			}
		})
	}
}

func TestScheduleLatestSlot(t *testing.T) {
	cases := []struct {
		name, expr, from, now string
		want                  string // empty: none
	}{
		{name: "slot exactly at from counts", expr: "*/5 * * * *", from: "2026-05-01T10:05:00Z", now: "2026-05-01T10:05:00Z", want: "2026-05-01T10:05:00Z"},
		{name: "latest of several", expr: "*/5 * * * *", from: "2026-05-01T10:05:00Z", now: "2026-05-01T10:23:59Z", want: "2026-05-01T10:20:00Z"},
		{name: "none yet", expr: "0 3 * * *", from: "2026-05-01T03:00:01Z", now: "2026-05-02T02:59:59Z"},
		{name: "now before from", expr: "* * * * *", from: "2026-05-01T10:00:00Z", now: "2026-05-01T09:00:00Z"},
		{name: "a year of minutely downtime", expr: "* * * * *", from: "2025-05-01T10:00:00Z", now: "2026-05-01T10:00:30Z", want: "2026-05-01T10:00:00Z"},
		{name: "yearly, found in the widest window", expr: "@yearly", from: "2020-01-01T00:00:00Z", now: "2026-05-01T10:00:00Z", want: "2026-01-01T00:00:00Z"},
		{name: "leap day, years back", expr: "0 0 29 2 *", from: "2015-01-01T00:00:00Z", now: "2027-05-01T00:00:00Z", want: "2024-02-29T00:00:00Z"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			start := time.Now()
			got, ok := latestSlot(mustSchedule(t, c.expr, "UTC"), utc(c.from), utc(c.now))
			if elapsed := time.Since(start); elapsed > 2*time.Second {
				t.Errorf("took %s: the search must not walk every slot of a long downtime", elapsed)
			}
			switch {
			case c.want == "" && ok:
				t.Errorf("found %s, want none", got)
			case c.want != "" && (!ok || !got.Equal(utc(c.want))):
				t.Errorf("got %s (found %v), want %s", got, ok, c.want)
			}
		})
	}
}

func TestSchedulePlanRunCatchesUpAtMostOnce(t *testing.T) {
	s := mustSchedule(t, "*/10 * * * *", "UTC")
	ptr := func(v string) *time.Time { t := utc(v); return &t }
	dur := func(d time.Duration) *time.Duration { return &d }
	cases := []struct {
		name          string
		pending       *time.Time
		now           string
		deadline      *time.Duration
		due, missed   string
		caughtUpSince string
		next          string
	}{
		{name: "first pass only records the next slot", now: "2026-05-01T10:04:00Z", next: "2026-05-01T10:10:00Z"},
		{name: "pending slot not reached", pending: ptr("2026-05-01T10:10:00Z"), now: "2026-05-01T10:09:59Z", next: "2026-05-01T10:10:00Z"},
		{name: "on time", pending: ptr("2026-05-01T10:10:00Z"), now: "2026-05-01T10:10:00Z", due: "2026-05-01T10:10:00Z", next: "2026-05-01T10:20:00Z"},
		{name: "a little late, still the same run", pending: ptr("2026-05-01T10:10:00Z"), now: "2026-05-01T10:13:00Z", deadline: dur(5 * time.Minute), due: "2026-05-01T10:10:00Z", next: "2026-05-01T10:20:00Z"},
		{
			name: "downtime without deadline: only the latest slot", pending: ptr("2026-05-01T10:10:00Z"), now: "2026-05-01T13:45:00Z",
			due: "2026-05-01T13:40:00Z", caughtUpSince: "2026-05-01T10:10:00Z", next: "2026-05-01T13:50:00Z",
		},
		{
			name: "downtime, latest slot within the deadline", pending: ptr("2026-05-01T10:10:00Z"), now: "2026-05-01T13:41:00Z", deadline: dur(2 * time.Minute),
			due: "2026-05-01T13:40:00Z", caughtUpSince: "2026-05-01T10:10:00Z", next: "2026-05-01T13:50:00Z",
		},
		{
			name: "downtime, latest slot beyond the deadline", pending: ptr("2026-05-01T10:10:00Z"), now: "2026-05-01T13:45:00Z", deadline: dur(2 * time.Minute),
			missed: "2026-05-01T13:40:00Z", next: "2026-05-01T13:50:00Z",
		},
	}
	opt := func(s string) time.Time {
		if s == "" {
			return time.Time{}
		}
		return utc(s)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := planRun(s, c.pending, utc(c.now), c.deadline)
			if !p.due.Equal(opt(c.due)) || !p.missed.Equal(opt(c.missed)) || !p.next.Equal(opt(c.next)) || !p.caughtUpSince.Equal(opt(c.caughtUpSince)) {
				t.Errorf("plan = due %s missed %s next %s caughtUpSince %s; want due %q missed %q next %q caughtUpSince %q",
					p.due, p.missed, p.next, p.caughtUpSince, c.due, c.missed, c.next, c.caughtUpSince)
			}
		})
	}
}

func TestScheduleRunNamesAreUTCAndUnique(t *testing.T) {
	sched := &imagesv1.ServerImageSchedule{}
	sched.Name = "web"
	// 01:30 New York time twice on the fall-back night.
	first, second := utc("2026-11-01T05:30:00Z"), utc("2026-11-01T06:30:00Z")
	if a, b := runName("web", first), runName("web", second); a != "web-202611010530" || b != "web-202611010630" {
		t.Errorf("run names %q, %q", a, b)
	}
	if got := runImageName(sched, first); got != "web-20261101T0530Z" {
		t.Errorf("image name %q", got)
	}
	sched.Spec.Template.ImageNamePrefix = "nightly web"
	if got := runImageName(sched, first); got != "nightly web-20261101T0530Z" {
		t.Errorf("image name with prefix %q", got)
	}
}
