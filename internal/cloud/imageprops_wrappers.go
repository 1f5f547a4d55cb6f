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
	return r.do(ctx, OpUpdateImage, func() error { return r.next.UpdateImageProperties(ctx, id, u) })
}

func (r *rateLimited) ListMembers(ctx context.Context, id string) ([]Member, error) {
	return limited(ctx, r, OpListMembers, func() ([]Member, error) { return r.next.ListMembers(ctx, id) })
}

func (r *rateLimited) AddMember(ctx context.Context, id, project string) error {
	return r.do(ctx, OpAddMember, func() error { return r.next.AddMember(ctx, id, project) })
}

func (r *rateLimited) RemoveMember(ctx context.Context, id, project string) error {
	return r.do(ctx, OpRemoveMember, func() error { return r.next.RemoveMember(ctx, id, project) })
}

func (r *rateLimited) AcceptShare(ctx context.Context, id string) error {
	return r.do(ctx, OpAcceptShare, func() error { return r.next.AcceptShare(ctx, id) })
}

func (i *instrumented) GetJob(ctx context.Context, id string) (j JobState, err error) {
	defer func(t time.Time) { i.observe(OpGetJob, t, err) }(time.Now())
	return i.next.GetJob(ctx, id)
}

func (r *rateLimited) GetJob(ctx context.Context, id string) (JobState, error) {
	return limited(ctx, r, OpGetJob, func() (JobState, error) { return r.next.GetJob(ctx, id) })
}
