package openstack

import (
	"context"
	"net/url"
	"strconv"
	"time"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
)

// feedPageSize is Glance's largest page (api_limit_max): a quiet account's
// feed is one call, a busy one pages.
const feedPageSize = 1000

const opImagesChangedSince = "imagesChangedSince"

// ImagesChangedSince lists every image Glance updated at or after since
// (through the Nova proxy where the Cloud polls that way):
// updated_at=gte:<since>, sorted by updated_at, paged with markers. Glance
// stamps every change of an image row (status, properties) with the time
// in whole seconds, so since is cut to the second and the caller re-reads
// that second. Deleted and killed images never appear in a Glance list.
func (p *Provider) ImagesChangedSince(ctx context.Context, since time.Time) ([]cloud.Image, error) {
	s, err := p.session(ctx)
	if err != nil {
		return nil, err
	}
	if s.image == nil {
		return p.novaChangedSince(ctx, s, since)
	}
	filter := url.Values{}
	filter.Set("updated_at", "gte:"+since.UTC().Truncate(time.Second).Format("2006-01-02T15:04:05Z"))
	filter.Set("sort_key", "updated_at")
	filter.Set("sort_dir", "asc")
	filter.Set("limit", strconv.Itoa(feedPageSize))
	var out []cloud.Image
	err = p.glanceList(ctx, s, filter, func(g glanceImage) {
		out = append(out, g.toImage(s.image.Endpoint))
	})
	if err != nil {
		return nil, p.fail(opImagesChangedSince, err)
	}
	return out, nil
}

// novaChangedSince is the feed through the Nova images proxy:
// images/detail?changes-since=<time>. Nova passes it on to Glance as
// updated_at=gte:, so like Glance's list it leaves deleted images out
// whatever the API reference says about the last 30 days.
func (p *Provider) novaChangedSince(ctx context.Context, s *session, since time.Time) ([]cloud.Image, error) {
	filter := url.Values{"changes-since": {since.UTC().Truncate(time.Second).Format("2006-01-02T15:04:05Z")}}
	var out []cloud.Image
	err := p.novaList(ctx, s, filter, func(n cloud.NovaImage) { out = append(out, n.Image()) })
	if err != nil {
		return nil, p.fail(opImagesChangedSince, err)
	}
	return out, nil
}
