package fakecloud

import (
	"errors"
	"net/http"
	"sync"
)

// IMS image sharing: the batch member calls POST (share), DELETE (unshare)
// and PUT (the consumer's answer) on /v1/cloudimages/members answer 200
// with a job_id; GET /v1/{project_id}/jobs/{job_id} reads the job
// (RUNNING on its first read, then SUCCESS or FAIL with fail_reason);
// GET /v1/{project_id}/cloudimages/{image_id}/members lists the members.
// The change is made when the job is created; a failed job changes
// nothing.

// Operations of the job reads (the member calls use OpAddMember,
// OpRemoveMember, OpUpdateMember and OpListMembers).
const OpGetJob Op = "getJob" // GET /v1/{project_id}/jobs/{job_id}

type imsJob struct {
	status, failReason string
	reads              int
}

type imsJobBook struct {
	mu       sync.Mutex
	jobs     map[string]*imsJob
	failNext string
}

// FailNextIMSJob makes the next IMS member job fail with reason, changing
// nothing (tests: a project that cannot be shared with).
func (c *Cloud) FailNextIMSJob(reason string) {
	c.imsJobs.mu.Lock()
	defer c.imsJobs.mu.Unlock()
	c.imsJobs.failNext = reason
}

// newJob records a job for a change: apply runs unless the job is to fail
// (then its error, if any, is the job's fail_reason).
func (b *imsJobBook) newJob(apply func() error) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.jobs == nil {
		b.jobs = map[string]*imsJob{}
	}
	id := newHexID(32)
	job := &imsJob{status: "SUCCESS"}
	switch {
	case b.failNext != "":
		job.status, job.failReason, b.failNext = "FAIL", b.failNext, ""
	default:
		if err := apply(); err != nil {
			job.status, job.failReason = "FAIL", err.Error()
		}
	}
	b.jobs[id] = job
	return id
}

func (b *imsJobBook) read(id string) (map[string]any, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	job, ok := b.jobs[id]
	if !ok {
		return nil, false
	}
	job.reads++
	status := job.status
	if job.reads == 1 {
		status = "RUNNING"
	}
	body := map[string]any{"job_id": id, "job_type": "batchAddMembers", "status": status, "entities": map[string]any{}}
	if status == "FAIL" {
		body["fail_reason"] = job.failReason
	}
	return body, true
}

// imsSharingRoutes serves the member and job paths; it reports false for
// any other.
func (c *Cloud) imsSharingRoutes(w http.ResponseWriter, r *http.Request, segs []string) bool {
	var op Op
	var h func(http.ResponseWriter, *http.Request, huaweiCaller)
	switch {
	case len(segs) == 3 && segs[0] == "v1" && segs[1] == "cloudimages" && segs[2] == "members":
		switch r.Method {
		case http.MethodPost:
			op = OpAddMember
		case http.MethodDelete:
			op = OpRemoveMember
		case http.MethodPut:
			op = OpUpdateMember
		default:
			return false
		}
		h = c.imsMemberCall
	case len(segs) == 4 && segs[0] == "v1" && segs[2] == "jobs" && r.Method == http.MethodGet:
		op, h = OpGetJob, func(w http.ResponseWriter, r *http.Request, _ huaweiCaller) {
			body, ok := c.imsJobs.read(segs[3])
			if !ok {
				writeError(w, dialectHuaweiIMS, http.StatusNotFound, "Job "+segs[3]+" could not be found.", "")
				return
			}
			writeJSON(w, http.StatusOK, body)
		}
	case len(segs) == 5 && segs[0] == "v1" && segs[2] == "cloudimages" && segs[4] == "members" && r.Method == http.MethodGet:
		op, h = OpListMembers, func(w http.ResponseWriter, r *http.Request, _ huaweiCaller) { c.imsListMembers(w, segs[3]) }
	default:
		return false
	}
	c.serve(w, r, call{op: op, dialect: dialectHuaweiIMS}, c.huaweiGateway(h))
	return true
}

func (c *Cloud) imsMemberCall(w http.ResponseWriter, r *http.Request, _ huaweiCaller) {
	var body struct {
		Images    []string `json:"images"`
		Projects  []string `json:"projects"`
		ProjectID string   `json:"project_id"`
		Status    string   `json:"status"`
	}
	if err := readJSONBody(r, &body); err != nil || len(body.Images) == 0 {
		writeError(w, dialectHuaweiIMS, http.StatusBadRequest, "Invalid request: images is required.", "")
		return
	}
	apply := func() error {
		for _, id := range body.Images {
			if _, err := c.store.updateImage(id, func(img *Image) error {
				return imsMemberChange(img, r.Method, body.Projects, body.ProjectID, body.Status)
			}); err != nil {
				return errors.New("image " + id + ": " + err.Error())
			}
		}
		return nil
	}
	writeJSON(w, http.StatusOK, map[string]any{"job_id": c.imsJobs.newJob(apply)})
}

// imsMemberChange is one image's part of a member job.
func imsMemberChange(img *Image, method string, projects []string, consumer, status string) error {
	switch method {
	case http.MethodPost:
		for _, p := range projects {
			if err := addMember(img, p, false); err != nil && !errors.Is(err, errDuplicateMember) {
				return err
			}
		}
	case http.MethodDelete:
		for _, p := range projects {
			delete(img.Members, p)
		}
	default:
		if _, ok := img.Members[consumer]; !ok {
			return errMemberNotFound
		}
		img.Members[consumer] = status
	}
	return nil
}

// imsImage reads image id, or answers IMS's 404.
func (c *Cloud) imsImage(w http.ResponseWriter, id string) (Image, bool) {
	img, ok := c.store.image(id)
	if !ok {
		writeError(w, dialectHuaweiIMS, http.StatusNotFound, "Image "+id+" could not be found.", "")
	}
	return img, ok
}

func (c *Cloud) imsListMembers(w http.ResponseWriter, id string) {
	img, ok := c.imsImage(w, id)
	if !ok {
		return
	}
	out := []any{}
	for _, m := range img.members() {
		out = append(out, map[string]any{"image_id": id, "member_id": m, "status": img.Members[m], "schema": "/v2/schemas/member"})
	}
	writeJSON(w, http.StatusOK, map[string]any{"members": out, "schema": "/v2/schemas/members"})
}
