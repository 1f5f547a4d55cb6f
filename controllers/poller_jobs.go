package controllers

import (
	"context"
	"time"

	"k8s.io/apimachinery/pkg/types"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
)

// Member jobs (Huawei IMS) are read by the Cloud's timer, like images in
// flight: every poll interval, one read per job (IMS has no batched read
// of jobs), and the object is woken when its job ends. The reconciler
// records the job in status.properties.memberJobs and returns at once; a
// restarted poller finds the jobs there again.

// jobWatch is one member job read for one object.
type jobWatch struct {
	obj *imagesv1.ServerImage // for the wake-up event
	due time.Time
	// state is the ended job (nil while it runs or was not read).
	state *cloud.JobState
}

// watchJobsLocked makes the Cloud's timer read exactly the jobs si's
// status lists.
func (p *imagePoller) watchJobsLocked(cloudUID types.UID, si *imagesv1.ServerImage) {
	cp := p.clouds[cloudUID]
	if cp == nil {
		return
	}
	want := map[string]bool{}
	if st := si.Status.Properties; st != nil {
		for _, j := range st.MemberJobs {
			want[j.ID] = true
		}
	}
	if len(want) == 0 {
		p.dropJobsLocked(cloudUID, si.UID)
		return
	}
	for id, w := range cp.jobs {
		if w.obj.UID == si.UID && !want[id] {
			delete(cp.jobs, id)
		}
	}
	for id := range want {
		if _, ok := cp.jobs[id]; ok {
			continue
		}
		if cp.jobs == nil {
			cp.jobs = map[string]*jobWatch{}
		}
		cp.jobs[id] = &jobWatch{obj: objectRef(si), due: time.Now().Add(cp.interval)}
		select {
		case cp.kick <- struct{}{}:
		default:
		}
	}
}

// dropJobsLocked stops reading the jobs of an object the poller no
// longer watches.
func (p *imagePoller) dropJobsLocked(cloudUID, obj types.UID) {
	if cp := p.clouds[cloudUID]; cp != nil {
		for id, w := range cp.jobs {
			if w.obj.UID == obj {
				delete(cp.jobs, id)
			}
		}
	}
}

// nextJobLocked is when the next running job is due.
func (cp *cloudPoll) nextJobLocked() (time.Time, bool) {
	var first time.Time
	for _, w := range cp.jobs {
		if w.state == nil && (first.IsZero() || w.due.Before(first)) {
			first = w.due
		}
	}
	return first, !first.IsZero()
}

// readJobs reads the Cloud's due jobs and wakes the objects whose job
// ended. A failed read is retried on the next interval.
func (p *imagePoller) readJobs(ctx context.Context, uid types.UID) {
	p.mu.Lock()
	cp := p.clouds[uid]
	if cp == nil {
		p.mu.Unlock()
		return
	}
	now := time.Now()
	var due []string
	for id, w := range cp.jobs {
		if w.state == nil && !w.due.After(now.Add(cp.interval/10)) {
			due = append(due, id)
		}
	}
	prov := cp.prov
	p.mu.Unlock()
	var wake []*imagesv1.ServerImage
	for _, id := range due {
		state, err := prov.GetJob(ctx, id)
		p.mu.Lock()
		if w := cp.jobs[id]; w != nil {
			w.due = time.Now().Add(cp.interval)
			if err == nil && state.Done {
				w.state = &state
				wake = append(wake, w.obj)
			}
		}
		p.mu.Unlock()
	}
	p.send(ctx, wake)
}

// jobEnded returns how a job ended, once the timer has seen it end.
func (p *imagePoller) jobEnded(cloudUID types.UID, jobID string) (cloud.JobState, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if cp := p.clouds[cloudUID]; cp != nil {
		if w := cp.jobs[jobID]; w != nil && w.state != nil {
			return *w.state, true
		}
	}
	return cloud.JobState{}, false
}
