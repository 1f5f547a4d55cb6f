package controllers

import (
	"context"
	"testing"
	"time"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
)

// jobCloud runs member jobs: each is running on its first read and ends
// on the second, failed where failReason names it.
type jobCloud struct {
	failingProvider
	reads      map[string]int
	failReason map[string]string
}

func (j *jobCloud) GetJob(_ context.Context, id string) (cloud.JobState, error) {
	j.reads[id]++
	if j.reads[id] == 1 {
		return cloud.JobState{}, nil
	}
	return cloud.JobState{Done: true, FailReason: j.failReason[id]}, nil
}

// TestPollerReadsMemberJobs: the Cloud's timer reads the jobs an object's
// status lists when they are due, wakes the object once a job ended and
// keeps how it ended for the reconciler; jobs gone from the status are
// no longer read.
func TestPollerReadsMemberJobs(t *testing.T) {
	ctx := context.Background()
	p := newImagePoller(time.Now, time.Hour)
	c := &imagesv1.Cloud{}
	c.UID, c.Name, c.Namespace = "cloud-uid", "c", "ns"
	prov := &jobCloud{reads: map[string]int{}, failReason: map[string]string{"bad": "no such project"}}
	si := matrixServerImage()
	si.Name, si.UID, si.Status.ImageID = "shared", "uid-shared", "img-shared"
	si.Status.ActivatedTime = nowTime(time.Now())
	setReady(&si.Status.Conditions, si.Generation, imagesv1.ReasonImageActive, "active")
	si.Status.Properties = &imagesv1.ImagePropertiesStatus{MemberJobs: []imagesv1.ImageMemberJob{
		{ID: "ok", Project: "a", Action: jobAdd}, {ID: "bad", Project: "b", Action: jobAdd}}}
	p.sync(si, c, prov)

	p.readJobs(ctx, c.UID)
	if len(prov.reads) != 0 {
		t.Fatalf("jobs read before they were due: %v", prov.reads)
	}
	makeDue := func() {
		p.mu.Lock()
		defer p.mu.Unlock()
		for _, w := range p.clouds[c.UID].jobs {
			w.due = time.Now()
		}
	}
	makeDue()
	p.readJobs(ctx, c.UID)
	if _, ok := p.jobEnded(c.UID, "ok"); ok || len(p.events) != 0 {
		t.Fatalf("a running job counted as ended (%d wake-ups)", len(p.events))
	}
	makeDue()
	p.readJobs(ctx, c.UID)
	if len(p.events) != 2 {
		t.Errorf("%d wake-ups, want one per ended job", len(p.events))
	}
	if st, ok := p.jobEnded(c.UID, "ok"); !ok || st.FailReason != "" {
		t.Errorf("job ok: %+v %v", st, ok)
	}
	if st, ok := p.jobEnded(c.UID, "bad"); !ok || st.FailReason != "no such project" {
		t.Errorf("job bad: %+v %v", st, ok)
	}
	makeDue()
	p.readJobs(ctx, c.UID)
	if prov.reads["ok"] != 2 {
		t.Errorf("an ended job was read again: %v", prov.reads)
	}

	si.Status.Properties.MemberJobs = si.Status.Properties.MemberJobs[:1]
	p.sync(si, c, prov)
	if _, ok := p.jobEnded(c.UID, "bad"); ok {
		t.Error("a job settled by the reconciler is still kept")
	}
	si.Status.ImageID = ""
	p.sync(si, nil, nil)
	if _, ok := p.jobEnded(c.UID, "ok"); ok {
		t.Error("the jobs of an object no longer watched are still kept")
	}
}
