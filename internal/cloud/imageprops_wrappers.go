package cloud

import (
	"context"
	"time"
)

// The image-property calls through the metrics and rate-limit wrappers.

func (i *instrumented) UpdateImageProperties(ctx context.Context, id string, u PropertyUpdate) (err error) {
	defer func(t time.Time) { i.observe(OpUpdateImage, t, err) }(time.Now())
	return i.next.UpdateImageProperties(ctx, id, u)
}

func (i *instrumented) ListMembers(ctx context.Context, id string) (m []Member, err error) {
	defer func(t time.Time) { i.observe(OpListMembers, t, err) }(time.Now())
	return i.next.ListMembers(ctx, id)
}

func (i *instrumented) AddMember(ctx context.Context, id, project string) (err error) {
	defer func(t time.Time) { i.observe(OpAddMember, t, notJob(err)) }(time.Now())
	return i.next.AddMember(ctx, id, project)
}

func (i *instrumented) RemoveMember(ctx context.Context, id, project string) (err error) {
	defer func(t time.Time) { i.observe(OpRemoveMember, t, notJob(err)) }(time.Now())
	return i.next.RemoveMember(ctx, id, project)
}

func (i *instrumented) AcceptShare(ctx context.Context, id string) (err error) {
	defer func(t time.Time) { i.observe(OpAcceptShare, t, err) }(time.Now())
	return i.next.AcceptShare(ctx, id)
}

func (r *rateLimited) UpdateImageProperties(ctx context.Context, id string, u PropertyUpdate) error {
	if err := r.wait(ctx, OpUpdateImage); err != nil {
		return err
	}
	return r.next.UpdateImageProperties(ctx, id, u)
}

func (r *rateLimited) ListMembers(ctx context.Context, id string) ([]Member, error) {
	if err := r.wait(ctx, OpListMembers); err != nil {
		return nil, err
	}
	return r.next.ListMembers(ctx, id)
}

func (r *rateLimited) AddMember(ctx context.Context, id, project string) error {
	if err := r.wait(ctx, OpAddMember); err != nil {
		return err
	}
	return r.next.AddMember(ctx, id, project)
}

func (r *rateLimited) RemoveMember(ctx context.Context, id, project string) error {
	if err := r.wait(ctx, OpRemoveMember); err != nil {
		return err
	}
	return r.next.RemoveMember(ctx, id, project)
}

func (r *rateLimited) AcceptShare(ctx context.Context, id string) error {
	if err := r.wait(ctx, OpAcceptShare); err != nil {
		return err
	}
	return r.next.AcceptShare(ctx, id)
}

func (i *instrumented) GetJob(ctx context.Context, id string) (j JobState, err error) {
	defer func(t time.Time) { i.observe(OpGetJob, t, err) }(time.Now())
	return i.next.GetJob(ctx, id)
}

func (r *rateLimited) GetJob(ctx context.Context, id string) (JobState, error) {
	if err := r.wait(ctx, OpGetJob); err != nil {
		return JobState{}, err
	}
	return r.next.GetJob(ctx, id)
}
