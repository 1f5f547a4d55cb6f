package openstack

import (
	"context"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
)

// maxPages stops a listing whose "next" links never end (a cloud that
// ignores the filters and the marker would otherwise loop for ever).
const maxPages = 1000

// batchSize bounds the IDs per Glance list call (id=in:…), keeping the URL
// well under common 8 KiB proxy limits (50 UUIDs ≈ 1.9 KiB).
const batchSize = 50

// GetImage reads one image from Glance, or from the Nova images proxy when
// the Cloud polls ComputeImages.
func (p *Provider) GetImage(ctx context.Context, id string) (*cloud.Image, error) {
	if id == "" {
		return nil, cloud.Invalid(cloud.OpGetImage, "no image ID given")
	}
	s, err := p.session(ctx)
	if err != nil {
		return nil, err
	}
	if s.image == nil {
		return p.novaGetImage(ctx, s, id)
	}
	return p.glanceGetImage(ctx, s, id)
}

// FindImages returns the images an earlier CreateImage with the same
// idempotency key produced, newest first. The key is required: without it
// every snapshot of the server would match, and adopting someone else's
// image is the one thing this lookup must never do.
func (p *Provider) FindImages(ctx context.Context, q cloud.FindImagesQuery) ([]cloud.Image, error) {
	if q.IdempotencyKey == "" {
		return nil, cloud.Invalid(cloud.OpFindImages, "no idempotency key given")
	}
	s, err := p.session(ctx)
	if err != nil {
		return nil, err
	}
	var out []cloud.Image
	if s.image == nil {
		out, err = p.novaFindImages(ctx, s, q)
	} else {
		out, err = p.glanceFindImages(ctx, s, q)
	}
	if err != nil {
		return nil, err
	}
	cloud.SortNewestFirst(out)
	return out, nil
}

// DeleteImage deletes the image; one that is already gone is not an error.
func (p *Provider) DeleteImage(ctx context.Context, id string) error {
	if id == "" {
		return cloud.Invalid(cloud.OpDeleteImage, "no image ID given")
	}
	s, err := p.session(ctx)
	if err != nil {
		return err
	}
	if s.image == nil {
		err = p.novaDeleteImage(ctx, s, id)
	} else {
		err = p.glanceDeleteImage(ctx, s, id)
	}
	if cloud.IsNotFound(err) {
		return nil
	}
	return err
}

// imagesPerCall is the Glance list batch, or 1 through the Nova proxy,
// which reads one image per call.
func (p *Provider) imagesPerCall() int {
	if p.s.pollAPI == pollGlance {
		return batchSize
	}
	return 1
}

// GetImages reads many images at once: Glance lists them by ID in batches;
// the Nova proxy has no such filter, so it falls back to one GET each.
// IDs the cloud does not know are absent from the result.
func (p *Provider) GetImages(ctx context.Context, ids []string) (map[string]cloud.Image, error) {
	out := make(map[string]cloud.Image, len(ids))
	ids = cloud.UniqueIDs(ids)
	if len(ids) == 0 {
		return out, nil
	}
	s, err := p.session(ctx)
	if err != nil {
		return nil, err
	}
	if s.image == nil {
		return out, p.getEach(ctx, ids, out)
	}
	return out, p.glanceGetImages(ctx, s, ids, out)
}

// getEach is the one-by-one fallback of GetImages.
func (p *Provider) getEach(ctx context.Context, ids []string, out map[string]cloud.Image) error {
	return cloud.GetEach(ctx, p.GetImage, ids, out)
}
