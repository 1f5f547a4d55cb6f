package controllers_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
	"github.com/serverimage-operator/serverimage-operator/internal/fakecloud"
	"github.com/serverimage-operator/serverimage-operator/internal/kubetest"
)

func TestScheduleRunsAtLocalTimesAcrossDST(t *testing.T) {
	t.Parallel()
	type step struct {
		to   string   // fake time to step to
		runs []string // slots with a ServerImage afterwards
		next string   // nextScheduleTime afterwards
	}
	cases := []struct {
		name, expr, tz, start, firstNext string
		steps                            []step
		localZone                        string // zone abbreviation in the final Ready message
	}{{
		name: "Europe/Berlin spring forward",
		expr: "30 3 * * *", tz: "Europe/Berlin", start: "2026-03-27T12:00:00Z", firstNext: "2026-03-28T02:30:00Z",
		steps: []step{
			{to: "2026-03-28T02:29:59Z", next: "2026-03-28T02:30:00Z"},
			// 03:30 CET, then 03:30 CEST only 23 hours later.
			{to: "2026-03-28T02:30:00Z", runs: []string{"2026-03-28T02:30:00Z"}, next: "2026-03-29T01:30:00Z"},
			{to: "2026-03-29T01:30:00Z", runs: []string{"2026-03-28T02:30:00Z", "2026-03-29T01:30:00Z"}, next: "2026-03-30T01:30:00Z"},
		},
		localZone: "CEST",
	}, {
		name: "America/New_York fall back",
		expr: "30 1 * * *", tz: "America/New_York", start: "2026-10-31T12:00:00Z", firstNext: "2026-11-01T05:30:00Z",
		steps: []step{
			// 01:30 EDT, then 01:30 EST an hour later: the repeated hour
			// runs twice, as documented.
			{to: "2026-11-01T05:30:00Z", runs: []string{"2026-11-01T05:30:00Z"}, next: "2026-11-01T06:30:00Z"},
			{to: "2026-11-01T06:30:00Z", runs: []string{"2026-11-01T05:30:00Z", "2026-11-01T06:30:00Z"}, next: "2026-11-02T06:30:00Z"},
		},
		localZone: "EST",
	}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			h := newScheduleHarness(t, c.start, fakecloud.Options{})
			sched := h.createSchedule("nightly", func(s *imagesv1.ServerImageSchedule) {
				s.Spec.Schedule = c.expr
				s.Spec.TimeZone = c.tz
			})
			if n := sched.Status.NextScheduleTime; n == nil || !n.Time.Equal(at(c.firstNext)) {
				t.Fatalf("first nextScheduleTime = %v, want %s", n, c.firstNext)
			}
			var wantImages []string
			for _, st := range c.steps {
				h.tick("nightly", st.to)
				sched = h.waitNext("nightly", st.next)
				var names []string
				wantImages = wantImages[:0]
				for _, slot := range st.runs {
					names = append(names, runAt("nightly", slot))
					wantImages = append(wantImages, "nightly-"+at(slot).Format("20060102T1504Z"))
				}
				h.waitRuns("nightly", names...)
				for _, n := range names {
					h.WaitReady(n)
				}
				if len(st.runs) > 0 && !sched.Status.LastScheduleTime.Time.Equal(at(st.runs[len(st.runs)-1])) {
					t.Errorf("lastScheduleTime = %s, want %s", sched.Status.LastScheduleTime, st.runs[len(st.runs)-1])
				}
			}
			// The image names carry the slot in UTC, unique on both nights.
			h.waitSimImages(wantImages...)
			ready := meta.FindStatusCondition(h.getSchedule("nightly").Status.Conditions, imagesv1.ConditionReady)
			if ready == nil || ready.Reason != imagesv1.ReasonScheduled || !strings.Contains(ready.Message, c.localZone) {
				t.Errorf("Ready condition %+v does not show the next run in local time (%s)", ready, c.localZone)
			}
		})
	}
}

