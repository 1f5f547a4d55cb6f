package cloud

import (
	"context"
	"time"

	"golang.org/x/time/rate"
)

// RateLimit wraps p so that all calls through it share one token bucket.
// Every ServerImage of a Cloud goes through the same Provider, so the limit
// holds for the Cloud as a whole however many objects there are.
func RateLimit(p Provider, limiter *rate.Limiter) Provider {
	if limiter == nil {
		return p
	}
	return &rateLimited{next: p, limiter: limiter}
}

type rateLimited struct {
	next    Provider
	limiter interface{ Wait(context.Context) error }
}

func (r *rateLimited) wait(ctx context.Context, op string) error {
	if err := r.limiter.Wait(ctx); err != nil {
		// A wait longer than the context allows is the same as the cloud
		// saying "slow down": retry later.
		return &Error{Class: ClassRateLimited, Op: op, Message: "client-side rate limit of the Cloud reached", Err: err}
	}
	return nil
}

// do makes call once the bucket gives a token.
func (r *rateLimited) do(ctx context.Context, op string, call func() error) error {
	if err := r.wait(ctx, op); err != nil {
		return err
	}
	return call()
}

// limited is do for calls that return a value.
func limited[T any](ctx context.Context, r *rateLimited, op string, call func() (T, error)) (T, error) {
	if err := r.wait(ctx, op); err != nil {
		var zero T
		return zero, err
	}
	return call()
}

func (r *rateLimited) Authenticate(ctx context.Context) error {
	return r.do(ctx, "authenticate", func() error { return r.next.Authenticate(ctx) })
}

func (r *rateLimited) GetServer(ctx context.Context, id string) (*Server, error) {
	return limited(ctx, r, "getServer", func() (*Server, error) { return r.next.GetServer(ctx, id) })
}

func (r *rateLimited) CreateImage(ctx context.Context, req CreateImageRequest) (string, error) {
	return limited(ctx, r, "createImage", func() (string, error) { return r.next.CreateImage(ctx, req) })
}

func (r *rateLimited) GetImage(ctx context.Context, id string) (*Image, error) {
	return limited(ctx, r, "getImage", func() (*Image, error) { return r.next.GetImage(ctx, id) })
}

func (r *rateLimited) FindImages(ctx context.Context, q FindImagesQuery) ([]Image, error) {
	return limited(ctx, r, "findImages", func() ([]Image, error) { return r.next.FindImages(ctx, q) })
}

func (r *rateLimited) DeleteImage(ctx context.Context, id string) error {
	return r.do(ctx, "deleteImage", func() error { return r.next.DeleteImage(ctx, id) })
}

func (r *rateLimited) Capabilities() Capabilities { return r.next.Capabilities() }

func (r *rateLimited) GetImages(ctx context.Context, ids []string) (map[string]Image, error) {
	return limited(ctx, r, "getImages", func() (map[string]Image, error) { return r.next.GetImages(ctx, ids) })
}

func (r *rateLimited) ImagesChangedSince(ctx context.Context, since time.Time) ([]Image, error) {
	return limited(ctx, r, "imagesChangedSince", func() ([]Image, error) { return r.next.ImagesChangedSince(ctx, since) })
}

func (r *rateLimited) StopServer(ctx context.Context, id string) error {
	return r.do(ctx, OpStopServer, func() error { return r.next.StopServer(ctx, id) })
}

func (r *rateLimited) StartServer(ctx context.Context, id string) error {
	return r.do(ctx, OpStartServer, func() error { return r.next.StartServer(ctx, id) })
}
