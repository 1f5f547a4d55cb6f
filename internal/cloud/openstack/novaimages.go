package openstack

import (
	"context"
	"net/http"
	"net/url"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/pagination"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
)

// The Nova images proxy (GET/DELETE {compute}/images/…) is hand-written:
// gophercloud v2 dropped its compute images package. The proxy answers 404
// from microversion 2.36 on, so these calls go through session.compute,
// which never sends a microversion header (2.1 behaviour), whatever the
// Cloud pins for createImage.

func (p *Provider) novaGetImage(ctx context.Context, s *session, id string) (*cloud.Image, error) {
	var body struct {
		Image cloud.NovaImage `json:"image"`
	}
	if _, err := s.compute.Get(ctx, s.compute.ServiceURL("images", url.PathEscape(id)), &body, nil); err != nil {
		return nil, p.fail(cloud.OpGetImage, err)
	}
	if body.Image.ID == "" {
		return nil, cloud.Malformed(cloud.OpGetImage, "the image response has no image ID")
	}
	img := body.Image.Image()
	return &img, nil
}

// novaFindImages lists the server's images (the proxy's server filter) and
// keeps those carrying the key: the proxy cannot filter on metadata.
func (p *Provider) novaFindImages(ctx context.Context, s *session, q cloud.FindImagesQuery) ([]cloud.Image, error) {
	filter := url.Values{}
	if q.ServerID != "" {
		filter.Set("server", q.ServerID)
	}
	var out []cloud.Image
	err := p.novaList(ctx, s, filter, func(n cloud.NovaImage) {
		if n.CreatedWith(q.IdempotencyKey) {
			out = append(out, n.Image())
		}
	})
	if err != nil {
		return nil, p.fail(cloud.OpFindImages, err)
	}
	return out, nil
}

// novaList walks every page of a filtered images/detail list.
func (p *Provider) novaList(ctx context.Context, s *session, filter url.Values, each func(cloud.NovaImage)) error {
	u := s.compute.ServiceURL("images", "detail")
	if len(filter) > 0 {
		u += "?" + filter.Encode()
	}
	pages := 0
	pager := pagination.NewPager(s.compute, u, func(r pagination.PageResult) pagination.Page {
		return novaImagePage{LinkedPageBase: pagination.LinkedPageBase{PageResult: r}}
	})
	return pager.EachPage(ctx, func(_ context.Context, page pagination.Page) (bool, error) {
		pages++
		if pages > maxPages {
			return false, errTooManyPages
		}
		list, err := page.(novaImagePage).images()
		if err != nil {
			return false, err
		}
		for _, n := range list {
			each(n)
		}
		return true, nil
	})
}

func (p *Provider) novaDeleteImage(ctx context.Context, s *session, id string) error {
	_, err := s.compute.Delete(ctx, s.compute.ServiceURL("images", url.PathEscape(id)),
		&gophercloud.RequestOpts{OkCodes: []int{http.StatusOK, http.StatusAccepted, http.StatusNoContent}})
	if err != nil {
		return p.fail(cloud.OpDeleteImage, err)
	}
	return nil
}

// novaImagePage is one page of images/detail; Nova links the next page
// under "images_links".
type novaImagePage struct {
	pagination.LinkedPageBase
}

func (pg novaImagePage) images() ([]cloud.NovaImage, error) {
	if _, ok := pg.Body.(map[string]any); !ok {
		return nil, errNotJSON
	}
	var b struct {
		Images []cloud.NovaImage `json:"images"`
	}
	err := pg.ExtractInto(&b)
	return b.Images, err
}

func (pg novaImagePage) IsEmpty() (bool, error) {
	list, err := pg.images()
	return len(list) == 0, err
}

func (pg novaImagePage) NextPageURL() (string, error) {
	var b struct {
		Links []cloud.NovaLink `json:"images_links"`
	}
	if err := pg.ExtractInto(&b); err != nil {
		return "", err
	}
	for _, l := range b.Links {
		if l.Rel == "next" {
			return l.Href, nil
		}
	}
	return "", nil
}