func TestScheduleConcurrencyPolicyWhileAnImageIsSaving(t *testing.T) {
	t.Parallel()
	cases := []struct {
		policy imagesv1.ConcurrencyPolicy
		// runsWhileSaving are the slots with a ServerImage after the second
		// slot passed while the first image was still saving.
		runsWhileSaving []string
	}{
		{policy: "", runsWhileSaving: []string{"2026-05-01T10:01:00Z"}},
		{policy: imagesv1.ConcurrencyForbid, runsWhileSaving: []string{"2026-05-01T10:01:00Z"}},
		{policy: imagesv1.ConcurrencyAllow, runsWhileSaving: []string{"2026-05-01T10:01:00Z", "2026-05-01T10:02:00Z"}},
	}
	for _, c := range cases {
		name := string(c.policy)
		if name == "" {
			name = "unset means Forbid"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			h := newScheduleHarness(t, "2026-05-01T10:00:30Z", fakecloud.Options{})
			h.createSchedule("s", func(s *imagesv1.ServerImageSchedule) { s.Spec.ConcurrencyPolicy = c.policy })
			first := runAt("s", "2026-05-01T10:01:00Z")

			h.sim.FreezeImages(true)
			h.tick("s", "2026-05-01T10:01:00Z")
			h.waitRuns("s", first)
			h.WaitCondition(first, imagesv1.ConditionReconciling, imagesv1.ReasonImageSaving)

			h.tick("s", "2026-05-01T10:02:00Z")
			sched := h.waitNext("s", "2026-05-01T10:03:00Z")
			var want []string
			for _, slot := range c.runsWhileSaving {
				want = append(want, runAt("s", slot))
			}
			h.waitRuns("s", want...)
			if c.policy == imagesv1.ConcurrencyAllow {
				for _, e := range h.Events("s") {
					if e.Reason == "RunSkipped" {
						t.Errorf("Allow skipped a run: %s", e.Note)
					}
				}
			} else {
				note := h.WaitEvent("s", "Warning", "RunSkipped")
				if !contains(note, first) || !contains(note, "Forbid") {
					t.Errorf("skip event does not name the image in progress and the policy: %q", note)
				}
				if !slices.Equal(activeNames(sched), []string{first}) {
					t.Errorf("status.active = %v, want [%s]", activeNames(sched), first)
				}
			}

			// Once the image is Ready, the next run starts again.
			h.sim.FreezeImages(false)
			h.WaitReady(first)
			h.waitSchedule("s", "lastSuccessfulTime set", func(s *imagesv1.ServerImageSchedule) bool {
				return s.Status.LastSuccessfulTime != nil && !slices.Contains(activeNames(s), first)
			})
			h.tick("s", "2026-05-01T10:03:00Z")
			h.waitRuns("s", append(want, runAt("s", "2026-05-01T10:03:00Z"))...)
		})
	}
}

func activeNames(s *imagesv1.ServerImageSchedule) []string {
	var out []string
	for _, a := range s.Status.Active {
		out = append(out, a.Name)
	}
	return out
}

func TestScheduleSuspendStartsNothingAndDoesNotCatchUp(t *testing.T) {
	t.Parallel()
	h := newScheduleHarness(t, "2026-05-01T10:00:30Z", fakecloud.Options{})
	sched := h.createSchedule("s", func(s *imagesv1.ServerImageSchedule) { s.Spec.Suspend = true })
	ready := meta.FindStatusCondition(sched.Status.Conditions, imagesv1.ConditionReady)
	if ready == nil || ready.Status != metav1.ConditionTrue || ready.Reason != imagesv1.ReasonSuspended || sched.Status.NextScheduleTime != nil {
		t.Fatalf("suspended schedule: Ready %+v, next %v", ready, sched.Status.NextScheduleTime)
	}

	for _, to := range []string{"2026-05-01T10:01:00Z", "2026-05-01T10:02:00Z", "2026-05-01T10:05:30Z"} {
		h.tick("s", to)
	}
	// Resume at 10:05:30: the slots missed while suspended are not caught
	// up; the next is 10:06.
	patch := []byte(`{"spec":{"suspend":false}}`)
	if err := k8s.Patch(context.Background(), sched, client.RawPatch("application/merge-patch+json", patch)); err != nil {
		t.Fatal(err)
	}
	h.waitNext("s", "2026-05-01T10:06:00Z")
	if got := h.runNames("s"); len(got) != 0 {
		t.Fatalf("runs while suspended or on resume: %v", got)
	}
	h.tick("s", "2026-05-01T10:06:00Z")
	h.waitRuns("s", runAt("s", "2026-05-01T10:06:00Z"))
	h.WaitEvent("s", "Normal", imagesv1.ReasonSuspended)
}

