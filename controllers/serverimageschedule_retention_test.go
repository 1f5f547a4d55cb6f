package controllers

import (
	"slices"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
)

// child builds a schedule's ServerImage created age before now.
func child(name string, now time.Time, age time.Duration, state childState) scheduleChild {
	si := &imagesv1.ServerImage{ObjectMeta: metav1.ObjectMeta{Name: name}}
	switch state {
	case childReady:
		si.Status.Conditions = []metav1.Condition{{Type: imagesv1.ConditionReady, Status: metav1.ConditionTrue}}
	case childFailed:
		si.Status.Conditions = []metav1.Condition{
			{Type: imagesv1.ConditionReady, Status: metav1.ConditionFalse},
			{Type: imagesv1.ConditionStalled, Status: metav1.ConditionTrue},
		}
	default:
		si.Status.Conditions = []metav1.Condition{{Type: imagesv1.ConditionReady, Status: metav1.ConditionFalse}}
	}
	created := now.Add(-age)
	si.Annotations = map[string]string{
		imagesv1.ScheduledTimeAnnotation: created.Format(time.RFC3339),
		imagesv1.CreatedTimeAnnotation:   created.Format(time.RFC3339),
	}
	return newScheduleChild(si)
}

func TestSchedulePlanPrune(t *testing.T) {
	now := utc("2026-05-10T12:00:00Z")
	h := time.Hour
	count := func(n int32) *int32 { return &n }
	dur := func(d time.Duration) *metav1.Duration { return &metav1.Duration{Duration: d} }
	// A nightly schedule: d0 is today's run, d1 yesterday's...
	week := []scheduleChild{
		child("d0", now, 1*h, childActive),
		child("d1", now, 25*h, childReady),
		child("d2", now, 49*h, childFailed),
		child("d3", now, 73*h, childReady),
		child("d4", now, 97*h, childReady),
		child("d5", now, 121*h, childFailed),
		child("d6", now, 145*h, childReady),
	}
	cases := []struct {
		name      string
		children  []scheduleChild
		retention *imagesv1.ImageRetention
		pruned    []string
		wake      time.Time
	}{
		{name: "no retention keeps everything", children: week},
		{
			name: "maxCount counts Ready images only; failed go after the default day",
			// Ready, newest first: d1 d3 d4 d6. Failed d2 and d5 are older
			// than 24h.
			children: week, retention: &imagesv1.ImageRetention{MaxCount: count(2)},
			pruned: []string{"d2", "d4", "d5", "d6"},
		},
		{
			name:     "maxCount above the Ready count prunes no Ready image",
			children: week, retention: &imagesv1.ImageRetention{MaxCount: count(4), FailedGracePeriod: dur(200 * h)},
			wake: now.Add(-121 * h).Add(200 * h), // failed d5 goes first
		},
		{
			name:     "maxAge prunes old Ready images and wakes for the next one",
			children: week, retention: &imagesv1.ImageRetention{MaxAge: dur(80 * h), FailedGracePeriod: dur(50 * h)},
			// d4 (97h) and d6 (145h) are older than 80h; d3 (73h) expires
			// in 7h, before failed d2 (49h of 50h) expires in 1h.
			pruned: []string{"d4", "d5", "d6"},
			wake:   now.Add(1 * h),
		},
		{
			name: "maxAge never prunes the newest Ready image",
			children: []scheduleChild{
				child("old", now, 500*h, childReady),
				child("older", now, 600*h, childReady),
				child("building", now, 1*h, childActive),
			},
			retention: &imagesv1.ImageRetention{MaxAge: dur(24 * h)},
			pruned:    []string{"older"},
		},
		{
			name: "images being built are never pruned",
			children: []scheduleChild{
				child("a", now, 1000*h, childActive),
				child("b", now, 2000*h, childActive),
			},
			retention: &imagesv1.ImageRetention{MaxCount: count(1), MaxAge: dur(time.Minute), FailedGracePeriod: dur(0)},
		},
		{
			name:      "failed images wait for their grace period",
			children:  []scheduleChild{child("f", now, 30*time.Minute, childFailed)},
			retention: &imagesv1.ImageRetention{},
			wake:      now.Add(-30 * time.Minute).Add(DefaultFailedGracePeriod),
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			decisions, wake := planPrune(c.children, c.retention, now)
			var got []string
			for _, d := range decisions {
				if d.why == "" {
					t.Errorf("%s pruned without a reason", d.si.Name)
				}
				got = append(got, d.si.Name)
			}
			slices.Sort(got)
			if !slices.Equal(got, c.pruned) {
				t.Errorf("pruned %v, want %v", got, c.pruned)
			}
			if !wake.Equal(c.wake) {
				t.Errorf("wake at %s, want %s", wake, c.wake)
			}
		})
	}
}
