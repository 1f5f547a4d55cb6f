// Package faultmatrix is the one source of docs/fault-matrix.md: which
// faults are in the matrix, on which operations, and what the reconcilers
// do with each class of failure in each place they meet it.
//
// Two tests hold it to the code. The OpenStack driver's fault-matrix test
// injects every fault into the simulator, checks the class the driver
// returns, and renders the document (failing when docs/fault-matrix.md
// differs). A controllers test feeds each class to the reconcilers' failure
// handling and checks the reaction recorded here. The package imports
// neither, so that both may import it.
package faultmatrix

import (
	"time"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
)

// Op is one operation of the cloud.Provider boundary.
type Op string

const (
	OpAuth       Op = "auth"
	OpGetServer  Op = "get server"
	OpCreate     Op = "create"
	OpGetImage   Op = "get image"
	OpFindImages Op = "find images"
	OpDelete     Op = "delete"
)

// Ops are the matrix columns, in the order the documents show them.
var Ops = []Op{OpAuth, OpGetServer, OpCreate, OpGetImage, OpFindImages, OpDelete}

// Fault is one row of the matrix: an HTTP status or a failure without one.
type Fault string

const (
	FaultTimeout   Fault = "timeout"
	FaultReset     Fault = "connection reset"
	FaultTLS       Fault = "TLS failure"
	FaultMalformed Fault = "malformed JSON"
)

// Faults are the matrix rows: the statuses the issue lists, then the
// failures that come without a status.
var Faults = []Fault{
	"400", "401", "403", "404", "405", "406", "409", "413", "415", "429",
	"500", "502", "503", "504",
	FaultTimeout, FaultReset, FaultTLS, FaultMalformed,
}

// Context is where a reconciler meets an operation's failure.
type Context string

const (
	// ContextCloud is the Cloud reconciler's credential check.
	ContextCloud Context = "Cloud check"
	// ContextCreate is a ServerImage without an image ID yet: find by
	// key, read the server, create.
	ContextCreate Context = "create"
	// ContextPoll is a ServerImage with an image ID: the per-Cloud poller
	// reads it and the object reports what the poller saw.
	ContextPoll Context = "poll"
	// ContextDelete is a ServerImage being deleted with deletionPolicy
	// Delete.
	ContextDelete Context = "delete"
)

// Contexts in document order.
var Contexts = []Context{ContextCloud, ContextCreate, ContextPoll, ContextDelete}

// ContextOf is the context the per-operation tables show for op: where a
// failure of op matters most. get image and find images are also used
// while deleting (wait until gone, find a create's leftovers); the
// class-by-context table covers those.
func ContextOf(op Op) Context {
	switch op {
	case OpAuth:
		return ContextCloud
	case OpGetImage:
		return ContextPoll
	case OpDelete:
		return ContextDelete
	}
	return ContextCreate
}

// RetryKind is how the next attempt is scheduled.
type RetryKind string

const (
	// RetryBackoff: exponential backoff per object, 1 s doubling to a 5 min
	// cap, half of it random.
	RetryBackoff RetryKind = "backoff"
	// RetryAfterOrBackoff: the wait the cloud asked for (Retry-After, body
	// retryAfter/retryAt) plus up to 10 % jitter, else backoff.
	RetryAfterOrBackoff RetryKind = "retry-after"
	// RetryAfterAtLeast: backoff, or the wait the cloud asked for when
	// that is longer (the Cloud check).
	RetryAfterAtLeast RetryKind = "retry-after-at-least"
	// RetryEvery: a fixed re-check (Reaction.Every), jittered by up to 10 %.
	RetryEvery RetryKind = "every"
	// RetryNone: no requeue; a change to the object or its Cloud (or
	// Secret) starts the next attempt.
	RetryNone RetryKind = "none"
)

// Reaction is what a reconciler records and schedules for one failure.
type Reaction struct {
	// Reason of the Ready=False condition (and of Stalled or Reconciling).
	Reason string
	// Stalled: Stalled=True (a person must act); otherwise
	// Reconciling=True (the operator keeps trying on its own).
	Stalled bool
	Retry   RetryKind
	// Every is the re-check period for RetryEvery.
	Every time.Duration
	// Poller: the per-Cloud poller keeps reading the image every poll
	// interval whatever the object shows, and wakes it on a change.
	Poller bool
}