func TestScheduleRetention(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		policy imagesv1.DeletionPolicy
		expr   string
		ret    imagesv1.ImageRetention
		ticks  []string // each one starts a run, waited Ready
		after  string   // a last tick without a run ("" for none)
		kept   []string // slots whose ServerImage remains
	}{
		{
			name: "maxCount Delete", policy: imagesv1.DeletionPolicyDelete, expr: "*/1 * * * *",
			ret:   imagesv1.ImageRetention{MaxCount: ptr.To[int32](2)},
			ticks: []string{"2026-05-01T10:01:00Z", "2026-05-01T10:02:00Z", "2026-05-01T10:03:00Z", "2026-05-01T10:04:00Z"},
			kept:  []string{"2026-05-01T10:03:00Z", "2026-05-01T10:04:00Z"},
		},
		{
			name: "maxCount Retain", policy: imagesv1.DeletionPolicyRetain, expr: "*/1 * * * *",
			ret:   imagesv1.ImageRetention{MaxCount: ptr.To[int32](2)},
			ticks: []string{"2026-05-01T10:01:00Z", "2026-05-01T10:02:00Z", "2026-05-01T10:03:00Z", "2026-05-01T10:04:00Z"},
			kept:  []string{"2026-05-01T10:03:00Z", "2026-05-01T10:04:00Z"},
		},
		{
			// At 13:31 the 12:00 image is 91 minutes old; the 13:00 one is
			// the newest Ready image and is kept whatever its age.
			name: "maxAge Delete", policy: imagesv1.DeletionPolicyDelete, expr: "0 * * * *",
			ret:   imagesv1.ImageRetention{MaxAge: &metav1.Duration{Duration: 90 * time.Minute}},
			ticks: []string{"2026-05-01T11:00:00Z", "2026-05-01T12:00:00Z", "2026-05-01T13:00:00Z"},
			after: "2026-05-01T13:31:00Z",
			kept:  []string{"2026-05-01T13:00:00Z"},
		},
		{
			name: "maxAge Retain", policy: imagesv1.DeletionPolicyRetain, expr: "0 * * * *",
			ret:   imagesv1.ImageRetention{MaxAge: &metav1.Duration{Duration: 90 * time.Minute}},
			ticks: []string{"2026-05-01T11:00:00Z", "2026-05-01T12:00:00Z", "2026-05-01T13:00:00Z"},
			after: "2026-05-01T13:31:00Z",
			kept:  []string{"2026-05-01T13:00:00Z"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			h := newScheduleHarness(t, "2026-05-01T10:00:30Z", fakecloud.Options{})
			h.createSchedule("s", func(s *imagesv1.ServerImageSchedule) {
				s.Spec.Schedule = c.expr
				s.Spec.Template.DeletionPolicy = c.policy
				s.Spec.Retention = c.ret.DeepCopy()
			})
			imageIDs := map[string]string{} // ServerImage -> cloud image
			for _, to := range c.ticks {
				h.tick("s", to)
				name := runAt("s", to)
				kubetest.Eventually(t, waitTimeout, "run "+name, func() bool { return slices.Contains(h.runNames("s"), name) })
				imageIDs[name] = h.WaitReady(name).Status.ImageID
			}
			if c.after != "" {
				h.tick("s", c.after)
			}
			var kept []string
			for _, slot := range c.kept {
				kept = append(kept, runAt("s", slot))
			}
			h.waitRuns("s", kept...)

			// Pruning deleted the objects; each one's deletionPolicy decided
			// about its cloud image.
			var wantImages []string
			for name := range imageIDs {
				if c.policy == imagesv1.DeletionPolicyRetain || slices.Contains(kept, name) {
					wantImages = append(wantImages, "s-"+at(slotOf(name)).Format("20060102T1504Z"))
				}
			}
			slices.Sort(wantImages)
			h.waitSimImages(wantImages...)

			note := h.WaitEvent("s", "Normal", "Pruned")
			wantEffect := map[imagesv1.DeletionPolicy]string{
				imagesv1.DeletionPolicyDelete: "deleted too (deletionPolicy Delete)",
				imagesv1.DeletionPolicyRetain: "kept (deletionPolicy Retain)",
			}[c.policy]
			if !contains(note, "retention.max") || !contains(note, wantEffect) {
				t.Errorf("prune event %q does not give the rule and the effect %q", note, wantEffect)
			}
		})
	}
}

