package openstack

import (
	"context"
	"errors"
	"net/url"
	"strconv"
	"strings"

	"github.com/gophercloud/gophercloud/v2/openstack/image/v2/images"
	"github.com/gophercloud/gophercloud/v2/pagination"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
)

// glanceImage is the part of a Glance v2 image this driver reads. Custom
// properties are top-level keys in Glance v2; instance_uuid is set by Nova,
// serverimage_uid (cloud.IdempotencyMetadataKey) comes from our createImage
// metadata.
type glanceImage struct {
	cloud.GlanceImage
	// Self is relative to the Glance root ("/v2/images/<id>").
	Self string `json:"self"`
	// BlockDeviceMapping is Nova's JSON string on images of volume-backed
	// servers.
	BlockDeviceMapping any `json:"block_device_mapping"`

	glanceProps
}

// glanceQuery is a ListOptsBuilder for filters images.ListOpts cannot
// express: any custom property is a filter in Glance v2
// (?serverimage_uid=…&instance_uuid=…), and ListOpts has no field for one.
type glanceQuery url.Values

func (q glanceQuery) ToImageListQuery() (string, error) {
	return "?" + url.Values(q).Encode(), nil
}

var (
	errTooManyPages = errors.New("the image listing did not end after the page limit; the cloud may ignore the filters or the marker")
	errNotJSON      = errors.New("the image listing is not JSON")
)

func (p *Provider) glanceGetImage(ctx context.Context, s *session, id string) (*cloud.Image, error) {
	var g glanceImage
	if err := images.Get(ctx, s.image, url.PathEscape(id)).ExtractInto(&g); err != nil {
		return nil, p.fail(cloud.OpGetImage, err)
	}
	if g.ID == "" {
		return nil, cloud.Malformed(cloud.OpGetImage, "the image response has no image ID")
	}
	img := g.toImage(s.image.Endpoint)
	return &img, nil
}

func (p *Provider) glanceFindImages(ctx context.Context, s *session, q cloud.FindImagesQuery) ([]cloud.Image, error) {
	filter := url.Values{}
	filter.Set(cloud.IdempotencyMetadataKey, q.IdempotencyKey)
	if q.ServerID != "" {
		filter.Set("instance_uuid", q.ServerID)
	}
	filter.Set("sort", "created_at:desc")
	var out []cloud.Image
	err := p.glanceList(ctx, s, filter, func(g glanceImage) {
		// Re-checked here: a cloud that ignores unknown filters returns
		// every image, and only our key makes an image ours.
		if g.IdempotencyKey != q.IdempotencyKey {
			return
		}
		switch strings.ToLower(g.Status) {
		case "deleted", "pending_delete":
			return
		}
		out = append(out, g.toImage(s.image.Endpoint))
	})
	if err != nil {
		return nil, p.fail(cloud.OpFindImages, err)
	}
	return out, nil
}

func (p *Provider) glanceGetImages(ctx context.Context, s *session, ids []string, out map[string]cloud.Image) error {
	var listable, oneByOne []string
	for _, id := range ids {
		// The in: operator splits on commas and treats quotes specially;
		// such IDs (never UUIDs) are asked for one by one.
		if strings.ContainsAny(id, `,"`) {
			oneByOne = append(oneByOne, id)
		} else {
			listable = append(listable, id)
		}
	}
	for start := 0; start < len(listable); start += batchSize {
		chunk := listable[start:min(start+batchSize, len(listable))]
		wanted := make(map[string]bool, len(chunk))
		for _, id := range chunk {
			wanted[id] = true
		}
		filter := url.Values{}
		filter.Set("id", "in:"+strings.Join(chunk, ","))
		// One more than can match: a page that is exactly full gets a "next"
		// link, and following it would cost an empty second call.
		filter.Set("limit", strconv.Itoa(len(chunk)+1))
		err := p.glanceList(ctx, s, filter, func(g glanceImage) {
			if wanted[g.ID] {
				out[g.ID] = g.toImage(s.image.Endpoint)
			}
		})
		if err != nil {
			ce := p.fail(cloud.OpGetImage, err)
			if cloud.ClassOf(ce) != cloud.ClassInvalid {
				return ce
			}
			// A Glance too old for id=in: answers 400; ask one by one.
			oneByOne = append(oneByOne, chunk...)
		}
	}
	return p.getEach(ctx, oneByOne, out)
}

// glanceList walks every page of a filtered image list.
func (p *Provider) glanceList(ctx context.Context, s *session, filter url.Values, each func(glanceImage)) error {
	pages := 0
	return images.List(s.image, glanceQuery(filter)).EachPage(ctx, func(_ context.Context, page pagination.Page) (bool, error) {
		pages++
		if pages > maxPages {
			return false, errTooManyPages
		}
		ip, ok := page.(images.ImagePage)
		if !ok {
			return false, errNotJSON
		}
		if _, ok := ip.Body.(map[string]any); !ok {
			return false, errNotJSON
		}
		var body struct {
			Images []glanceImage `json:"images"`
		}
		if err := ip.ExtractInto(&body); err != nil {
			return false, err
		}
		for _, g := range body.Images {
			each(g)
		}
		return true, nil
	})
}

func (p *Provider) glanceDeleteImage(ctx context.Context, s *session, id string) error {
	if err := images.Delete(ctx, s.image, url.PathEscape(id)).ExtractErr(); err != nil {
		return p.fail(cloud.OpDeleteImage, err)
	}
	return nil
}

func (g glanceImage) toImage(glanceRoot string) cloud.Image {
	img := g.GlanceImage.Image(absoluteURL(glanceRoot, g.Self))
	img.VolumeSnapshots = cloud.SnapshotsOfMapping(g.BlockDeviceMapping)
	img.ImageProps = g.Props()
	return img
}
