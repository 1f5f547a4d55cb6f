package cloud

import (
	"net/http"
	"strings"
	"time"
)

// ClassifyStatus maps an HTTP error status to the class the reconciler acts
// on (cloud-apis.md §0, retry classification). message matters only for
// 409, where Nova says in words whether the server is busy or in the wrong
// state.
func ClassifyStatus(status int, message string) ErrorClass {
	switch {
	case status == http.StatusUnauthorized:
		return ClassUnauthorized
	case status == http.StatusForbidden:
		return ClassForbidden
	case status == http.StatusNotFound, status == http.StatusGone:
		return ClassNotFound
	case status == http.StatusConflict:
		return ClassifyConflict(message)
	case mentionsTaskState(status, message):
		return ClassBusy
	case status == http.StatusRequestEntityTooLarge, status == http.StatusTooManyRequests:
		// Rackspace's rate control answers 413, Nova's overLimit 413 or 429.
		return ClassRateLimited
	case status == http.StatusRequestTimeout:
		return ClassTransient
	case status >= 500:
		return ClassTransient
	case status >= 400:
		// 400, 405, 406 (microversion out of range), 415 and the rarer 4xx
		// all mean the request itself is wrong: retrying it unchanged cannot
		// help.
		return ClassInvalid
	}
	// A 1xx/2xx/3xx that the caller did not expect: nothing says retrying
	// is pointless.
	return ClassTransient
}

// ClassifyConflict tells a 409 for a busy server (a task_state is set: wait)
// from one for a server in a state that forbids the action (vm_state: retry
// a few times, then give up). Nova's messages name which one it checked,
// e.g. "Cannot 'createImage' instance <id> while it is in task_state
// image_snapshot". Anything else (Rackspace buildInProgress, quiesce
// failures) is treated as busy, the safe side.
func ClassifyConflict(message string) ErrorClass {
	m := strings.ToLower(message)
	switch {
	case strings.Contains(m, "task_state"):
		return ClassBusy
	case strings.Contains(m, "vm_state"):
		return ClassConflict
	}
	return ClassBusy
}

// NewHTTPError classifies an error response into *Error. Message is the
// cloud's own message from the body (falling back to its details or fault
// name), RetryAfter the wait the response asks for. cause is kept for
// errors.Is/As and must not carry a credential.
func NewHTTPError(op string, status int, header http.Header, body []byte, cause error) *Error {
	b := ParseErrorBody(body)
	msg := b.Message
	if msg == "" {
		msg = b.Details
	}
	if msg == "" {
		msg = b.Name
	}
	classText := msg
	if b.Details != "" && b.Details != msg {
		classText += " " + b.Details
	}
	if header == nil {
		header = http.Header{}
	}
	return &Error{
		Class:      ClassifyStatus(status, classText),
		Op:         op,
		HTTPStatus: status,
		Message:    msg,
		RetryAfter: RetryAfterOf(header, b, time.Now()),
		Err:        cause,
	}
}