// slotOf recovers the slot from a run's name (…-YYYYMMDDHHMM, UTC).
func slotOf(name string) string {
	t, err := time.Parse("200601021504", name[strings.LastIndex(name, "-")+1:])
	if err != nil {
		panic(err)
	}
	return t.Format(time.RFC3339)
}

func TestScheduleFailedRunsDoNotCountAndArePrunedAfterTheGracePeriod(t *testing.T) {
	t.Parallel()
	h := newScheduleHarness(t, "2026-05-01T09:30:00Z", fakecloud.Options{})
	h.createSchedule("s", func(s *imagesv1.ServerImageSchedule) {
		s.Spec.Schedule = "0 * * * *"
		s.Spec.Retention = &imagesv1.ImageRetention{
			MaxCount:          ptr.To[int32](1),
			FailedGracePeriod: &metav1.Duration{Duration: 10 * time.Minute},
		}
	})
	good, failed := runAt("s", "2026-05-01T10:00:00Z"), runAt("s", "2026-05-01T11:00:00Z")
	h.tick("s", "2026-05-01T10:00:00Z")
	kubetest.Eventually(t, waitTimeout, "first run", func() bool { return len(h.runNames("s")) == 1 })
	h.WaitReady(good)

	h.sim.FailNextSnapshot(h.server)
	h.tick("s", "2026-05-01T11:00:00Z")
	kubetest.Eventually(t, waitTimeout, "second run", func() bool { return len(h.runNames("s")) == 2 })
	h.WaitCondition(failed, imagesv1.ConditionStalled, imagesv1.ReasonImageFailed)

	// Within the grace period the failed run stays, and with maxCount 1 it
	// does not push the Ready one out.
	h.tick("s", "2026-05-01T11:09:00Z")
	h.waitSchedule("s", "failed run no longer active", func(s *imagesv1.ServerImageSchedule) bool { return len(s.Status.Active) == 0 })
	h.waitRuns("s", good, failed)

	h.tick("s", "2026-05-01T11:10:00Z")
	h.waitRuns("s", good)
	note := h.WaitEvent("s", "Normal", "Pruned")
	if !contains(note, failed) || !contains(note, "grace period 10m0s") {
		t.Errorf("prune event %q does not name the failed run and the grace period", note)
	}
}

