package rackspace

import (
	"context"
	"net/url"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
)

// minBatch is the number of images from which one listing is cheaper than
// a GET each. The listing has no ID filter, so it returns every image the
// account can see (public base images included, a few hundred): for a
// handful of images single GETs are lighter; beyond that the listing
// saves calls against the rate limit (GET 1000/min per account).
const minBatch = 8

// Capabilities: the images listing has no ID filter, so one pass reads
// any number of images (ImagesPerCall 0) and the poller reads them all
// together. Servers report Nova's task states, and images keep metadata.
func (p *Provider) Capabilities() cloud.Capabilities {
	return cloud.Capabilities{ImagesPerCall: 0, IdempotencyKey: cloud.KeyInMetadata, ServerTasks: true, Power: powerCapabilities(), Properties: propertySupport()}
}

// GetImages reads many images at once. IDs the cloud does not know are
// absent from the result. An ID missing from the listing is confirmed
// with a GET before it is reported absent: absence means "deleted" to the
// caller, and a listing is no proof of that (eventual consistency, an
// image the listing filters out by default).
func (p *Provider) GetImages(ctx context.Context, ids []string) (map[string]cloud.Image, error) {
	ids = cloud.UniqueIDs(ids)
	out := make(map[string]cloud.Image, len(ids))
	if len(ids) >= minBatch {
		if err := p.listInto(ctx, ids, out); err != nil {
			return nil, err
		}
	}
	if err := cloud.GetEach(ctx, p.GetImage, ids, out); err != nil {
		return nil, err
	}
	return out, nil
}

// listInto pages through images/detail and keeps the wanted images.
func (p *Provider) listInto(ctx context.Context, ids []string, out map[string]cloud.Image) error {
	want := make(map[string]bool, len(ids))
	for _, id := range ids {
		want[id] = true
	}
	return p.listImages(ctx, cloud.OpGetImages, url.Values{"limit": {pageSize}}, func(im cloud.NovaImage) bool {
		if want[im.ID] {
			out[im.ID] = im.Image()
		}
		return len(out) < len(want)
	})
}
