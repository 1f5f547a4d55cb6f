package policy

import (
	"time"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
)

// startTable: a server the operator stopped is started whatever it takes.
// Nothing stalls: broken credentials, a refusal or an unreachable cloud
// are retried (with a Warning Event and the ServerStopped condition saying
// the server is still down) until the start goes through, someone starts
// the server, or the object is abandoned.
func startTable() map[cloud.ErrorClass]Reaction {
	slow := Reaction{Reason: imagesv1.ReasonServerStillStopped, Retry: RetryEvery, Every: RecheckStart,
		Action: "the server stays stopped until the start goes through: fix the cause, or start the server yourself"}
	return map[cloud.ErrorClass]Reaction{
		cloud.ClassTransient:    {Reason: imagesv1.ReasonServerStillStopped, Retry: RetryBackoff},
		cloud.ClassRateLimited:  {Reason: imagesv1.ReasonServerStillStopped, Retry: RetryAfter},
		cloud.ClassBusy:         {Reason: imagesv1.ReasonServerStillStopped, Retry: RetryBackoff},
		cloud.ClassConflict:     slow,
		cloud.ClassUnauthorized: withAction(slow, "check the credentials in the Cloud's Secret; the server stays stopped until the start goes through"),
		cloud.ClassForbidden:    slow,
		cloud.ClassNotFound:     slow,
		cloud.ClassInvalid:      slow,
	}
}

// RecheckStart is how often a start that failed is tried again: short,
// since a server is down meanwhile.
const RecheckStart = 15 * time.Second

func withAction(r Reaction, action string) Reaction {
	r.Action = action
	return r
}
