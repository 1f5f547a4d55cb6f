package cloud

import (
	"context"
	"strconv"
	"time"

	"github.com/serverimage-operator/serverimage-operator/internal/metrics"
)

// Instrument wraps p so that every call is counted and timed by provider,
// operation and HTTP status.
func Instrument(name ProviderName, p Provider) Provider {
	return &instrumented{name: string(name), next: p}
}

type instrumented struct {
	name string
	next Provider
}

func (i *instrumented) observe(op string, start time.Time, err error) {
	code := "200"
	if err != nil {
		code = "0"
		if ce := AsError(op, err); ce.HTTPStatus != 0 {
			code = strconv.Itoa(ce.HTTPStatus)
		}
	}
	metrics.CloudRequests.WithLabelValues(i.name, op, code).Inc()
	metrics.CloudRequestDuration.WithLabelValues(i.name, op).Observe(time.Since(start).Seconds())
}

func (i *instrumented) Authenticate(ctx context.Context) (err error) {
	defer func(t time.Time) { i.observe(OpAuthenticate, t, err) }(time.Now())
	return i.next.Authenticate(ctx)
}

func (i *instrumented) GetServer(ctx context.Context, id string) (s *Server, err error) {
	defer func(t time.Time) { i.observe(OpGetServer, t, err) }(time.Now())
	return i.next.GetServer(ctx, id)
}

func (i *instrumented) CreateImage(ctx context.Context, req CreateImageRequest) (id string, err error) {
	defer func(t time.Time) { i.observe(OpCreateImage, t, err) }(time.Now())
	return i.next.CreateImage(ctx, req)
}

func (i *instrumented) GetImage(ctx context.Context, id string) (img *Image, err error) {
	defer func(t time.Time) { i.observe(OpGetImage, t, err) }(time.Now())
	return i.next.GetImage(ctx, id)
}

func (i *instrumented) FindImages(ctx context.Context, q FindImagesQuery) (imgs []Image, err error) {
	defer func(t time.Time) { i.observe(OpFindImages, t, err) }(time.Now())
	return i.next.FindImages(ctx, q)
}

func (i *instrumented) DeleteImage(ctx context.Context, id string) (err error) {
	defer func(t time.Time) { i.observe(OpDeleteImage, t, err) }(time.Now())
	return i.next.DeleteImage(ctx, id)
}

func (i *instrumented) Capabilities() Capabilities { return i.next.Capabilities() }

func (i *instrumented) GetImages(ctx context.Context, ids []string) (m map[string]Image, err error) {
	defer func(t time.Time) { i.observe(OpGetImages, t, err) }(time.Now())
	return i.next.GetImages(ctx, ids)
}

func (i *instrumented) ImagesChangedSince(ctx context.Context, since time.Time) (imgs []Image, err error) {
	defer func(t time.Time) { i.observe("imagesChangedSince", t, err) }(time.Now())
	return i.next.ImagesChangedSince(ctx, since)
}

func (i *instrumented) StopServer(ctx context.Context, id string) (err error) {
	defer func(t time.Time) { i.observe(OpStopServer, t, err) }(time.Now())
	return i.next.StopServer(ctx, id)
}

func (i *instrumented) StartServer(ctx context.Context, id string) (err error) {
	defer func(t time.Time) { i.observe(OpStartServer, t, err) }(time.Now())
	return i.next.StartServer(ctx, id)
}
