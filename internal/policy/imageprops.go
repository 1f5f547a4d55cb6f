package policy

import (
	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
)

// propertiesTable: the image exists and is usable whatever its tags or
// members, so nothing here is final. A refusal a person must fix (policy,
// quota, a project that does not exist) is Stalled and re-checked slowly;
// the rest is retried.
func propertiesTable(reason string) map[cloud.ErrorClass]Reaction {
	slow := func(action string) Reaction {
		return Reaction{Reason: reason, Stalled: true, Retry: RetryEvery, Every: RecheckServer, Action: action}
	}
	return map[cloud.ErrorClass]Reaction{
		cloud.ClassTransient:    {Reason: reason, Retry: RetryBackoff},
		cloud.ClassRateLimited:  {Reason: reason, Retry: RetryAfter},
		cloud.ClassBusy:         {Reason: reason, Retry: RetryBackoff},
		cloud.ClassConflict:     slow("the image is in a state that refuses the change"),
		cloud.ClassUnauthorized: slow("check the credentials in the Cloud's Secret"),
		cloud.ClassForbidden:    slow("the cloud refused by policy or quota (public visibility is admin-only; members need visibility shared)"),
		cloud.ClassNotFound:     slow("check the project IDs in spec.sharing and that the image still exists"),
		cloud.ClassInvalid:      slow("fix spec.tags, spec.visibility or spec.sharing"),
	}
}
