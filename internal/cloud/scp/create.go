package scp

import (
	"context"
	"net/http"
	"net/url"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
)

// errMetadata is the answer to a request with metadata: SCP's createImage
// body has one field, image_name, so metadata would be lost silently.
const errMetadata = "Samsung Cloud Platform images take no metadata; remove spec.metadata"

// CreateImage asks SCP for an image of the server, named with the
// idempotency suffix (see names.go). Everything that can be checked
// locally is checked before the request is sent, so a request that cannot
// succeed never reaches the cloud.
func (p *Provider) CreateImage(ctx context.Context, req cloud.CreateImageRequest) (string, error) {
	if len(req.Metadata) > 0 {
		return "", cloud.Invalid(cloud.OpCreateImage, errMetadata)
	}
	if req.ServerID == "" {
		return "", cloud.Invalid(cloud.OpCreateImage, "no server ID given")
	}
	name, err := cloudImageName(req.Name, req.IdempotencyKey)
	if err != nil {
		return "", cloud.Invalid(cloud.OpCreateImage, err.Error())
	}
	var out struct {
		ImageID string `json:"image_id"`
	}
	err = p.call(ctx, cloud.OpCreateImage, http.MethodPost, "/v1/servers/"+url.PathEscape(req.ServerID)+"/images", nil,
		map[string]string{"image_name": name}, &out)
	if err != nil {
		return "", p.checkNotFound(ctx, cloud.OpCreateImage, err)
	}
	if out.ImageID == "" {
		// Accepted means the image may well exist: transient, so that the
		// caller looks it up by name before trying again.
		return "", cloud.Malformed(cloud.OpCreateImage, "createImage was accepted but the response has no image_id; the image may exist, look it up by name "+name)
	}
	return out.ImageID, nil
}
