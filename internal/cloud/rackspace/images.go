package rackspace

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"net/url"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
)

// maxPages stops a listing whose "next" links never end (a cloud that
// ignored the marker would otherwise loop for ever).
const maxPages = 100

// pageSize bounds one page; the API caps it at its own maximum. The
// filters of FindImages leave a handful of images.
const pageSize = "1000"

// GetImage reads one image from the Cloud Servers images API, or from
// Cloud Images when the caller wants its properties (sharing.go).
func (p *Provider) GetImage(ctx context.Context, id string) (*cloud.Image, error) {
	if cloud.ImagePropsWanted(ctx) {
		return p.getImageProps(ctx, id)
	}
	var body struct {
		Image cloud.NovaImage `json:"image"`
	}
	if err := p.getOne(ctx, cloud.OpGetImage, "image", id, &body); err != nil {
		return nil, err
	}
	if body.Image.ID == "" {
		return nil, cloud.Malformed(cloud.OpGetImage, "the image response has no image ID")
	}
	img := body.Image.Image()
	return &img, nil
}

// FindImages returns the images an earlier CreateImage with the same
// idempotency key produced, newest first. The images API filters by server
// and name but not by metadata, so the key is checked here. The key is
// required: without it every snapshot of the server would match, and
// adopting someone else's image is the one thing this must never do.
func (p *Provider) FindImages(ctx context.Context, q cloud.FindImagesQuery) ([]cloud.Image, error) {
	if q.IdempotencyKey == "" {
		return nil, cloud.Invalid(cloud.OpFindImages, "no idempotency key given")
	}
	query := url.Values{"limit": {pageSize}}
	if q.ServerID != "" {
		query.Set("server", q.ServerID)
	}
	if q.Name != "" {
		query.Set("name", q.Name)
	}
	var out []cloud.Image
	err := p.listImages(ctx, cloud.OpFindImages, query, func(im cloud.NovaImage) bool {
		if im.CreatedWith(q.IdempotencyKey) {
			out = append(out, im.Image())
		}
		return true
	})
	if err != nil {
		return nil, err
	}
	cloud.SortNewestFirst(out)
	return out, nil
}

// listImages pages through images/detail with query, handing every image
// to each until it returns false.
func (p *Provider) listImages(ctx context.Context, op string, query url.Values, each func(cloud.NovaImage) bool) error {
	query = maps.Clone(query)
	for page := 0; page < maxPages; page++ {
		res, err := p.call(ctx, op, http.MethodGet, "images/detail", query, nil, readOK...)
		if err != nil {
			return err
		}
		var body struct {
			Images []cloud.NovaImage `json:"images"`
			Links  []cloud.NovaLink  `json:"images_links"`
		}
		if err := p.decode(op, res, &body); err != nil {
			return err
		}
		for _, im := range body.Images {
			if !each(im) {
				return nil
			}
		}
		marker := nextMarker(body.Links)
		if marker == "" || len(body.Images) == 0 {
			return nil
		}
		query.Set("marker", marker)
	}
	return cloud.Malformed(op, fmt.Sprintf("the image list did not end after %d pages; the cloud ignores the paging marker", maxPages))
}

// nextMarker takes the marker from the "next" link. Only the marker is
// used, with this driver's own URL: the link's host is the cloud's to
// choose, and the token must not follow it anywhere else.
func nextMarker(links []cloud.NovaLink) string {
	for _, l := range links {
		if l.Rel != "next" {
			continue
		}
		if u, err := url.Parse(l.Href); err == nil {
			return u.Query().Get("marker")
		}
	}
	return ""
}

// DeleteImage deletes the image; one that is already gone is not an error.
func (p *Provider) DeleteImage(ctx context.Context, id string) error {
	if id == "" {
		return cloud.Invalid(cloud.OpDeleteImage, "no image ID given")
	}
	_, err := p.call(ctx, cloud.OpDeleteImage, http.MethodDelete, "images/"+url.PathEscape(id), nil, nil,
		http.StatusNoContent, http.StatusOK, http.StatusAccepted)
	if cloud.IsNotFound(err) {
		return nil
	}
	return err
}

// createImageBody is the createImage action. The API reference marks
// metadata as required, so it is always sent, empty or not.
type createImageBody struct {
	CreateImage struct {
		Name     string            `json:"name"`
		Metadata map[string]string `json:"metadata"`
	} `json:"createImage"`
}

// CreateImage asks Cloud Servers for an image of the server, with the
// idempotency key in the image metadata (FindImages looks for it there).
// The answer is 202 with an empty body; the image's URL is in Location.
func (p *Provider) CreateImage(ctx context.Context, req cloud.CreateImageRequest) (string, error) {
	if req.ServerID == "" {
		return "", cloud.Invalid(cloud.OpCreateImage, "no server ID given")
	}
	if req.Name == "" {
		return "", cloud.Invalid(cloud.OpCreateImage, "no image name given")
	}
	metadata := make(map[string]string, len(req.Metadata)+1)
	maps.Copy(metadata, req.Metadata)
	if req.IdempotencyKey != "" {
		metadata[cloud.IdempotencyMetadataKey] = req.IdempotencyKey
	}
	// Checked here, before any call: the cloud's own refusal comes late
	// (after the server checks) and in a shape that is not verified.
	if len(metadata) > p.s.maxImageMeta {
		return "", cloud.Invalid(cloud.OpCreateImage, fmt.Sprintf(
			"the image would carry %d metadata items (spec.metadata plus the operator's %s key) but Rackspace allows at most %d per image (absolute limit maxImageMeta); remove at least %d entries from spec.metadata",
			len(metadata), cloud.IdempotencyMetadataKey, p.s.maxImageMeta, len(metadata)-p.s.maxImageMeta))
	}
	var body createImageBody
	body.CreateImage.Name = req.Name
	body.CreateImage.Metadata = metadata

	res, err := p.call(ctx, cloud.OpCreateImage, http.MethodPost, "servers/"+url.PathEscape(req.ServerID)+"/action", nil, body, http.StatusAccepted)
	if err != nil {
		return "", err
	}
	// Only Location carries the ID: Cloud Servers has no microversions,
	// so never the 2.45 body.
	return cloud.CreatedImageID(res.header.Get("Location"), "no Location header")
}
