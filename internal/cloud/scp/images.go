package scp

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
)

// scpImage is the part of an image (ImageShowResponse: Glance-shaped) this
// driver reads. status is a plain string whose values SCP does not
// publish; the example says "active".
type scpImage struct {
	ID        string  `json:"id"`
	Name      string  `json:"name"`
	Status    *string `json:"status"`
	Size      *int64  `json:"size"`
	Checksum  *string `json:"checksum"`
	URL       *string `json:"url"`
	CreatedAt string  `json:"created_at"`
	UpdatedAt string  `json:"updated_at"`
	// InstanceUUID is Nova's snapshot property; SCP documents no such
	// field, so it is read only in case the gateway passes it through.
	InstanceUUID string `json:"instance_uuid"`

	scpProps
}

// imageList is ImageListResponse, the answer of both image lists. Images
// is nil when the key is missing, which tells an image list from any other
// JSON object.
type imageList struct {
	Images []scpImage `json:"images"`
}

// pageSize is the limit asked of /v1/images (SCP allows 1 to 1000);
// maxPages stops a listing that never ends (a cloud ignoring the marker).
const (
	pageSize = 100
	maxPages = 100
)

// GetImage reads one image. A 404 is confirmed first (checkNotFound):
// after a create it means the snapshot failed, and that must not be
// concluded from a credential problem.
func (p *Provider) GetImage(ctx context.Context, id string) (*cloud.Image, error) {
	img, err := getOne(ctx, p, cloud.OpGetImage, "image", id, func(i scpImage) string { return i.ID })
	if err != nil {
		return nil, err
	}
	out := img.toImage()
	return &out, nil
}

// FindImages returns the images an earlier CreateImage with the same key
// made, newest first: those named exactly name+suffix. Two lists are read
// because an image that is still being built may be listed only under
// /v1/pending-images (which filters by nothing but image type), and a lost
// response is most likely to leave exactly such an image behind.
func (p *Provider) FindImages(ctx context.Context, q cloud.FindImagesQuery) ([]cloud.Image, error) {
	name, ok, err := cloud.KeyedImageName(q, cloudImageName)
	if !ok {
		return nil, err
	}
	found := map[string]cloud.Image{}
	keep := func(img scpImage) {
		if img.Name != name {
			// Re-checked here: a cloud that ignores the name filter lists
			// everything, and only the exact name makes an image ours.
			return
		}
		switch strings.ToLower(statusOf(img)) {
		case "deleted", "pending_delete":
			return
		}
		out := img.toImage()
		out.IdempotencyKey = q.IdempotencyKey
		found[img.ID] = out
	}
	if err := p.listImages(ctx, url.Values{"name": {name}}, keep); err != nil {
		return nil, listNotFound(cloud.OpFindImages, err)
	}
	var pending imageList
	if err := p.call(ctx, cloud.OpFindImages, http.MethodGet, "/v1/pending-images", nil, nil, &pending); err != nil {
		return nil, listNotFound(cloud.OpFindImages, err)
	}
	for _, img := range pending.Images {
		keep(img)
	}
	out := make([]cloud.Image, 0, len(found))
	for _, img := range found {
		out = append(out, img)
	}
	cloud.SortNewestFirst(out)
	return out, nil
}

// listImages walks /v1/images with marker pagination. SCP's list has no
// "next" link: a full page means there may be another.
func (p *Provider) listImages(ctx context.Context, filter url.Values, each func(scpImage)) error {
	q := url.Values{}
	for k, v := range filter {
		q[k] = v
	}
	q.Set("limit", strconv.Itoa(pageSize))
	for range maxPages {
		var page imageList
		if err := p.call(ctx, cloud.OpFindImages, http.MethodGet, "/v1/images", q, nil, &page); err != nil {
			return err
		}
		for _, img := range page.Images {
			each(img)
		}
		if len(page.Images) < pageSize {
			return nil
		}
		last := page.Images[len(page.Images)-1].ID
		if last == "" || last == q.Get("marker") {
			return nil
		}
		q.Set("marker", last)
	}
	return cloud.Malformed(cloud.OpFindImages, "the image listing did not end after "+strconv.Itoa(maxPages)+" pages; the cloud may ignore the name filter or the marker")
}

// DeleteImage deletes the image; one that is already gone is not an error.
// A 409 (the image is in use or still being built) is retried by the
// caller.
func (p *Provider) DeleteImage(ctx context.Context, id string) error {
	if id == "" {
		return cloud.Invalid(cloud.OpDeleteImage, "no image ID given")
	}
	err := p.call(ctx, cloud.OpDeleteImage, http.MethodDelete, "/v1/images/"+url.PathEscape(id), nil, nil, nil)
	if err == nil {
		return nil
	}
	err = p.checkNotFound(ctx, cloud.OpDeleteImage, err)
	if cloud.IsNotFound(err) {
		return nil
	}
	return err
}

func statusOf(img scpImage) string {
	if img.Status == nil {
		return ""
	}
	return *img.Status
}

func (img scpImage) toImage() cloud.Image {
	status := statusOf(img)
	out := cloud.Image{
		ID:     img.ID,
		Name:   img.Name,
		Status: status,
		// SCP does not publish its image statuses; the image is Glance's
		// underneath, so Glance's are used. "queued" is the first state of
		// every snapshot and is not a failure (Samsung's Terraform provider
		// treats it as one, which would fail every new image).
		Phase:     cloud.GlancePhase(status),
		ServerID:  img.InstanceUUID,
		CreatedAt: cloud.ParseTime(img.CreatedAt),
		UpdatedAt: cloud.ParseTime(img.UpdatedAt),
	}
	out.ImageProps = img.props()
	if img.Size != nil && *img.Size > 0 {
		size := *img.Size
		out.SizeBytes = &size
	}
	if img.Checksum != nil {
		out.Checksum = *img.Checksum
	}
	if img.URL != nil {
		out.URL = *img.URL
	}
	return out
}
