package cloud

import (
	"context"
	"errors"
	"fmt"
)

// Member calls that run as jobs (Huawei IMS): the call answers a job ID
// at once, and the job is read later, by the poller, on the Cloud's poll
// interval, rather than waited for inside a reconcile.

// OpGetJob reads one job.
const OpGetJob = "getJob"

// JobStarted is what AddMember and RemoveMember return where the cloud
// runs them as jobs (PropertySupport.MemberJobs): the call was accepted;
// the caller records JobID and has the job read until it ends.
type JobStarted struct {
	Op, JobID string
}

func (j *JobStarted) Error() string { return j.Op + ": job " + j.JobID + " started" }

// JobOf returns the job a member call started, if it did.
func JobOf(err error) (string, bool) {
	var j *JobStarted
	if errors.As(err, &j) {
		return j.JobID, true
	}
	return "", false
}

// notJob is err, except that a started job counts as success (metrics).
func notJob(err error) error {
	if _, ok := JobOf(err); ok {
		return nil
	}
	return err
}

// JobState is a job as last read: running (Done false), succeeded, or
// failed with the cloud's reason.
type JobState struct {
	Done       bool
	FailReason string
}

// JobReader reads a job started by a member call.
type JobReader interface {
	GetJob(ctx context.Context, jobID string) (JobState, error)
}

// NoJobs is embedded by drivers whose member calls finish in the call.
type NoJobs struct{}

func (NoJobs) GetJob(context.Context, string) (JobState, error) {
	return JobState{}, Invalid(OpGetJob, "this cloud runs no member jobs")
}

// JobFailed is the error of a failed job: Invalid, with the cloud's
// fail_reason (a project that does not exist, an image that cannot be
// shared), which a person must fix.
func JobFailed(op, jobID, reason string) error {
	return &Error{Class: ClassInvalid, Op: op, Message: fmt.Sprintf("job %s failed: %s", jobID, reason)}
}
