package huawei

import (
	"context"
	"net/url"
	"time"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
)

const opImagesChangedSince = "imagesChangedSince"

// ImagesChangedSince lists the project's images updated at or after since:
// GET /v2/cloudimages?owner=<project>&updated_at=gte:<time>, paged with
// markers. The owner filter rather than __imagetype=private, since an image
// the project shared is listed as "shared". IMS cannot sort by updated_at,
// so the whole window is read; it is short (the poller moves it along).
func (p *Provider) ImagesChangedSince(ctx context.Context, since time.Time) ([]cloud.Image, error) {
	query := url.Values{"updated_at": {"gte:" + since.UTC().Truncate(time.Second).Format("2006-01-02T15:04:05Z")}}
	if p.s.projectID != "" {
		query.Set("owner", p.s.projectID)
	}
	var out []cloud.Image
	err := p.listImages(ctx, opImagesChangedSince, query, func(img imsImage) {
		out = append(out, img.toImage(p.imageURL(img.ID)))
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
