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
	if cloud.ImagePropsWanted(ctx) {
		// Tags are in their own API (sharing.go); visibility and protection
		// are not kept, so only the tags count.
		if out.Tags, err = p.readTags(ctx, img.ID); err != nil {
			return nil, err
		}
		out.PropsKnown = true
	}
	return &out, nil
}

// FindImages returns the images an earlier CreateImage with the same key
// produced, newest first. IMS is asked for the exact suffixed name
// (GET /v2/cloudimages?name=); whether it filters on custom properties is
// unverified, so the name is what finds the image. Each hit is re-checked:
// same name, and the key and server where IMS shows them.
func (p *Provider) FindImages(ctx context.Context, q cloud.FindImagesQuery) ([]cloud.Image, error) {
	name, ok, err := cloud.KeyedImageName(q, cloudImageName)
	if !ok {
		return nil, err
	}
	query := url.Values{"__imagetype": {"private"}, "name": {name}}
	var out []cloud.Image
	err = p.listImages(ctx, cloud.OpFindImages, query, func(img imsImage) {
		if img.matches(name, q) {
			out = append(out, img.toImage(p.imageURL(img.ID)))
		}
	})
	if err != nil {
		return nil, err
	}
	cloud.SortNewestFirst(out)
	return out, nil
}

// listImages walks every page of a filtered /v2/cloudimages list: IMS
// answers with no link to the next page, so the last ID of a full page is
// the next marker, until a page comes back short.
func (p *Provider) listImages(ctx context.Context, op string, query url.Values, each func(imsImage)) error {
	query.Set("limit", strconv.Itoa(imsPageLimit))
	for page := 0; ; page++ {
		if page == maxPages {
			return cloud.Malformed(op, "the image listing did not end after 100 pages; the cloud may ignore the filter or the marker")
		}
		r, err := p.do(ctx, request{op: op, method: http.MethodGet, url: p.s.imsURL + "/v2/cloudimages", query: query, ok: []int{http.StatusOK}})
		if err != nil {
			return err
		}
		var list struct {
			Images []imsImage `json:"images"`
		}
		if err := json.Unmarshal(r.body, &list); err != nil {
			return p.transportError(op, err)
		}
		for _, img := range list.Images {
			each(img)
		}
		marker, more := nextMarker(list.Images, imsPageLimit)
		if !more {
			return nil
		}
		if marker == "" || marker == query.Get("marker") {
			return cloud.Malformed(op, "a full image page ends with an image the listing cannot continue from (no ID, or the marker itself)")
		}
		query.Set("marker", marker)
	}
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
