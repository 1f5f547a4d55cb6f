package cloud

import (
	"errors"
	"fmt"
	"time"
)

// ErrorClass is what a failure means, decided once by the driver. What the
// operator does about each class at each step is internal/policy's table,
// not something the classes themselves decide.
type ErrorClass string

const (
	// ClassTransient: 5xx, timeouts, connection resets, answers that cannot
	// be read; the cloud may answer next time.
	ClassTransient ErrorClass = "Transient"
	// ClassRateLimited: 413/429 overLimit; RetryAfter carries the wait the
	// cloud asked for, if any.
	ClassRateLimited ErrorClass = "RateLimited"
	// ClassBusy: the server is doing something else (409 with a task_state)
	// and will be free when that ends.
	ClassBusy ErrorClass = "Busy"
	// ClassConflict: the server is in a state that does not allow snapshots
	// (409 with a vm_state), which changes only when someone acts.
	ClassConflict ErrorClass = "Conflict"
	// ClassUnauthorized: 401 after one re-authentication.
	ClassUnauthorized ErrorClass = "Unauthorized"
	// ClassForbidden: 403, policy or quota.
	ClassForbidden ErrorClass = "Forbidden"
	// ClassNotFound: 404 for the thing asked about.
	ClassNotFound ErrorClass = "NotFound"
	// ClassInvalid: 400/405/406/415 and local validation: the request as
	// written cannot succeed.
	ClassInvalid ErrorClass = "Invalid"
)

// Error is a classified cloud failure. Message is the cloud's own message
// (never a credential); HTTPStatus is 0 for failures without a response.
type Error struct {
	Class      ErrorClass
	Op         string
	HTTPStatus int
	Message    string
	// RetryAfter is the wait the cloud asked for (Retry-After, retryAfter,
	// retryAt), zero when it did not say.
	RetryAfter time.Duration
	Err        error
}

func (e *Error) Error() string {
	switch {
	case e.HTTPStatus != 0 && e.Message != "":
		return fmt.Sprintf("%s: HTTP %d: %s", e.Op, e.HTTPStatus, e.Message)
	case e.HTTPStatus != 0:
		return fmt.Sprintf("%s: HTTP %d", e.Op, e.HTTPStatus)
	case e.Message != "":
		return fmt.Sprintf("%s: %s", e.Op, e.Message)
	case e.Err != nil:
		return fmt.Sprintf("%s: %v", e.Op, e.Err)
	}
	return e.Op + ": " + string(e.Class)
}

func (e *Error) Unwrap() error { return e.Err }

// ClassOf returns the class of err, or "" when err is not a classified
// cloud error.
func ClassOf(err error) ErrorClass {
	var ce *Error
	if errors.As(err, &ce) {
		return ce.Class
	}
	return ""
}

// IsNotFound reports whether err is a classified 404.
func IsNotFound(err error) bool { return ClassOf(err) == ClassNotFound }

// AsError returns err as *Error, wrapping unclassified errors as transient
// (an error we cannot explain is retried, never taken as final).
func AsError(op string, err error) *Error {
	return asTransient(op, err, error.Error)
}

// asTransient returns the *Error in err's chain unchanged, or err as a
// transient error described by message.
func asTransient(op string, err error, message func(error) string) *Error {
	if err == nil {
		return nil
	}
	var ce *Error
	if errors.As(err, &ce) {
		return ce
	}
	return &Error{Class: ClassTransient, Op: op, Message: message(err), Err: err}
}