// Re-check periods of the reconcilers (controllers.ServerNotReadyRecheck,
// CloudReauthInterval, ProgressRefreshInterval); the controllers test
// checks they still agree.
const (
	RecheckServer   = time.Minute
	RecheckCloud    = 15 * time.Minute
	RecheckProgress = 2 * time.Minute
)

// React is the reaction to a failure of class in ctx, as the reconcilers
// implement it (controllers: cloudFailure, pollImage, deleteFailure,
// CloudReconciler.check).
func React(ctx Context, class cloud.ErrorClass) Reaction {
	switch ctx {
	case ContextCloud:
		return reactCloud(class)
	case ContextDelete:
		r := Reaction{Reason: imagesv1.ReasonDeletionFailed, Retry: RetryBackoff}
		switch class {
		case cloud.ClassRateLimited:
			r.Retry = RetryAfterOrBackoff
		case cloud.ClassConflict, cloud.ClassUnauthorized, cloud.ClassNotFound, cloud.ClassInvalid, cloud.ClassForbidden:
			// Terminal for a create is not terminal for a delete: a
			// person may fix permissions, so it keeps trying slowly.
			r.Retry, r.Every = RetryEvery, RecheckServer
		}
		return r
	}
	r := reactCreate(class)
	if ctx == ContextPoll {
		r.Poller = true
		if r.Retry == RetryNone {
			// pollImage turns "no requeue" into the progress refresh.
			r.Retry, r.Every = RetryEvery, RecheckProgress
		}
	}
	return r
}

func reactCreate(class cloud.ErrorClass) Reaction {
	switch class {
	case cloud.ClassRateLimited:
		return Reaction{Reason: imagesv1.ReasonRateLimited, Retry: RetryAfterOrBackoff}
	case cloud.ClassBusy:
		return Reaction{Reason: imagesv1.ReasonServerBusy, Retry: RetryBackoff}
	case cloud.ClassConflict:
		return Reaction{Reason: imagesv1.ReasonServerNotReady, Stalled: true, Retry: RetryEvery, Every: RecheckServer}
	case cloud.ClassUnauthorized:
		return Reaction{Reason: imagesv1.ReasonAuthenticationFailed, Stalled: true, Retry: RetryEvery, Every: RecheckServer}
	case cloud.ClassForbidden:
		return Reaction{Reason: imagesv1.ReasonForbidden, Stalled: true, Retry: RetryNone}
	case cloud.ClassInvalid:
		return Reaction{Reason: imagesv1.ReasonInvalidRequest, Stalled: true, Retry: RetryNone}
	case cloud.ClassNotFound:
		return Reaction{Reason: imagesv1.ReasonServerNotFound, Stalled: true, Retry: RetryNone}
	}
	return Reaction{Reason: imagesv1.ReasonTransientError, Retry: RetryBackoff}
}

func reactCloud(class cloud.ErrorClass) Reaction {
	switch class {
	case cloud.ClassUnauthorized, cloud.ClassForbidden:
		return Reaction{Reason: imagesv1.ReasonAuthenticationFailed, Stalled: true, Retry: RetryEvery, Every: RecheckCloud}
	case cloud.ClassInvalid, cloud.ClassNotFound:
		return Reaction{Reason: imagesv1.ReasonInvalidConfiguration, Stalled: true, Retry: RetryEvery, Every: RecheckCloud}
	}
	r := reactCreate(class)
	r.Stalled = false
	r.Retry, r.Every = RetryBackoff, 0
	if class == cloud.ClassRateLimited {
		r.Retry = RetryAfterAtLeast
	}
	return r
}

// Classes are every class a driver returns, for the reaction table.
var Classes = []cloud.ErrorClass{
	cloud.ClassTransient, cloud.ClassRateLimited, cloud.ClassBusy, cloud.ClassConflict,
	cloud.ClassUnauthorized, cloud.ClassForbidden, cloud.ClassNotFound, cloud.ClassInvalid,
}
