package controllers

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/tools/events"
	"k8s.io/utils/clock"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
)

// ServerImageScheduleReconciler starts a ServerImage at each slot of a
// schedule and prunes old ones. It keeps no timers of its own: every pass
// ends with a requeue at the next slot or the next prune, whichever comes
// first, so a schedule costs nothing between runs and survives restarts
// through its status alone.
type ServerImageScheduleReconciler struct {
	client.Client
	// APIReader reads a run's ServerImage live before creating it, so a
	// status write that was lost or a cache that lags cannot start a run
	// twice or report it as skipped.
	APIReader client.Reader
	Scheme    *runtime.Scheme
	Recorder  events.EventRecorder
	// Clock decides when runs are due (tests step a fake one).
	Clock clock.PassiveClock
}

// +kubebuilder:rbac:groups=images.serverimage.dev,resources=serverimageschedules,verbs=get;list;watch
// +kubebuilder:rbac:groups=images.serverimage.dev,resources=serverimageschedules/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=images.serverimage.dev,resources=serverimageschedules/finalizers,verbs=update
// +kubebuilder:rbac:groups=images.serverimage.dev,resources=serverimages,verbs=get;list;watch;create;delete
// +kubebuilder:rbac:groups=events.k8s.io,resources=events,verbs=create;patch

// Reconcile is one pass over one ServerImageSchedule, read top to bottom
// like the other reconcilers:
//
//	deleting  → nothing (garbage collection deletes the owned images)
//	observe   → count its ServerImages and their states
//	prune     → delete those past the retention
//	schedule  → start the run that is due, if any
//
// finish writes the status and emits an Event when Ready changed. The
// schedule makes no cloud call: its ServerImages do.
func (r *ServerImageScheduleReconciler) Reconcile(ctx context.Context, req reconcile.Request) (reconcile.Result, error) {
	sched := &imagesv1.ServerImageSchedule{}
	if err := r.Get(ctx, req.NamespacedName, sched); err != nil {
		return reconcile.Result{}, client.IgnoreNotFound(err)
	}
	if !sched.DeletionTimestamp.IsZero() {
		// Garbage collection deletes the owned ServerImages; starting or
		// pruning anything now would only race with it.
		return reconcile.Result{}, nil
	}
	now := r.Clock.Now()
	orig := sched.DeepCopy()

	children, err := r.children(ctx, sched)
	if err != nil {
		return reconcile.Result{}, err
	}
	observeChildren(sched, children)
	pruneAt, err := r.prune(ctx, sched, children, now)
	if err != nil {
		return reconcile.Result{}, r.finish(ctx, orig, sched, err)
	}
	next, err := r.schedule(ctx, sched, now)
	return requeueAt(now, next, pruneAt), r.finish(ctx, orig, sched, err)
}

// schedule validates the spec and starts the due run. It returns the next
// slot (zero when none is coming: suspended or invalid).
func (r *ServerImageScheduleReconciler) schedule(ctx context.Context, sched *imagesv1.ServerImageSchedule, now time.Time) (time.Time, error) {
	st := &sched.Status
	s, err := parseSchedule(sched.Spec.Schedule, sched.Spec.TimeZone, now)
	if err != nil {
		var se *scheduleError
		if !errors.As(err, &se) {
			return time.Time{}, err
		}
		// Forgetting the pending slot means a fixed schedule starts
		// afresh instead of catching up on runs it never had.
		st.NextScheduleTime = nil
		setStalled(&st.Conditions, sched.Generation, se.reason, se.msg)
		return time.Time{}, nil
	}
	if sched.Spec.Suspend {
		st.NextScheduleTime = nil
		setReady(&st.Conditions, sched.Generation, imagesv1.ReasonSuspended,
			"suspended: no runs start until spec.suspend is false (runs missed meanwhile are not caught up); retention still applies")
		return time.Time{}, nil
	}

	var pending *time.Time
	if st.NextScheduleTime != nil {
		t := st.NextScheduleTime.Time
		pending = &t
	}
	plan := planRun(s, pending, now, startingDeadlineOf(sched))
	switch {
	case !plan.missed.IsZero():
		r.Recorder.Eventf(sched, nil, "Warning", EventRunMissed, "Schedule",
			"missed the run due at %s: the operator could only start it %s later, beyond startingDeadlineSeconds=%d",
			formatSlot(plan.missed, s.loc), now.Sub(plan.missed).Round(time.Second), *sched.Spec.StartingDeadlineSeconds)
	case !plan.due.IsZero():
		// On failure the pending slot stays recorded, so the retry still
		// sees the run as due.
		if err := r.startRun(ctx, sched, plan, s.loc, now); err != nil {
			return time.Time{}, err
		}
	}
	st.NextScheduleTime = &metav1.Time{Time: plan.next}
	setReady(&st.Conditions, sched.Generation, imagesv1.ReasonScheduled, "next run at "+formatSlot(plan.next, s.loc))
	return plan.next, nil
}

