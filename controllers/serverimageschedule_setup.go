package controllers

import (
	"k8s.io/utils/clock"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/predicate"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
)

// SetupSchedules registers the ServerImageSchedule reconciler with mgr.
// Setup calls it; tests call it on a manager of their own to drive
// schedules with a fake Options.Clock.
func SetupSchedules(mgr ctrl.Manager, opts Options) error {
	clk := opts.Clock
	if clk == nil {
		clk = clock.RealClock{}
	}
	workers := opts.MaxConcurrentReconciles
	if workers <= 0 {
		workers = 4
	}
	r := &ServerImageScheduleReconciler{
		Client:    mgr.GetClient(),
		APIReader: mgr.GetAPIReader(),
		Scheme:    mgr.GetScheme(),
		Recorder:  mgr.GetEventRecorder("serverimage-operator"),
		Clock:     clk,
	}
	return ctrl.NewControllerManagedBy(mgr).
		// Status writes are ours and need no second pass; an annotation
		// change is a cheap way for a person (or a test) to ask for one.
		For(&imagesv1.ServerImageSchedule{}, builder.WithPredicates(predicate.Or(
			predicate.GenerationChangedPredicate{}, predicate.AnnotationChangedPredicate{}))).
		// A run becoming Ready or Stalled releases Forbid, counts for
		// retention and may make an older image due for pruning.
		Owns(&imagesv1.ServerImage{}).
		WithOptions(controller.Options{MaxConcurrentReconciles: workers, RateLimiter: newRateLimiter()}).
		Named("serverimageschedule").
		Complete(r)
}