func TestScheduleCatchesUpOnceAfterDowntime(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		deadline *int64
		// Down from 10:00:30 to 15:20; the latest missed slot is 15:00.
		runs     []string
		event    string // reason of the Event about the missed slots
		eventHas string
	}{
		{name: "no deadline", runs: []string{"2026-05-01T10:00:00Z", "2026-05-01T15:00:00Z"}, event: "RunStarted", eventHas: "catch-up"},
		{name: "within the deadline", deadline: ptr.To[int64](1800), runs: []string{"2026-05-01T10:00:00Z", "2026-05-01T15:00:00Z"}, event: "RunStarted", eventHas: "catch-up"},
		{name: "beyond the deadline", deadline: ptr.To[int64](600), runs: []string{"2026-05-01T10:00:00Z"}, event: "RunMissed", eventHas: "startingDeadlineSeconds=600"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			h := newScheduleHarness(t, "2026-05-01T09:59:00Z", fakecloud.Options{})
			h.createSchedule("s", func(s *imagesv1.ServerImageSchedule) {
				s.Spec.Schedule = "0 * * * *"
				s.Spec.StartingDeadlineSeconds = c.deadline
			})
			h.tick("s", "2026-05-01T10:00:00Z")
			h.waitNext("s", "2026-05-01T11:00:00Z")
			h.WaitReady(runAt("s", "2026-05-01T10:00:00Z"))

			h.stopManager()
			h.clock.SetTime(at("2026-05-01T15:20:00Z"))
			h.startManager()
			// The first pass after the restart moves on to 16:00, having
			// started at most the 15:00 run.
			h.waitNext("s", "2026-05-01T16:00:00Z")
			var want []string
			for _, slot := range c.runs {
				want = append(want, runAt("s", slot))
			}
			h.waitRuns("s", want...)
			for _, n := range want {
				h.WaitReady(n) // so that Forbid lets the 16:00 run start
			}

			var note string
			kubetest.Eventually(t, waitTimeout, c.event+" event", func() bool {
				for _, e := range h.Events("s") {
					if e.Reason == c.event && contains(e.Note, "15:00") {
						note = e.Note
						return true
					}
				}
				return false
			})
			if !contains(note, c.eventHas) {
				t.Errorf("%s event %q does not say %q", c.event, note, c.eventHas)
			}
			// Passes after the catch-up start nothing more.
			h.tick("s", "2026-05-01T15:30:00Z")
			h.tick("s", "2026-05-01T16:00:00Z")
			h.waitRuns("s", append(want, runAt("s", "2026-05-01T16:00:00Z"))...)
		})
	}
}

// envtest runs no garbage collector, so this test checks what the garbage
// collector acts on: each run is controlled by the schedule, with
// blockOwnerDeletion. In a cluster, deleting the schedule deletes its
// ServerImages and each one's deletionPolicy decides about its cloud image
// (the README says so); --cascade=orphan keeps them.
func TestScheduleOwnsItsServerImages(t *testing.T) {
	t.Parallel()
	h := newScheduleHarness(t, "2026-05-01T10:00:30Z", fakecloud.Options{})
	sched := h.createSchedule("web", func(s *imagesv1.ServerImageSchedule) {
		s.Spec.Template.ImageNamePrefix = "web-nightly"
		s.Spec.Template.Metadata = map[string]imagesv1.MetadataValue{"ImageType": "Backup"}
		s.Spec.Template.DeletionPolicy = imagesv1.DeletionPolicyDelete
		s.Spec.Template.Timeout = &metav1.Duration{Duration: 2 * time.Hour}
	})
	h.tick("web", "2026-05-01T10:01:00Z")
	name := runAt("web", "2026-05-01T10:01:00Z")
	h.waitRuns("web", name)
	si := h.WaitReady(name)

	refs := si.OwnerReferences
	if len(refs) != 1 {
		t.Fatalf("owner references %+v, want exactly the schedule", refs)
	}
	ref := refs[0]
	if ref.APIVersion != imagesv1.GroupVersion.String() || ref.Kind != "ServerImageSchedule" || ref.Name != "web" || ref.UID != sched.UID ||
		!ptr.Deref(ref.Controller, false) || !ptr.Deref(ref.BlockOwnerDeletion, false) {
		t.Errorf("owner reference %+v does not let the garbage collector delete the run with schedule %s", ref, sched.UID)
	}
	if si.Labels[imagesv1.ScheduleLabel] != "web" ||
		si.Annotations[imagesv1.ScheduledTimeAnnotation] != "2026-05-01T10:01:00Z" ||
		si.Annotations[imagesv1.CreatedTimeAnnotation] != "2026-05-01T10:01:00Z" {
		t.Errorf("labels %v annotations %v", si.Labels, si.Annotations)
	}
	sp := si.Spec
	if sp.CloudRef.Name != h.cloud || sp.ServerID != h.server || sp.ImageName != "web-nightly-20260501T1001Z" ||
		sp.Metadata["ImageType"] != "Backup" || sp.DeletionPolicy != imagesv1.DeletionPolicyDelete || sp.Timeout == nil || sp.Timeout.Duration != 2*time.Hour {
		t.Errorf("template not stamped out: %+v", sp)
	}
	img, ok := h.sim.Image(si.Status.ImageID)
	if !ok || img.Name != "web-nightly-20260501T1001Z" || img.Properties["ImageType"] != "Backup" {
		t.Errorf("cloud image %+v", img)
	}

	h.Delete(sched)
	kubetest.WaitGone[imagesv1.ServerImageSchedule](h.NS, sched.Name)
	// Without a garbage collector the run stays here; in a cluster the
	// collector would delete it because of the reference checked above.
	h.waitRuns("web", name)
}