// children lists the ServerImages this schedule controls (the label finds
// them, the controller reference proves them ours), leaving out those
// already being deleted.
func (r *ServerImageScheduleReconciler) children(ctx context.Context, sched *imagesv1.ServerImageSchedule) ([]scheduleChild, error) {
	var list imagesv1.ServerImageList
	if err := r.List(ctx, &list, client.InNamespace(sched.Namespace), client.MatchingLabels{imagesv1.ScheduleLabel: sched.Name}); err != nil {
		return nil, err
	}
	out := make([]scheduleChild, 0, len(list.Items))
	for i := range list.Items {
		si := &list.Items[i]
		if ref := metav1.GetControllerOf(si); ref == nil || ref.UID != sched.UID || !si.DeletionTimestamp.IsZero() {
			continue
		}
		out = append(out, newScheduleChild(si))
	}
	return out, nil
}

// observeChildren records the runs in progress and the last success.
func observeChildren(sched *imagesv1.ServerImageSchedule, children []scheduleChild) {
	st := &sched.Status
	st.Active = nil
	for _, c := range children {
		switch c.state {
		case childActive:
			st.Active = append(st.Active, imagesv1.ServerImageReference{Name: c.si.Name})
		case childReady:
			at := c.si.Status.ActivatedTime
			if at == nil {
				at = &metav1.Time{Time: c.slot}
			}
			// Kept monotonic: the image behind it may have been pruned.
			if st.LastSuccessfulTime == nil || at.After(st.LastSuccessfulTime.Time) {
				st.LastSuccessfulTime = at.DeepCopy()
			}
		}
	}
	sort.Slice(st.Active, func(i, j int) bool { return st.Active[i].Name < st.Active[j].Name })
}

// finish writes the status if it changed and emits an Event when the
// schedule's state changed (not on every new "next run at" message).
func (r *ServerImageScheduleReconciler) finish(ctx context.Context, orig, sched *imagesv1.ServerImageSchedule, err error) error {
	sched.Status.ObservedGeneration = sched.Generation
	if equality.Semantic.DeepEqual(orig.Status, sched.Status) {
		return err
	}
	if perr := r.Status().Patch(ctx, sched, client.MergeFrom(orig)); perr != nil {
		if apierrors.IsNotFound(perr) {
			return err
		}
		return perr
	}
	before, after := readyCondition(orig.Status.Conditions), readyCondition(sched.Status.Conditions)
	if after != nil && (before == nil || before.Reason != after.Reason ||
		(after.Status != metav1.ConditionTrue && before.Message != after.Message)) {
		typ := "Normal"
		if after.Status != metav1.ConditionTrue {
			typ = "Warning"
		}
		r.Recorder.Eventf(sched, nil, typ, after.Reason, "Schedule", "%s", after.Message)
	}
	return err
}

// requeueAt wakes the schedule at the earliest of the given times (zero
// ones are ignored); no requeue when all are zero.
func requeueAt(now time.Time, times ...time.Time) reconcile.Result {
	var at time.Time
	for _, t := range times {
		if !t.IsZero() && (at.IsZero() || t.Before(at)) {
			at = t
		}
	}
	if at.IsZero() {
		return reconcile.Result{}
	}
	// Timers may fire a little early; the pass then sees nothing due yet
	// and asks again for the remainder.
	return reconcile.Result{RequeueAfter: max(at.Sub(now), 100*time.Millisecond)}
}

func startingDeadlineOf(sched *imagesv1.ServerImageSchedule) *time.Duration {
	if sched.Spec.StartingDeadlineSeconds == nil {
		return nil
	}
	d := time.Duration(*sched.Spec.StartingDeadlineSeconds) * time.Second
	return &d
}

// formatSlot shows a slot in the schedule's zone and in UTC, which is what
// a person comparing it with their clock and with the image name needs.
func formatSlot(t time.Time, loc *time.Location) string {
	local := t.In(loc)
	if loc == time.UTC {
		return local.Format(time.RFC3339)
	}
	return fmt.Sprintf("%s (%s)", local.Format("2006-01-02T15:04:05-07:00 MST"), t.UTC().Format(time.RFC3339))
}
