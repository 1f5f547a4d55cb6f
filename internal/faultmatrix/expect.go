package faultmatrix

import (
	"strconv"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
	"github.com/serverimage-operator/serverimage-operator/internal/policy"
)

// Expect is what the driver must return for one cell when the fault
// persists (every attempt of the operation meets it).
type Expect struct {
	// Class is "" when the operation succeeds despite the fault.
	Class cloud.ErrorClass
	// HTTPStatus recorded in the error (0 for failures without one).
	HTTPStatus int
	// Kind is how the error's message starts after the operation name,
	// which is what a condition message shows first.
	Kind string
}

// Status is the fault's HTTP status, 0 for the failures without one.
func (f Fault) Status() int {
	n, err := strconv.Atoi(string(f))
	if err != nil {
		return 0
	}
	return n
}

// Expected is the classification of the OpenStack driver (and of every
// driver using internal/cloud's classifier) for fault on op.
func Expected(f Fault, op Op) Expect {
	status := f.Status()
	switch {
	case status == 404 && op == OpDelete:
		// Deleting what is already gone is success.
		return Expect{}
	case f == FaultMalformed && op == OpDelete:
		// A delete's answer has no body to read.
		return Expect{}
	case status == 0:
		// Timeouts, resets, TLS and undecodable answers: the cloud may
		// answer next time.
		return Expect{Class: cloud.ClassTransient, Kind: transportKind(f, op)}
	}
	return Expect{Class: cloud.ClassifyStatus(status, ""), HTTPStatus: status, Kind: "HTTP " + string(f)}
}

// transportKind is the message prefix cloud.NewTransportError (or the
// driver, for an unusable 202) gives a failure without a status.
func transportKind(f Fault, op Op) string {
	switch f {
	case FaultTimeout:
		return "timeout"
	case FaultReset:
		return "connection error"
	case FaultTLS:
		return "TLS error"
	}
	if op == OpCreate {
		return "createImage was accepted (HTTP 202) but the response has neither an image_id nor a Location header"
	}
	return "malformed JSON in response"
}

// CellReaction is the reaction the per-operation table shows for one
// cell: the context's reaction to the class, except where the operation
// gives the class its own meaning.
func CellReaction(f Fault, op Op) (policy.Reaction, bool) {
	e := Expected(f, op)
	if e.Class == "" {
		return policy.Reaction{}, false
	}
	if op == OpGetImage && e.Class == cloud.ClassNotFound {
		// A 404 on one image's read is no failure but an answer: the image
		// is gone (controllers: imageGone). ImageFailed while it was being
		// built, ImageMissing once Ready; never silently re-created.
		return policy.Reaction{Reason: imagesv1.ReasonImageFailed, Stalled: true, Retry: policy.RetryNone}, true
	}
	return policy.For(StepOf(op), e.Class), true
}

// Note is what else a reader needs to know about one cell.
func Note(f Fault, op Op) string {
	status := f.Status()
	switch {
	case status == 401 && op == OpAuth:
		return "Keystone refused the credentials; changing the Secret re-checks at once."
	case status == 401:
		return "The driver re-authenticates once (a second token request) and retries; a second 401 is Unauthorized."
	case status == 404 && op == OpDelete:
		return "Already gone: success, the finalizer is released."
	case status == 404 && op == OpGetImage:
		return "The image is gone: ImageFailed while building, ImageMissing (never re-created) once it was Ready."
	case status == 404 && op == OpFindImages:
		return "The image list itself was not found: a wrong image endpoint."
	case status == 404 && op == OpAuth:
		return "A wrong auth_url or identity endpoint."
	case status == 404:
		return "The server does not exist (or is not visible to the project)."
	case status == 409 && op == OpAuth:
		return "Keystone rarely answers 409; it is retried like a 5xx."
	case status == 409 && (op == OpGetServer || op == OpCreate):
		return "A 409 naming a task_state (or none) is Busy; one naming a vm_state is Conflict: ServerNotReady, Stalled, re-checked every 1 min."
	case status == 413 || status == 429:
		return "Retry-After honoured (see below for all forms)."
	case f == FaultReset && op == OpCreate:
		return "The image was created before the connection dropped: the next attempt finds it by key and adopts it (Event Adopted)."
	case f == FaultTimeout && op == OpCreate:
		return "The create may have happened: the next attempt looks the key up before creating."
	case f == FaultMalformed && op == OpCreate:
		return "202 without image_id or Location: the image may exist, so the next attempt looks the key up first."
	case f == FaultMalformed && op == OpDelete:
		return "No body is read from a delete: success."
	case f == FaultTLS:
		return "Message starts \"TLS error\"; fix with the Secret's cacert (a CA bundle). Retried, since a certificate can be renewed."
	}
	return ""
}
