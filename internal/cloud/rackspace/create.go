package rackspace

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"net/url"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
)

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
