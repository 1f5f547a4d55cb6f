package cloud

import (
	"context"
	"time"
)

// The metrics and rate-limit wrappers of VolumeSnapshots: every snapshot
// call is counted and shares the Cloud's token bucket like any other.

func (i *instrumented) GetVolumeSnapshot(ctx context.Context, id string) (s *VolumeSnapshot, err error) {
	defer func(t time.Time) { i.observe(OpGetVolumeSnapshot, t, err) }(time.Now())
	return i.next.GetVolumeSnapshot(ctx, id)
}

func (i *instrumented) DeleteVolumeSnapshot(ctx context.Context, id string) (err error) {
	defer func(t time.Time) { i.observe(OpDeleteVolumeSnapshot, t, err) }(time.Now())
	return i.next.DeleteVolumeSnapshot(ctx, id)
}

func (r *rateLimited) GetVolumeSnapshot(ctx context.Context, id string) (*VolumeSnapshot, error) {
	return limited(ctx, r, OpGetVolumeSnapshot, func() (*VolumeSnapshot, error) { return r.next.GetVolumeSnapshot(ctx, id) })
}

func (r *rateLimited) DeleteVolumeSnapshot(ctx context.Context, id string) error {
	return r.do(ctx, OpDeleteVolumeSnapshot, func() error { return r.next.DeleteVolumeSnapshot(ctx, id) })
}