func TestScheduleValidation(t *testing.T) {
	t.Parallel()
	h := newScheduleHarness(t, "2026-05-01T10:00:30Z", fakecloud.Options{})

	t.Run("rejected by the API server", func(t *testing.T) {
		cases := []struct {
			name    string
			mutate  func(*imagesv1.ServerImageSchedule)
			message string
		}{
			{"words", func(s *imagesv1.ServerImageSchedule) { s.Spec.Schedule = "every night" }, "schedule must be five cron fields"},
			{"four fields", func(s *imagesv1.ServerImageSchedule) { s.Spec.Schedule = "0 2 * *" }, "schedule must be five cron fields"},
			{"six fields", func(s *imagesv1.ServerImageSchedule) { s.Spec.Schedule = "0 0 2 * * *" }, "schedule must be five cron fields"},
			{"@every", func(s *imagesv1.ServerImageSchedule) { s.Spec.Schedule = "@every 1h" }, "@yearly, @annually"},
			{"TZ prefix", func(s *imagesv1.ServerImageSchedule) { s.Spec.Schedule = "CRON_TZ=Europe/Berlin 0 2 * * *" }, "set the time zone in spec.timeZone"},
			{"zone with a space", func(s *imagesv1.ServerImageSchedule) { s.Spec.TimeZone = "Europe/Berlin " }, "timeZone must be an IANA time zone name"},
			{"zone as an offset", func(s *imagesv1.ServerImageSchedule) { s.Spec.TimeZone = "+02:00" }, "timeZone must be an IANA time zone name"},
			{"Local", func(s *imagesv1.ServerImageSchedule) { s.Spec.TimeZone = "Local" }, "timeZone Local would depend on the operator's host"},
			{"maxAge zero", func(s *imagesv1.ServerImageSchedule) {
				s.Spec.Retention = &imagesv1.ImageRetention{MaxAge: &metav1.Duration{Duration: 0}}
			}, "maxAge is a duration of at least 1m"},
			{"maxCount zero", func(s *imagesv1.ServerImageSchedule) {
				s.Spec.Retention = &imagesv1.ImageRetention{MaxCount: ptr.To[int32](0)}
			}, "maxCount"},
			{"server not a UUID", func(s *imagesv1.ServerImageSchedule) { s.Spec.Template.ServerID = "web-1" }, "serverID must be a server UUID"},
			{"policy", func(s *imagesv1.ServerImageSchedule) { s.Spec.ConcurrencyPolicy = "Replace" }, "Forbid"},
			{"name too long for a label", func(s *imagesv1.ServerImageSchedule) { s.Name = strings.Repeat("a", 64) }, "at most 63 characters"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				s := &imagesv1.ServerImageSchedule{
					ObjectMeta: metav1.ObjectMeta{Namespace: h.Name, Name: "rejected"},
					Spec: imagesv1.ServerImageScheduleSpec{
						Schedule: "0 2 * * *",
						Template: imagesv1.ServerImageTemplate{CloudRef: imagesv1.CloudReference{Name: h.cloud}, ServerID: h.server},
					},
				}
				c.mutate(s)
				err := k8s.Create(context.Background(), s)
				if err == nil {
					_ = k8s.Delete(context.Background(), s)
					t.Fatalf("accepted; want rejected with %q", c.message)
				}
				if !contains(err.Error(), c.message) {
					t.Errorf("rejected with %q, want a message containing %q", err, c.message)
				}
			})
		}
	})

	t.Run("a raw 7d duration is rejected", func(t *testing.T) {
		// metav1.Duration cannot even hold "7d"; send it as JSON.
		raw := &imagesv1.ServerImageSchedule{}
		raw.SetNamespace(h.Name)
		raw.SetName("days")
		raw.Spec.Schedule = "0 2 * * *"
		raw.Spec.Template = imagesv1.ServerImageTemplate{CloudRef: imagesv1.CloudReference{Name: h.cloud}, ServerID: h.server}
		if err := k8s.Create(context.Background(), raw); err != nil {
			t.Fatal(err)
		}
		defer func() { _ = k8s.Delete(context.Background(), raw) }()
		patch := []byte(`{"spec":{"retention":{"maxAge":"7d"}}}`)
		err := k8s.Patch(context.Background(), raw, client.RawPatch("application/merge-patch+json", patch))
		if err == nil || !contains(err.Error(), "days are not a unit") {
			t.Errorf("maxAge 7d: %v", err)
		}
	})

	t.Run("stalled with the parser's message", func(t *testing.T) {
		cases := []struct {
			name, expr, tz, reason, message string
		}{
			{"minute-61", "61 * * * *", "", imagesv1.ReasonInvalidSchedule, "end of range (61) above maximum (59)"},
			{"february-30", "0 0 30 2 *", "", imagesv1.ReasonInvalidSchedule, "never fires"},
			{"unknown-zone", "0 2 * * *", "Mars/Olympus", imagesv1.ReasonInvalidTimeZone, "unknown time zone Mars/Olympus"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				sched := h.createSchedule(c.name, func(s *imagesv1.ServerImageSchedule) {
					s.Spec.Schedule = c.expr
					s.Spec.TimeZone = c.tz
				})
				stalled := meta.FindStatusCondition(sched.Status.Conditions, imagesv1.ConditionStalled)
				ready := meta.FindStatusCondition(sched.Status.Conditions, imagesv1.ConditionReady)
				if stalled == nil || stalled.Status != metav1.ConditionTrue || stalled.Reason != c.reason || !contains(stalled.Message, c.message) {
					t.Errorf("Stalled = %+v, want %s with %q", stalled, c.reason, c.message)
				}
				if ready == nil || ready.Status != metav1.ConditionFalse || sched.Status.NextScheduleTime != nil {
					t.Errorf("Ready = %+v, next = %v", ready, sched.Status.NextScheduleTime)
				}
				if note := h.WaitEvent(c.name, "Warning", c.reason); !contains(note, c.message) {
					t.Errorf("event %q", note)
				}
				// Fixing the spec recovers.
				patch := []byte(`{"spec":{"schedule":"0 2 * * *","timeZone":"Europe/Berlin"}}`)
				if err := k8s.Patch(context.Background(), sched, client.RawPatch("application/merge-patch+json", patch)); err != nil {
					t.Fatal(err)
				}
				fixed := h.waitNext(c.name, "2026-05-02T00:00:00Z")
				if meta.IsStatusConditionTrue(fixed.Status.Conditions, imagesv1.ConditionStalled) {
					t.Errorf("still Stalled after the fix: %+v", fixed.Status.Conditions)
				}
			})
		}
	})
}

// The sample in config/samples is accepted as written.
func TestScheduleSampleIsValid(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile(filepath.Join("..", "config", "samples", "images_v1alpha1_serverimageschedule.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	sample := &imagesv1.ServerImageSchedule{}
	if err := yaml.UnmarshalStrict(raw, sample); err != nil {
		t.Fatal(err)
	}
	sample.Namespace = newNamespace(t)
	if err := k8s.Create(context.Background(), sample); err != nil {
		t.Fatalf("the API server rejects the sample: %v", err)
	}
	if sample.Spec.Retention == nil || ptr.Deref(sample.Spec.Retention.MaxCount, 0) != 7 {
		t.Errorf("sample read back as %+v", sample.Spec)
	}
}
