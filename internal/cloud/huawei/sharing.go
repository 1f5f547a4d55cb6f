package huawei

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
)

// IMS shares images with projects through batch member calls that answer a
// job: POST (share), DELETE (unshare) and PUT (the consumer's answer) on
// /v1/cloudimages/members. Share and unshare return the job at once
// (*cloud.JobStarted), and the poller reads it with GetJob on the Cloud's
// poll interval; the consumer's answer, made with the consumer's Cloud
// (whose poller does not watch the owner's image), waits for its job here.
// A job that fails comes back with the cloud's fail_reason.
// Tags are key/value, at most 10 (below); no visibility or protection
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
	return cloud.PropertySupport{Tags: true, MaxTags: maxIMSTags, Sharing: true, AcceptShare: true, PropsNeedImageRead: true, MemberJobs: true}
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

// AddMember shares the image with a project; the job it starts is
// returned as *cloud.JobStarted.
func (p *Provider) AddMember(ctx context.Context, id, project string) error {
	return p.startJob(ctx, cloud.OpAddMember, http.MethodPost, memberBody{Images: []string{id}, Projects: []string{project}})
}

// RemoveMember unshares the image; the job it starts is returned as
// *cloud.JobStarted.
func (p *Provider) RemoveMember(ctx context.Context, id, project string) error {
	return p.startJob(ctx, cloud.OpRemoveMember, http.MethodDelete, memberBody{Images: []string{id}, Projects: []string{project}})
}

