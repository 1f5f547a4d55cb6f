package openstack

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/pagination"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
)

// The Nova images proxy (GET/DELETE {compute}/images/…) is hand-written:
// gophercloud v2 dropped its compute images package. The proxy answers 404
// from microversion 2.36 on, so these calls go through session.compute,
// which never sends a microversion header (2.1 behaviour), whatever the
// Cloud pins for createImage.

type novaImage struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Status string `json:"status"`
	// Progress is read as a number of any form ("50.0" must not fail a
	// whole page) and shown clamped to 0–100 (see percent).
	Progress *float64       `json:"progress"`
	Server   *novaRef       `json:"server"`
	Metadata map[string]any `json:"metadata"`
	Created  string         `json:"created"`
	Updated  string         `json:"updated"`
	Size     *int64         `json:"OS-EXT-IMG-SIZE:size"`
	Links    []novaLink     `json:"links"`
}

type novaRef struct {
	ID string `json:"id"`
}

type novaLink struct {
	Href string `json:"href"`
	Rel  string `json:"rel"`
}

func (p *Provider) novaGetImage(ctx context.Context, s *session, id string) (*cloud.Image, error) {
	var body struct {
		Image novaImage `json:"image"`
	}
	if _, err := s.compute.Get(ctx, s.compute.ServiceURL("images", url.PathEscape(id)), &body, nil); err != nil {
		return nil, p.fail(opGetImage, err)
	}
	if body.Image.ID == "" {
		return nil, malformed(opGetImage, "the image response has no image ID")
	}
	img := body.Image.toImage()
	return &img, nil
}

// novaFindImages lists the server's images (the proxy's server filter) and
// keeps those carrying the key: the proxy cannot filter on metadata.
func (p *Provider) novaFindImages(ctx context.Context, s *session, q cloud.FindImagesQuery) ([]cloud.Image, error) {
	u := s.compute.ServiceURL("images", "detail")
	if q.ServerID != "" {
		u += "?" + url.Values{"server": {q.ServerID}}.Encode()
	}
	var out []cloud.Image
	pages := 0
	pager := pagination.NewPager(s.compute, u, func(r pagination.PageResult) pagination.Page {
		return novaImagePage{LinkedPageBase: pagination.LinkedPageBase{PageResult: r}}
	})
	err := pager.EachPage(ctx, func(_ context.Context, page pagination.Page) (bool, error) {
		pages++
		if pages > maxPages {
			return false, errTooManyPages
		}
		list, err := page.(novaImagePage).images()
		if err != nil {
			return false, err
		}
		for _, n := range list {
			if metaString(n.Metadata, cloud.IdempotencyMetadataKey) != q.IdempotencyKey || strings.EqualFold(n.Status, "DELETED") {
				continue
			}
			out = append(out, n.toImage())
		}
		return true, nil
	})
	if err != nil {
		return nil, p.fail(opFindImages, err)
	}
	return out, nil
}

func (p *Provider) novaDeleteImage(ctx context.Context, s *session, id string) error {
	_, err := s.compute.Delete(ctx, s.compute.ServiceURL("images", url.PathEscape(id)),
		&gophercloud.RequestOpts{OkCodes: []int{http.StatusOK, http.StatusAccepted, http.StatusNoContent}})
	if err != nil {
		return p.fail(opDeleteImage, err)
	}
	return nil
}

// novaImagePage is one page of images/detail; Nova links the next page
// under "images_links".
type novaImagePage struct {
	pagination.LinkedPageBase
}

func (pg novaImagePage) images() ([]novaImage, error) {
	if _, ok := pg.Body.(map[string]any); !ok {
		return nil, errNotJSON
	}
	var b struct {
		Images []novaImage `json:"images"`
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
		Links []novaLink `json:"images_links"`
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

func (n novaImage) toImage() cloud.Image {
	img := cloud.Image{
		ID:             n.ID,
		Name:           n.Name,
		Status:         n.Status,
		Phase:          cloud.NovaImagePhase(n.Status),
		Progress:       percent(n.Progress),
		SizeBytes:      n.Size,
		IdempotencyKey: metaString(n.Metadata, cloud.IdempotencyMetadataKey),
		ServerID:       metaString(n.Metadata, "instance_uuid"),
		CreatedAt:      parseTime(n.Created),
		UpdatedAt:      parseTime(n.Updated),
	}
	if n.Server != nil && n.Server.ID != "" {
		img.ServerID = n.Server.ID
	}
	for _, l := range n.Links {
		if l.Rel == "self" {
			img.URL = l.Href
		}
	}
	return img
}

// metaString reads a metadata value as a string; the proxy's metadata is
// Glance's properties, which are strings, but nothing enforces that.
func metaString(m map[string]any, key string) string {
	if s, ok := m[key].(string); ok {
		return s
	}
	return ""
}
