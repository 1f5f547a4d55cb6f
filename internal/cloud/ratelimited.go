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

func (r *rateLimited) Authenticate(ctx context.Context) error {
	if err := r.wait(ctx, "authenticate"); err != nil {
		return err
	}
	return r.next.Authenticate(ctx)
}

func (r *rateLimited) GetServer(ctx context.Context, id string) (*Server, error) {
	if err := r.wait(ctx, "getServer"); err != nil {
		return nil, err
	}
	return r.next.GetServer(ctx, id)
}

func (r *rateLimited) CreateImage(ctx context.Context, req CreateImageRequest) (string, error) {
	if err := r.wait(ctx, "createImage"); err != nil {
		return "", err
	}
	return r.next.CreateImage(ctx, req)
}

func (r *rateLimited) GetImage(ctx context.Context, id string) (*Image, error) {
	if err := r.wait(ctx, "getImage"); err != nil {
		return nil, err
	}
	return r.next.GetImage(ctx, id)
}

func (r *rateLimited) FindImages(ctx context.Context, q FindImagesQuery) ([]Image, error) {
	if err := r.wait(ctx, "findImages"); err != nil {
		return nil, err
	}
	return r.next.FindImages(ctx, q)
}

func (r *rateLimited) DeleteImage(ctx context.Context, id string) error {
	if err := r.wait(ctx, "deleteImage"); err != nil {
		return err
	}
	return r.next.DeleteImage(ctx, id)
}

func (r *rateLimited) Capabilities() Capabilities { return r.next.Capabilities() }

func (r *rateLimited) GetImages(ctx context.Context, ids []string) (map[string]Image, error) {
	if err := r.wait(ctx, "getImages"); err != nil {
		return nil, err
	}
	return r.next.GetImages(ctx, ids)
}

func (r *rateLimited) ImagesChangedSince(ctx context.Context, since time.Time) ([]Image, error) {
	if err := r.wait(ctx, "imagesChangedSince"); err != nil {
		return nil, err
	}
	return r.next.ImagesChangedSince(ctx, since)
}

func (r *rateLimited) StopServer(ctx context.Context, id string) error {
	if err := r.wait(ctx, OpStopServer); err != nil {
		return err
	}
	return r.next.StopServer(ctx, id)
}

func (r *rateLimited) StartServer(ctx context.Context, id string) error {
	if err := r.wait(ctx, OpStartServer); err != nil {
		return err
	}
	return r.next.StartServer(ctx, id)
}
