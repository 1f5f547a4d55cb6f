// Package policy is the operator's one failure policy: for every step of
// a reconcile that calls the cloud and every class of cloud error, the
// condition reason, whether a person must act (Stalled) or the operator
// keeps trying (Reconciling), and when the next attempt comes.
//
// The reconcilers apply it (controllers: fail), docs/fault-matrix.md and
// docs/troubleshooting.md are rendered from or checked against it
// (internal/faultmatrix), and nothing else restates it.
package policy

import (
	"time"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
)

// Step is where a reconciler meets a cloud failure.
type Step string

const (
	// Authenticate is the Cloud reconciler's credential check.
	Authenticate Step = "authenticate"
	// FindImages looks for an image an earlier create left under this
	// object's idempotency key.
	FindImages Step = "find images"
	// GetServer checks that the server can be imaged before a create.
	GetServer Step = "get server"
	// Create is the createImage call.
	Create Step = "create"
	// Import reads the image named in spec.import.
	Import Step = "import"
	// Poll is the per-Cloud poller's read of an image being built, which
	// the object reports.
	Poll Step = "poll"
	// Delete covers everything deletionPolicy Delete does: find a
	// create's leftovers, delete, and wait until the image is gone.
	Delete Step = "delete"
	// VolumeSnapshots reads the volume snapshots of an active image until
	// they are available (controllers/serverimage_volumesnapshots.go).
	VolumeSnapshots Step = "volume snapshots"
	// DeleteVolumeSnapshots deletes them after the image, and waits until
	// they are gone.
	DeleteVolumeSnapshots Step = "delete volume snapshots"
	// Stop reads and stops a server for an image of consistency Stopped.
	Stop Step = "stop"
	// Start starts a server the operator stopped, on every exit path.
	Start Step = "start"
	// Properties keeps the image's tags, visibility, protection and
	// members as the spec says, once it is active (imageprops.go).
	Properties Step = "properties"
	// AcceptShare accepts a share with a consumer's Cloud.
	AcceptShare Step = "accept share"
)

// Steps in the order a reader meets them.
var Steps = []Step{Authenticate, FindImages, GetServer, Stop, Create, Import, Poll, VolumeSnapshots, Start, Properties, AcceptShare, Delete, DeleteVolumeSnapshots}

// Retry is how the next attempt is scheduled.
type Retry string

const (
	// RetryBackoff: the controller's workqueue rate limiter, per object
	// exponential from BackoffBase to BackoffCap with jitter, under an
	// overall bucket; a success resets it.
	RetryBackoff Retry = "backoff"
	// RetryAfter: the wait the cloud asked for (Retry-After, body
	// retryAfter/retryAt, capped at BackoffCap) plus up to 10 % jitter;
	// backoff when it asked for none.
	RetryAfter Retry = "retry-after"
	// RetryEvery: a fixed re-check (Reaction.Every), jittered by up to
	// 10 %.
	RetryEvery Retry = "every"
	// RetryNone: no requeue; a change to the object or its Cloud (or
	// Secret) starts the next attempt.
	RetryNone Retry = "none"
)

// Backoff bounds of RetryBackoff.
const (
	BackoffBase = time.Second
	BackoffCap  = 5 * time.Minute
)

// Re-check periods of RetryEvery.
const (
	// RecheckServer re-reads a server, or retries a delete, that a person
	// may fix at any time.
	RecheckServer = time.Minute
	// RecheckCloud re-checks credentials the cloud refused.
	RecheckCloud = 15 * time.Minute
	// RecheckProgress is the safety requeue of an object whose image is
	// being built: the poller wakes it on any change, so this only
	// refreshes the progress shown. Two minutes keeps a short build at
	// three status writes (finalizer, image ID, Ready).
	RecheckProgress = 2 * time.Minute
)

// Reaction is what a reconciler records and schedules for one failure.
type Reaction struct {
	// Reason of the Ready=False condition (and of Stalled or Reconciling).
	Reason string
	// Stalled: Stalled=True (a person must act); otherwise
	// Reconciling=True (the operator keeps trying on its own). A Ready
	// object stays Ready through a failure that is not Stalled.
	Stalled bool
	Retry   Retry
	// Every is the re-check period for RetryEvery.
	Every time.Duration
	// Action is what a person can do, appended to the condition message
	// (empty where the cloud's message says it all).
	Action string
}

// Classes are every class a driver returns, in document order.
var Classes = []cloud.ErrorClass{
	cloud.ClassTransient, cloud.ClassRateLimited, cloud.ClassBusy, cloud.ClassConflict,
	cloud.ClassUnauthorized, cloud.ClassForbidden, cloud.ClassNotFound, cloud.ClassInvalid,
}

// For is the reaction to a failure of class at step. An unclassified
// error (class "") is transient: what cannot be explained is retried,
// never taken as final.
func For(step Step, class cloud.ErrorClass) Reaction {
	if r, ok := table[step][class]; ok {
		return r
	}
	return table[step][cloud.ClassTransient]
}

var (
	transient   = Reaction{Reason: imagesv1.ReasonTransientError, Retry: RetryBackoff}
	rateLimited = Reaction{Reason: imagesv1.ReasonRateLimited, Retry: RetryAfter}
	// Stalled errors of a create are re-checked where the cause can go
	// away without any change the operator would see: a server leaves its
	// state (Conflict), and a 401 that survived the driver's one
	// re-authentication may be a cloud-side glitch. New credentials in
	// the Secret wake the object at once through its Cloud anyway.
	serverNotReady = Reaction{Reason: imagesv1.ReasonServerNotReady, Stalled: true, Retry: RetryEvery, Every: RecheckServer}
	unauthorized   = Reaction{Reason: imagesv1.ReasonAuthenticationFailed, Stalled: true, Retry: RetryEvery, Every: RecheckServer,
		Action: "check the credentials in the Cloud's Secret"}
	forbidden = Reaction{Reason: imagesv1.ReasonForbidden, Stalled: true, Retry: RetryNone,
		Action: "the cloud refused by policy or quota: grant the permission or raise the quota, then change the object or its Cloud to retry"}
	invalid = Reaction{Reason: imagesv1.ReasonInvalidRequest, Stalled: true, Retry: RetryNone,
		Action: "fix the spec or the Cloud; the change retries"}
)

