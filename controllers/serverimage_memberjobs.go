package controllers

import (
	"slices"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
)

// Member changes the cloud runs as jobs (Huawei IMS): the call returns
// the job at once; the job goes into status.properties.memberJobs and
// the Cloud's timer reads it (poller_jobs.go), waking the object when it
// ends. Until then the member step waits; a member the job removes stays
// owned until the job succeeds, so a failed or lost job is tried again.

const (
	jobAdd    = "add"
	jobRemove = "remove"
)

// recordJob notes a started job, or reports that err is no job.
func recordJob(st *imagesv1.ImagePropertiesStatus, err error, project, action string) bool {
	id, ok := cloud.JobOf(err)
	if ok {
		st.MemberJobs = append(st.MemberJobs, imagesv1.ImageMemberJob{ID: id, Project: project, Action: action})
	}
	return ok
}

// settleMemberJobs takes the ended jobs out of the status. It reports
// wait while one still runs, and the first failure with the cloud's
// fail_reason.
func (r *ServerImageReconciler) settleMemberJobs(p *pass) (wait bool, failed error) {
	st := p.si.Status.Properties
	ended := make([]cloud.JobState, len(st.MemberJobs))
	for i, j := range st.MemberJobs {
		state, ok := r.poller.jobEnded(p.cloud.UID, j.ID)
		if !ok {
			return true, nil
		}
		ended[i] = state
	}
	for i, j := range st.MemberJobs {
		switch {
		case ended[i].FailReason != "":
			if failed == nil {
				op := cloud.OpAddMember
				if j.Action == jobRemove {
					op = cloud.OpRemoveMember
				}
				failed = cloud.JobFailed(op, j.ID, ended[i].FailReason)
			}
		case j.Action == jobRemove:
			st.OwnedMembers = slices.DeleteFunc(st.OwnedMembers, func(o string) bool { return o == j.Project })
		}
	}
	st.MemberJobs = nil
	return false, failed
}