// AcceptShare accepts, as this Cloud's project, an image shared with it.
func (p *Provider) AcceptShare(ctx context.Context, id string) error {
	project, err := p.projectID(ctx)
	if err != nil {
		return err
	}
	err = p.startJob(ctx, cloud.OpAcceptShare, http.MethodPut, memberBody{Images: []string{id}, ProjectID: project, Status: string(cloud.MemberAccepted)})
	if jobID, ok := cloud.JobOf(err); ok {
		return p.waitJob(ctx, cloud.OpAcceptShare, jobID)
	}
	return err
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

// startJob sends a member call and returns its job as *cloud.JobStarted.
func (p *Provider) startJob(ctx context.Context, op, method string, body memberBody) error {
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
	return &cloud.JobStarted{Op: op, JobID: job.JobID}
}

// GetJob reads a member job once.
func (p *Provider) GetJob(ctx context.Context, jobID string) (cloud.JobState, error) {
	return p.readJob(ctx, cloud.OpGetJob, jobID)
}

// readJob reads the job: SUCCESS and FAIL end it; anything else (INIT,
// RUNNING) is still running.
func (p *Provider) readJob(ctx context.Context, op, jobID string) (cloud.JobState, error) {
	project, err := p.projectID(ctx)
	if err != nil {
		return cloud.JobState{}, err
	}
	u := p.v1URL("/v1/" + url.PathEscape(project) + "/jobs/" + url.PathEscape(jobID))
	r, err := p.do(ctx, request{op: op, method: http.MethodGet, url: u, ok: []int{http.StatusOK}})
	if err != nil {
		return cloud.JobState{}, err
	}
	var job struct {
		Status     string `json:"status"`
		FailReason string `json:"fail_reason"`
	}
	if err := json.Unmarshal(r.body, &job); err != nil {
		return cloud.JobState{}, cloud.Malformed(op, "the job is not JSON: "+err.Error())
	}
	switch strings.ToUpper(job.Status) {
	case "SUCCESS":
		return cloud.JobState{Done: true}, nil
	case "FAIL":
		reason := job.FailReason
		if reason == "" {
			reason = "no fail_reason given"
		}
		return cloud.JobState{Done: true, FailReason: reason}, nil
	}
	return cloud.JobState{}, nil
}

// waitJob reads the job until it ends (the consumer's answer only).
func (p *Provider) waitJob(ctx context.Context, op, jobID string) error {
	deadline := time.Now().Add(jobWaitLimit)
	for {
		job, err := p.readJob(ctx, op, jobID)
		switch {
		case err != nil:
			return err
		case job.Done && job.FailReason != "":
			return cloud.JobFailed(op, jobID, job.FailReason)
		case job.Done:
			return nil
		case time.Now().After(deadline):
			return &cloud.Error{Class: cloud.ClassTransient, Op: op, Message: fmt.Sprintf("IMS job %s still running after %s", jobID, jobWaitLimit)}
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

// IMS tags are key/value pairs, at most 10 per image (key up to 36
// characters, value up to 43), set and removed in batches by
// POST /v2/{project_id}/images/{image_id}/tags/action (idempotent: an
// existing key is overwritten, a missing one deletes as success) and read
// by GET /v2/{project_id}/images/{image_id}/tags (cloud-apis-2.md §3; the
// IMS API reference, "Adding or Deleting Image Tags in Batches"). A spec
// tag "k=v" is key k with value v; a tag without "=" is a key with an
// empty value. Read back, a tag is rendered the same way, so the spec's
// strings compare with the image's.

// Limits of IMS tags.
const (
	maxIMSTags     = 10
	maxIMSTagKey   = 36
	maxIMSTagValue = 43
)

type imsTag struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// parseTag splits a spec tag at its first "=".
func parseTag(tag string) imsTag {
	k, v, _ := strings.Cut(tag, "=")
	return imsTag{Key: k, Value: v}
}

// String renders t as a spec tag.
func (t imsTag) String() string {
	if t.Value == "" {
		return t.Key
	}
	return t.Key + "=" + t.Value
}

// tagsCall sends one call to the image's tag API (suffix "" or
// "/action").
func (p *Provider) tagsCall(ctx context.Context, op, method, id, suffix string, body any, ok int) (*reply, error) {
	project, err := p.projectID(ctx)
	if err != nil {
		return nil, err
	}
	u := p.s.imsURL + "/v2/" + url.PathEscape(project) + "/images/" + url.PathEscape(id) + "/tags" + suffix
	return p.do(ctx, request{op: op, method: method, url: u, body: body, ok: []int{ok}})
}

// updateTags removes, then adds, one batch call each. A removal names the
// key only: IMS deletes the key whatever its value.
func (p *Provider) updateTags(ctx context.Context, id string, add, remove []string) error {
	for _, batch := range []struct {
		action string
		tags   []string
	}{{"delete", remove}, {"create", add}} {
		if len(batch.tags) == 0 {
			continue
		}
		tags := make([]imsTag, 0, len(batch.tags))
		for _, s := range batch.tags {
			t := parseTag(s)
			if batch.action == "create" {
				if err := checkTag(t); err != nil {
					return err
				}
			}
			tags = append(tags, t)
		}
		body := map[string]any{"action": batch.action, "tags": tags}
		if _, err := p.tagsCall(ctx, cloud.OpUpdateImage, http.MethodPost, id, "/action", body, http.StatusNoContent); err != nil {
			return err
		}
	}
	return nil
}

// checkTag refuses, before the call, a tag IMS would answer 400 to.
func checkTag(t imsTag) error {
	switch {
	case t.Key == "":
		return cloud.Invalid(cloud.OpUpdateImage, "Huawei IMS tags need a key: a tag may not start with '='")
	case utf8.RuneCountInString(t.Key) > maxIMSTagKey:
		return cloud.Invalid(cloud.OpUpdateImage, fmt.Sprintf("Huawei IMS tag key %q is longer than %d characters", t.Key, maxIMSTagKey))
	case utf8.RuneCountInString(t.Value) > maxIMSTagValue:
		return cloud.Invalid(cloud.OpUpdateImage, fmt.Sprintf("Huawei IMS tag value of %q is longer than %d characters", t.Key, maxIMSTagValue))
	}
	return nil
}

// readTags lists the image's tags as spec strings.
func (p *Provider) readTags(ctx context.Context, id string) ([]string, error) {
	r, err := p.tagsCall(ctx, cloud.OpGetImage, http.MethodGet, id, "", nil, http.StatusOK)
	if err != nil {
		return nil, err
	}
	var body struct {
		Tags []imsTag `json:"tags"`
	}
	if err := json.Unmarshal(r.body, &body); err != nil {
		return nil, cloud.Malformed(cloud.OpGetImage, "the tag list is not JSON: "+err.Error())
	}
	out := make([]string, 0, len(body.Tags))
	for _, t := range body.Tags {
		out = append(out, t.String())
	}
	return out, nil
}
