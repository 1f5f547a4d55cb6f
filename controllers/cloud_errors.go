package controllers

import (
	"errors"
	"time"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
)

// reasonFor maps a classified cloud error to the condition reason a user
// sees. The classification itself happened once, in the driver.
func reasonFor(err error) string {
	switch cloud.ClassOf(err) {
	case cloud.ClassRateLimited:
		return imagesv1.ReasonRateLimited
	case cloud.ClassBusy:
		return imagesv1.ReasonServerBusy
	case cloud.ClassConflict:
		return imagesv1.ReasonServerNotReady
	case cloud.ClassUnauthorized:
		return imagesv1.ReasonAuthenticationFailed
	case cloud.ClassForbidden:
		return imagesv1.ReasonForbidden
	case cloud.ClassInvalid:
		return imagesv1.ReasonInvalidRequest
	case cloud.ClassNotFound:
		return imagesv1.ReasonServerNotFound
	}
	return imagesv1.ReasonTransientError
}

// isTerminal reports whether retrying err without a change is pointless.
func isTerminal(err error) bool {
	var ce *cloud.Error
	return errors.As(err, &ce) && ce.Terminal()
}

// retryAfter is the wait the cloud asked for, if it said. Callers cap it:
// a cloud asking for a day must not park an object for a day.
func retryAfter(err error) (time.Duration, bool) {
	var ce *cloud.Error
	if errors.As(err, &ce) && ce.RetryAfter > 0 {
		return ce.RetryAfter, true
	}
	return 0, false
}
