package controllers

import (
	"errors"

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

// retryAfter is the wait the cloud asked for, or zero.
func retryAfter(err error) (d int64, ok bool) {
	var ce *cloud.Error
	if errors.As(err, &ce) && ce.RetryAfter > 0 {
		return int64(ce.RetryAfter), true
	}
	return 0, false
}
