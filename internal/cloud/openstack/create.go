package openstack

import (
	"context"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"net/url"
	"strings"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/servers"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
)

// maxCreateBody bounds the createImage answer read; it is {"image_id":…}.
const maxCreateBody = 64 << 10

// CreateImage asks Nova for a snapshot, with the idempotency key in the
// image metadata (Nova copies it to the Glance image, where FindImages
// looks for it).
//
// The request is sent through gophercloud but the answer is read here:
// servers.CreateImage only reads the body when Content-Type is exactly
// "application/json", and ExtractImageID fails when the response lacks
// X-OpenStack-Nova-API-Version, which pre-microversion clouds omit.
func (p *Provider) CreateImage(ctx context.Context, req cloud.CreateImageRequest) (string, error) {
	if req.ServerID == "" {
		return "", cloud.Invalid(cloud.OpCreateImage, "no server ID given")
	}
	s, err := p.session(ctx)
	if err != nil {
		return "", err
	}
	mv, err := p.createMicroversion(ctx, s, cloud.OpCreateImage)
	if err != nil {
		return "", err
	}
	compute := *s.compute
	compute.Microversion = mv

	metadata := make(map[string]string, len(req.Metadata)+1)
	maps.Copy(metadata, req.Metadata)
	if req.IdempotencyKey != "" {
		metadata[cloud.IdempotencyMetadataKey] = req.IdempotencyKey
	}
	body, err := servers.CreateImageOpts{Name: req.Name, Metadata: metadata}.ToServerCreateImageMap()
	if err != nil {
		return "", cloud.Invalid(cloud.OpCreateImage, err.Error())
	}
	resp, err := compute.Post(ctx, compute.ServiceURL("servers", url.PathEscape(req.ServerID), "action"), body, nil,
		&gophercloud.RequestOpts{OkCodes: []int{http.StatusAccepted}, KeepResponseBody: true})
	if err != nil {
		return "", cloud.NameSnapshotQuota(p.fail(cloud.OpCreateImage, err))
	}
	defer func() { _ = resp.Body.Close() }()
	// A failed read still leaves the Location header to try: the image
	// exists once Nova has answered 202.
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, maxCreateBody))
	return imageIDFromCreate(resp.Header, raw)
}

// imageIDFromCreate takes the image ID from the body (2.45+) or, failing
// that, from Location (before 2.45, and clouds without microversions).
// With neither, the image may well exist: the error is transient so that
// the caller looks it up by idempotency key before trying again.
func imageIDFromCreate(h http.Header, body []byte) (string, error) {
	var b struct {
		ImageID string `json:"image_id"`
	}
	if len(strings.TrimSpace(string(body))) > 0 && json.Unmarshal(body, &b) == nil && b.ImageID != "" {
		return b.ImageID, nil
	}
	return cloud.CreatedImageID(h.Get("Location"), "neither an image_id nor a Location header")
}