// createTable is shared by the steps of a create; each step names its own
// NotFound, since a 404 means something else for each.
func createTable(notFound Reaction) map[cloud.ErrorClass]Reaction {
	return map[cloud.ErrorClass]Reaction{
		cloud.ClassTransient:    transient,
		cloud.ClassRateLimited:  rateLimited,
		cloud.ClassBusy:         {Reason: imagesv1.ReasonServerBusy, Retry: RetryBackoff},
		cloud.ClassConflict:     serverNotReady,
		cloud.ClassUnauthorized: unauthorized,
		cloud.ClassForbidden:    forbidden,
		cloud.ClassNotFound:     notFound,
		cloud.ClassInvalid:      invalid,
	}
}

var serverNotFound = Reaction{Reason: imagesv1.ReasonServerNotFound, Stalled: true, Retry: RetryNone,
	Action: "check spec.serverID and the Cloud's region and project"}

// deleteTable: a delete never gives up. What is terminal for a create is
// not for a delete, since a person may fix permissions, so it keeps
// trying, slowly; the abandon annotation releases the object.
func deleteTable() map[cloud.ErrorClass]Reaction {
	slow := Reaction{Reason: imagesv1.ReasonDeletionFailed, Retry: RetryEvery, Every: RecheckServer}
	return map[cloud.ErrorClass]Reaction{
		cloud.ClassTransient:    {Reason: imagesv1.ReasonDeletionFailed, Retry: RetryBackoff},
		cloud.ClassRateLimited:  {Reason: imagesv1.ReasonDeletionFailed, Retry: RetryAfter},
		cloud.ClassBusy:         {Reason: imagesv1.ReasonDeletionFailed, Retry: RetryBackoff},
		cloud.ClassConflict:     slow,
		cloud.ClassUnauthorized: slow,
		cloud.ClassForbidden:    slow,
		cloud.ClassNotFound:     slow,
		cloud.ClassInvalid:      slow,
	}
}

// pollTable: the poller keeps reading whatever the object shows and wakes
// it on a change, so a failure the create would leave to a person is
// refreshed with the progress instead.
func pollTable() map[cloud.ErrorClass]Reaction {
	t := createTable(Reaction{Reason: imagesv1.ReasonImageServiceNotFound, Stalled: true, Retry: RetryNone,
		Action: "the image API answered 404 to a read of many images: check the Cloud's image endpoint"})
	for class, r := range t {
		if r.Retry == RetryNone {
			r.Retry, r.Every = RetryEvery, RecheckProgress
			t[class] = r
		}
	}
	return t
}

// authTable: the Cloud stays Stalled while the cloud refuses it, and
// re-checks slowly; everything else is the cloud being unreachable or
// busy, which ServerImages wait out rather than failing one by one.
func authTable() map[cloud.ErrorClass]Reaction {
	refused := Reaction{Reason: imagesv1.ReasonAuthenticationFailed, Stalled: true, Retry: RetryEvery, Every: RecheckCloud,
		Action: "check the credentials in the Cloud's Secret"}
	config := Reaction{Reason: imagesv1.ReasonInvalidConfiguration, Stalled: true, Retry: RetryEvery, Every: RecheckCloud,
		Action: "check the identity endpoint, region and project of the Cloud"}
	return map[cloud.ErrorClass]Reaction{
		cloud.ClassTransient:    transient,
		cloud.ClassRateLimited:  rateLimited,
		cloud.ClassBusy:         transient,
		cloud.ClassConflict:     transient,
		cloud.ClassUnauthorized: refused,
		cloud.ClassForbidden:    refused,
		cloud.ClassNotFound:     config,
		cloud.ClassInvalid:      config,
	}
}

var table = map[Step]map[cloud.ErrorClass]Reaction{
	Authenticate: authTable(),
	FindImages: createTable(Reaction{Reason: imagesv1.ReasonImageServiceNotFound, Stalled: true, Retry: RetryNone,
		Action: "the image API answered 404 to the image list: check the Cloud's image endpoint"}),
	GetServer: createTable(serverNotFound),
	Create:    createTable(serverNotFound),
	Import: createTable(Reaction{Reason: imagesv1.ReasonImageNotFound, Stalled: true, Retry: RetryNone,
		Action: "check spec.import.imageID and the Cloud's region and project"}),
	Poll:   pollTable(),
	Delete: deleteTable(),
	Stop:   createTable(serverNotFound),
	Start:  startTable(),
	// A read fails like the poller's; a 404 is never returned (a gone
	// snapshot is a phase).
	VolumeSnapshots:       pollTable(),
	DeleteVolumeSnapshots: deleteSnapshotsTable(),
	Properties:            propertiesTable(imagesv1.ReasonPropertiesFailed),
	AcceptShare:           propertiesTable(imagesv1.ReasonShareNotAccepted),
}

// deleteSnapshotsTable is deleteTable, but Busy is a snapshot still being
// created (Cinder's 400 "status must be available or error"): it will be
// deletable soon.
func deleteSnapshotsTable() map[cloud.ErrorClass]Reaction {
	t := deleteTable()
	t[cloud.ClassBusy] = Reaction{Reason: imagesv1.ReasonVolumeSnapshotsPending, Retry: RetryBackoff}
	return t
}
