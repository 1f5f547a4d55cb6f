package huawei

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"strings"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
)

// maxMetadataBytes: ECS takes metadata "greater than 0 bytes and less than
// 255 bytes"; read here as per key and per value (unverified whether the
// limit is per item or for the whole object).
const maxMetadataBytes = 254

// CreateImage asks ECS for an image of the server. The name carries the
// key's suffix (names.go) and the metadata the key itself, so that
// FindImages can find the image again after a lost answer.
func (p *Provider) CreateImage(ctx context.Context, req cloud.CreateImageRequest) (string, error) {
	if req.ServerID == "" {
		return "", cloud.Invalid(cloud.OpCreateImage, "no server ID given")
	}
	name, err := cloudImageName(req.Name, req.IdempotencyKey)
	if err != nil {
		return "", cloud.Invalid(cloud.OpCreateImage, err.Error())
	}
	metadata := make(map[string]string, len(req.Metadata)+1)
	maps.Copy(metadata, req.Metadata)
	if req.IdempotencyKey != "" {
		metadata[cloud.IdempotencyMetadataKey] = req.IdempotencyKey
	}
	if err := checkMetadata(metadata); err != nil {
		return "", cloud.Invalid(cloud.OpCreateImage, err.Error())
	}
	u, err := p.serverURL(ctx, req.ServerID, "action")
	if err != nil {
		return "", err
	}
	entity := map[string]any{"name": name}
	if len(metadata) > 0 {
		entity["metadata"] = metadata
	}
	mv := p.s.microversion
	r, err := p.do(ctx, request{
		op: cloud.OpCreateImage, method: http.MethodPost, url: u,
		body: map[string]any{"createImage": entity},
		header: http.Header{
			"X-Openstack-Nova-Api-Version": {mv},
			"Openstack-Api-Version":        {"compute " + mv},
		},
		ok: []int{http.StatusAccepted, http.StatusOK},
	})
	if err != nil {
		return "", err
	}
	return imageIDFromCreate(r)
}

// imageIDFromCreate takes the ID from the body (2.45+) or from Location
// (before 2.45). With neither the image may well exist, so the error is
// transient: the caller looks it up by name before trying again.
func imageIDFromCreate(r *reply) (string, error) {
	var b struct {
		ImageID string `json:"image_id"`
	}
	if len(strings.TrimSpace(string(r.body))) > 0 && json.Unmarshal(r.body, &b) == nil && b.ImageID != "" {
		return b.ImageID, nil
	}
	loc := r.header.Get("Location")
	if loc == "" {
		return "", cloud.Malformed(cloud.OpCreateImage, fmt.Sprintf(
			"createImage was accepted (HTTP %d) but the answer has neither image_id nor Location; the image may exist and is looked up by name", r.status))
	}
	id, err := cloud.ImageIDFromLocation(loc)
	if err != nil {
		return "", &cloud.Error{Class: cloud.ClassTransient, Op: cloud.OpCreateImage, Err: err,
			Message: "createImage was accepted but its Location header names no image; the image may exist and is looked up by name"}
	}
	return id, nil
}

func checkMetadata(m map[string]string) error {
	for k, v := range m {
		switch {
		case len(k) > maxMetadataBytes:
			return fmt.Errorf("metadata key %.40q... is %d bytes; Huawei Cloud ECS accepts less than 255", k, len(k))
		case len(v) > maxMetadataBytes:
			return fmt.Errorf("metadata value of %q is %d bytes; Huawei Cloud ECS accepts less than 255", k, len(v))
		}
	}
	return nil
}
