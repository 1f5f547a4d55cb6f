package huawei

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
)

// IMS pages /v2/cloudimages with limit and marker (the last image ID of
// the page before) and gives no link to the next page: a page shorter
// than the limit is the last. The limit is sent so that "short" is
// measured against a known size; 500 is IMS's default.
const (
	imsPageLimit = 500
	// maxPages stops a listing that never returns a short page.
	maxPages = 100
)

// GetImage reads one image from IMS (GET /v2/images/{id}, the Glance-style
// API, which the IMS docs now mark as "discarded" but still list).
func (p *Provider) GetImage(ctx context.Context, id string) (*cloud.Image, error) {
	if id == "" {
		return nil, cloud.Invalid(cloud.OpGetImage, "no image ID given")
	}
	r, err := p.do(ctx, request{op: cloud.OpGetImage, method: http.MethodGet, url: p.imageURL(id), ok: []int{http.StatusOK}})
	if err != nil {
		return nil, err
	}
	var img imsImage
	if err := json.Unmarshal(r.body, &img); err != nil {
		return nil, p.transportError(cloud.OpGetImage, err)
	}
	if img.ID == "" {
		return nil, cloud.Malformed(cloud.OpGetImage, "the image response has no image ID")
	}
	out := img.toImage(p.imageURL(img.ID))
	return &out, nil
}

// FindImages returns the images an earlier CreateImage with the same key
// produced, newest first. IMS is asked for the exact suffixed name
// (GET /v2/cloudimages?name=); whether it filters on custom properties is
// unverified, so the name is what finds the image. Each hit is re-checked:
// same name, and the key and server where IMS shows them.
func (p *Provider) FindImages(ctx context.Context, q cloud.FindImagesQuery) ([]cloud.Image, error) {
	if q.IdempotencyKey == "" {
		return nil, cloud.Invalid(cloud.OpFindImages, "no idempotency key given")
	}
	name, err := cloudImageName(q.Name, q.IdempotencyKey)
	if err != nil {
		// CreateImage refuses such a name, so no image can carry it.
		return nil, nil
	}
	query := url.Values{"__imagetype": {"private"}, "name": {name}, "limit": {strconv.Itoa(imsPageLimit)}}
	var out []cloud.Image
	for page := 0; ; page++ {
		if page == maxPages {
			return nil, cloud.Malformed(cloud.OpFindImages, "the image listing did not end after 100 pages; the cloud may ignore the name filter or the marker")
		}
		r, err := p.do(ctx, request{op: cloud.OpFindImages, method: http.MethodGet, url: p.s.imsURL + "/v2/cloudimages", query: query, ok: []int{http.StatusOK}})
		if err != nil {
			return nil, err
		}
		var list struct {
			Images []imsImage `json:"images"`
		}
		if err := json.Unmarshal(r.body, &list); err != nil {
			return nil, p.transportError(cloud.OpFindImages, err)
		}
		for _, img := range list.Images {
			if img.matches(name, q) {
				out = append(out, img.toImage(p.imageURL(img.ID)))
			}
		}
		marker, more := nextMarker(list.Images, imsPageLimit)
		if !more {
			break
		}
		if marker == "" || marker == query.Get("marker") {
			return nil, cloud.Malformed(cloud.OpFindImages, "a full image page ends with an image the listing cannot continue from (no ID, or the marker itself)")
		}
		query.Set("marker", marker)
	}
	cloud.SortNewestFirst(out)
	return out, nil
}

// nextMarker tells whether a page of limit images may have a successor,
// and the marker to ask for it with: the page's last image ID.
func nextMarker(page []imsImage, limit int) (string, bool) {
	if len(page) == 0 || len(page) < limit {
		return "", false
	}
	return page[len(page)-1].ID, true
}

// DeleteImage deletes the image through IMS; one already gone is not an
// error. The snapshots ECS stored the image in are not deleted with it
// (a documented ECS constraint).
func (p *Provider) DeleteImage(ctx context.Context, id string) error {
	if id == "" {
		return cloud.Invalid(cloud.OpDeleteImage, "no image ID given")
	}
	_, err := p.do(ctx, request{op: cloud.OpDeleteImage, method: http.MethodDelete, url: p.imageURL(id),
		ok: []int{http.StatusNoContent, http.StatusOK, http.StatusAccepted}})
	if cloud.IsNotFound(err) {
		return nil
	}
	return err
}

func (p *Provider) imageURL(id string) string {
	return p.s.imsURL + "/v2/images/" + url.PathEscape(id)
}

// matches re-checks a listed image against the query: the exact name (a
// cloud that ignores the filter returns everything), not deleted, and the
// key and server when the image carries them.
func (img imsImage) matches(name string, q cloud.FindImagesQuery) bool {
	switch {
	case img.ID == "" || img.Name != name:
		return false
	case img.IdempotencyKey != "" && img.IdempotencyKey != q.IdempotencyKey:
		return false
	case img.InstanceUUID != "" && q.ServerID != "" && img.InstanceUUID != q.ServerID:
		return false
	}
	switch strings.ToLower(img.Status) {
	case "deleted", "pending_delete":
		return false
	}
	return true
}
