package controllers

import (
	"errors"
	"fmt"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
	"github.com/serverimage-operator/serverimage-operator/internal/policy"
)

// fail is the one place a cloud failure becomes conditions and a retry: it
// applies internal/policy's reaction for the step and the error's class.
// msg is how the failure reads on the object (the error itself, with the
// HTTP status and the cloud's message, unless the caller says more).
//
// A backoff is returned as an error, so the controller's workqueue rate
// limiter schedules it; the other retries are plain requeues.
func fail(conds *[]metav1.Condition, gen int64, step policy.Step, err error, msg string) (reconcile.Result, error) {
	react := policy.For(step, cloud.ClassOf(err))
	if msg == "" {
		msg = err.Error()
	}
	if react.Action != "" {
		msg += "; " + react.Action
	}
	res, retryErr := retryOf(react, err)
	switch {
	case react.Retry == policy.RetryEvery:
		msg += fmt.Sprintf(" (checked again every %s)", react.Every)
	case res.RequeueAfter > 0:
		msg += fmt.Sprintf(" (retrying in %s, as the cloud asked)", res.RequeueAfter.Round(time.Second))
	case retryErr != nil:
		msg += " (retrying with backoff)"
	}
	if react.Stalled {
		setStalled(conds, gen, react.Reason, msg)
	} else {
		setRetrying(conds, gen, react.Reason, msg)
	}
	return res, retryErr
}

// retryOf turns a reaction into the reconcile result.
func retryOf(react policy.Reaction, err error) (reconcile.Result, error) {
	switch react.Retry {
	case policy.RetryEvery:
		return reconcile.Result{RequeueAfter: jitter(react.Every)}, nil
	case policy.RetryAfter:
		if ra := retryAfter(err); ra > 0 {
			return reconcile.Result{RequeueAfter: jitter(min(ra, policy.BackoffCap))}, nil
		}
		return reconcile.Result{}, &retryError{err}
	case policy.RetryBackoff:
		return reconcile.Result{}, &retryError{err}
	}
	return reconcile.Result{}, nil
}

// retryError asks the workqueue for a rate-limited retry of a failure that
// is already shown on the object.
type retryError struct{ err error }

func (e *retryError) Error() string { return "retrying: " + e.err.Error() }
func (e *retryError) Unwrap() error { return e.err }

// retryAfter is the wait the cloud asked for, zero when it did not say.
func retryAfter(err error) time.Duration {
	var ce *cloud.Error
	if errors.As(err, &ce) {
		return ce.RetryAfter
	}
	return 0
}
