package controllers

import (
	"context"
	"fmt"
	"maps"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/log"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
)

// Event reasons of a ServerImageSchedule's runs and retention.
const (
	// EventRunStarted: a ServerImage was created for a run.
	EventRunStarted = "RunStarted"
	// EventRunSkipped: a run was due but not started (concurrencyPolicy
	// Forbid, or a ServerImage of that name belongs to something else).
	EventRunSkipped = "RunSkipped"
	// EventRunMissed: a run could not start within startingDeadlineSeconds.
	EventRunMissed = "RunMissed"
	// EventPruned: retention deleted a ServerImage.
	EventPruned = "Pruned"
)

// runName is the ServerImage of the run at slot: the slot in UTC to the
// minute (cron's resolution) keeps names unique and sortable, also on the
// night the clocks go back and a local time happens twice.
func runName(schedule string, slot time.Time) string {
	return schedule + "-" + slot.UTC().Format("200601021504")
}

// runImageName is the image's name in the cloud. Letters and digits only
// after the prefix, because some clouds allow nothing else in names.
func runImageName(sched *imagesv1.ServerImageSchedule, slot time.Time) string {
	prefix := sched.Spec.Template.ImageNamePrefix
	if prefix == "" {
		prefix = sched.Name
	}
	return prefix + "-" + slot.UTC().Format("20060102T1504Z")
}

// startRun creates the ServerImage of plan.due unless it exists already or
// concurrencyPolicy Forbid says to wait.
func (r *ServerImageScheduleReconciler) startRun(ctx context.Context, sched *imagesv1.ServerImageSchedule, plan runPlan, loc *time.Location, now time.Time) error {
	slot := plan.due
	name := runName(sched.Name, slot)
	st := &sched.Status

	// The run may have been started by a pass whose status write was lost;
	// the live read makes sure that is not mistaken for a second run.
	existing := &imagesv1.ServerImage{}
	err := r.APIReader.Get(ctx, client.ObjectKey{Namespace: sched.Namespace, Name: name}, existing)
	switch {
	case err == nil:
		if ref := metav1.GetControllerOf(existing); ref == nil || ref.UID != sched.UID {
			r.Recorder.Eventf(sched, existing, "Warning", EventRunSkipped, "Schedule",
				"skipped the run due at %s: ServerImage %s exists and does not belong to this schedule", formatSlot(slot, loc), name)
			return nil
		}
		recordRun(st, slot, "")
		return nil
	case !apierrors.IsNotFound(err):
		return err
	}

	if sched.Spec.ConcurrencyPolicy != imagesv1.ConcurrencyAllow && len(st.Active) > 0 {
		r.Recorder.Eventf(sched, nil, "Warning", EventRunSkipped, "Schedule",
			"skipped the run due at %s: ServerImage %s is still being built (concurrencyPolicy Forbid)", formatSlot(slot, loc), st.Active[0].Name)
		return nil
	}

	si := newRun(sched, name, slot, now)
	if err := controllerutil.SetControllerReference(sched, si, r.Scheme); err != nil {
		return err
	}
	if err := r.Create(ctx, si); err != nil {
		if apierrors.IsAlreadyExists(err) {
			// Another pass won the race; the next one sees it.
			return nil
		}
		return err
	}
	log.FromContext(ctx).Info("run started", "serverImage", name, "slot", slot)
	recordRun(st, slot, name)
	note := fmt.Sprintf("created ServerImage %s for the run due at %s", name, formatSlot(slot, loc))
	if !plan.caughtUpSince.IsZero() {
		note += "; this is the one catch-up run: the runs due since " + formatSlot(plan.caughtUpSince, loc) +
			" were missed while the operator was not running"
	}
	if late := now.Sub(slot); late >= time.Second {
		note += fmt.Sprintf(" (started %s late)", late.Round(time.Second))
	}
	r.Recorder.Eventf(sched, si, "Normal", EventRunStarted, "Schedule", "%s", note)
	return nil
}

// recordRun notes slot as the last run and, for a run just created, lists
// it as active.
func recordRun(st *imagesv1.ServerImageScheduleStatus, slot time.Time, created string) {
	if st.LastScheduleTime == nil || slot.After(st.LastScheduleTime.Time) {
		st.LastScheduleTime = &metav1.Time{Time: slot}
	}
	if created != "" {
		st.Active = append(st.Active, imagesv1.ServerImageReference{Name: created})
	}
}

// newRun stamps the template out into the ServerImage of one run.
func newRun(sched *imagesv1.ServerImageSchedule, name string, slot, now time.Time) *imagesv1.ServerImage {
	t := sched.Spec.Template
	si := &imagesv1.ServerImage{
		ObjectMeta: metav1.ObjectMeta{
			Namespace: sched.Namespace,
			Name:      name,
			Labels:    map[string]string{imagesv1.ScheduleLabel: sched.Name},
			Annotations: map[string]string{
				imagesv1.ScheduledTimeAnnotation: slot.UTC().Format(time.RFC3339),
				imagesv1.CreatedTimeAnnotation:   now.UTC().Format(time.RFC3339),
			},
		},
		Spec: imagesv1.ServerImageSpec{
			CloudRef:       t.CloudRef,
			ServerID:       t.ServerID,
			ImageName:      runImageName(sched, slot),
			Metadata:       maps.Clone(t.Metadata),
			DeletionPolicy: t.DeletionPolicy,
			Consistency:    t.Consistency,
		},
	}
	if t.Timeout != nil {
		si.Spec.Timeout = t.Timeout.DeepCopy()
	}
	si.Spec.ImageProperties = *t.ImageProperties.DeepCopy()
	return si
}

// prune deletes what retention says and returns when to look again.
// Deleting the object, not the image, leaves the cloud side to each
// ServerImage's own deletionPolicy and finalizer.
func (r *ServerImageScheduleReconciler) prune(ctx context.Context, sched *imagesv1.ServerImageSchedule, children []scheduleChild, now time.Time) (time.Time, error) {
	decisions, wake := planPrune(children, sched.Spec.Retention, now)
	for _, d := range decisions {
		uid := d.si.UID
		err := r.Delete(ctx, d.si, client.Preconditions{UID: &uid})
		if apierrors.IsNotFound(err) || apierrors.IsConflict(err) {
			continue // gone already, or replaced by an object we did not judge
		}
		if err != nil {
			return wake, err
		}
		r.Recorder.Eventf(sched, d.si, "Normal", EventPruned, "Prune", "deleted ServerImage %s (%s); %s", d.si.Name, d.why, cloudEffect(d.si))
	}
	return wake, nil
}

// cloudEffect says what deleting si does to its cloud image.
func cloudEffect(si *imagesv1.ServerImage) string {
	id := si.Status.ImageID
	switch {
	case id == "":
		return "it had no cloud image"
	case si.Spec.DeletionPolicy == imagesv1.DeletionPolicyDelete:
		return "its cloud image " + id + " is deleted too (deletionPolicy Delete)"
	default:
		return "its cloud image " + id + " is kept (deletionPolicy Retain)"
	}
}
