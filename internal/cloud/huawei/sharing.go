package huawei

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
)

// IMS shares images with projects through batch member calls that answer a
// job: POST (share), DELETE (unshare) and PUT (the consumer's answer) on
// /v1/cloudimages/members. Each call here waits for its job, read with its
// own GET as images are (IMS has no batched read of either), and a job
// that fails comes back as an error carrying the cloud's fail_reason.
// Tags are key/value, at most 10 (tags.go); no visibility or protection
// call is documented, so those fields are not kept.

// jobPollInterval is how often a member job is read while it runs; IMS
// finishes member jobs in seconds.
const jobPollInterval = time.Second

// jobWaitLimit bounds the wait for one job, so that a job stuck in
// RUNNING does not hold a reconcile worker: the step is retried, and its
// next pass lists the members to see what the job did.
const jobWaitLimit = 2 * time.Minute

// propertySupport: tags live in their own API, not in the image read, so
// GetImage reads them when asked.
func propertySupport() cloud.PropertySupport {
	return cloud.PropertySupport{Tags: true, MaxTags: maxIMSTags, Sharing: true, AcceptShare: true, PropsNeedImageRead: true}
}

// UpdateImageProperties changes tags; visibility and protection are not
// kept on IMS (the reconciler never asks, by Capabilities).
func (p *Provider) UpdateImageProperties(ctx context.Context, id string, u cloud.PropertyUpdate) error {
	if u.Visibility != "" || u.Protected != nil {
		return cloud.Invalid(cloud.OpUpdateImage, "Huawei Cloud IMS: visibility and protection are not kept by the operator")
	}
	return p.updateTags(ctx, id, u.AddTags, u.RemoveTags)
}

type memberBody struct {
	Images    []string `json:"images"`
	Projects  []string `json:"projects,omitempty"`
	ProjectID string   `json:"project_id,omitempty"`
	Status    string   `json:"status,omitempty"`
}

// AddMember shares the image with a project and waits for the job.
func (p *Provider) AddMember(ctx context.Context, id, project string) error {
	return p.memberJob(ctx, cloud.OpAddMember, http.MethodPost, memberBody{Images: []string{id}, Projects: []string{project}})
}

// RemoveMember unshares the image and waits for the job.
func (p *Provider) RemoveMember(ctx context.Context, id, project string) error {
	return p.memberJob(ctx, cloud.OpRemoveMember, http.MethodDelete, memberBody{Images: []string{id}, Projects: []string{project}})
}

// AcceptShare accepts, as this Cloud's project, an image shared with it.
func (p *Provider) AcceptShare(ctx context.Context, id string) error {
	project, err := p.projectID(ctx)
	if err != nil {
		return err
	}
	return p.memberJob(ctx, cloud.OpAcceptShare, http.MethodPut, memberBody{Images: []string{id}, ProjectID: project, Status: string(cloud.MemberAccepted)})
}

// ListMembers lists the projects the image is shared with.
func (p *Provider) ListMembers(ctx context.Context, id string) ([]cloud.Member, error) {
	project, err := p.projectID(ctx)
	if err != nil {
		return nil, err
	}
	r, err := p.do(ctx, request{op: cloud.OpListMembers, method: http.MethodGet,
		url: p.v1URL("/v1/" + url.PathEscape(project) + "/cloudimages/" + url.PathEscape(id) + "/members"), ok: []int{http.StatusOK}})
	if err != nil {
		return nil, err
	}
	var body struct {
		Members []struct {
			MemberID string `json:"member_id"`
			Status   string `json:"status"`
		} `json:"members"`
	}
	if err := json.Unmarshal(r.body, &body); err != nil {
		return nil, cloud.Malformed(cloud.OpListMembers, "the member list is not JSON: "+err.Error())
	}
	out := make([]cloud.Member, 0, len(body.Members))
	for _, m := range body.Members {
		out = append(out, cloud.Member{Project: m.MemberID, Status: cloud.MemberStatus(m.Status)})
	}
	return out, nil
}

// v1URL is an IMS v1 path on the IMS endpoint (which the settings hold
// with its /v2 trimmed).
func (p *Provider) v1URL(path string) string { return p.s.imsURL + path }

// memberJob sends a member call and waits until its job ends.
func (p *Provider) memberJob(ctx context.Context, op, method string, body memberBody) error {
	r, err := p.do(ctx, request{op: op, method: method, url: p.v1URL("/v1/cloudimages/members"), body: body, ok: []int{http.StatusOK}})
	if err != nil {
		return err
	}
	var job struct {
		JobID string `json:"job_id"`
	}
	if err := json.Unmarshal(r.body, &job); err != nil || job.JobID == "" {
		return cloud.Malformed(op, "the member call answered no job_id")
	}
	return p.waitJob(ctx, op, job.JobID)
}

// waitJob reads the job until it succeeds or fails; a failure is Invalid
// with the cloud's fail_reason (a project that does not exist, an image
// that cannot be shared), which a person must fix.
func (p *Provider) waitJob(ctx context.Context, op, jobID string) error {
	project, err := p.projectID(ctx)
	if err != nil {
		return err
	}
	u := p.v1URL("/v1/" + url.PathEscape(project) + "/jobs/" + url.PathEscape(jobID))
	deadline := time.Now().Add(jobWaitLimit)
	for {
		r, err := p.do(ctx, request{op: op, method: http.MethodGet, url: u, ok: []int{http.StatusOK}})
		if err != nil {
			return err
		}
		var job struct {
			Status     string `json:"status"`
			FailReason string `json:"fail_reason"`
		}
		if err := json.Unmarshal(r.body, &job); err != nil {
			return cloud.Malformed(op, "the job is not JSON: "+err.Error())
		}
		switch strings.ToUpper(job.Status) {
		case "SUCCESS":
			return nil
		case "FAIL":
			return &cloud.Error{Class: cloud.ClassInvalid, Op: op, Message: fmt.Sprintf("IMS job %s failed: %s", jobID, job.FailReason)}
		}
		if time.Now().After(deadline) {
			return &cloud.Error{Class: cloud.ClassTransient, Op: op, Message: fmt.Sprintf("IMS job %s still %s after %s", jobID, job.Status, jobWaitLimit)}
		}
		t := time.NewTimer(jobPollInterval)
		select {
		case <-ctx.Done():
			t.Stop()
			return cloud.AsError(op, fmt.Errorf("waiting for IMS job %s: %w", jobID, ctx.Err()))
		case <-t.C:
		}
	}
}
