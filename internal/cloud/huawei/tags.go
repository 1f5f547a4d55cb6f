package huawei

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
)

// IMS tags are key/value pairs, at most 10 per image (key up to 36
// characters, value up to 43), set and removed in batches by
// POST /v2/{project_id}/images/{image_id}/tags/action (idempotent: an
// existing key is overwritten, a missing one deletes as success) and read
// by GET /v2/{project_id}/images/{image_id}/tags (cloud-apis-2.md §3; the
// IMS API reference, "Adding or Deleting Image Tags in Batches"). A spec
// tag "k=v" is key k with value v; a tag without "=" is a key with an
// empty value. Read back, a tag is rendered the same way, so the spec's
// strings compare with the image's.

// Limits of IMS tags.
const (
	maxIMSTags     = 10
	maxIMSTagKey   = 36
	maxIMSTagValue = 43
)

type imsTag struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// parseTag splits a spec tag at its first "=".
func parseTag(tag string) imsTag {
	k, v, _ := strings.Cut(tag, "=")
	return imsTag{Key: k, Value: v}
}

// String renders t as a spec tag.
func (t imsTag) String() string {
	if t.Value == "" {
		return t.Key
	}
	return t.Key + "=" + t.Value
}

func (p *Provider) tagsURL(ctx context.Context, id string) (string, error) {
	project, err := p.projectID(ctx)
	if err != nil {
		return "", err
	}
	return p.s.imsURL + "/v2/" + url.PathEscape(project) + "/images/" + url.PathEscape(id) + "/tags", nil
}

// updateTags removes, then adds, one batch call each. A removal names the
// key only: IMS deletes the key whatever its value.
func (p *Provider) updateTags(ctx context.Context, id string, add, remove []string) error {
	u, err := p.tagsURL(ctx, id)
	if err != nil {
		return err
	}
	for _, batch := range []struct {
		action string
		tags   []string
	}{{"delete", remove}, {"create", add}} {
		if len(batch.tags) == 0 {
			continue
		}
		tags := make([]imsTag, 0, len(batch.tags))
		for _, s := range batch.tags {
			t := parseTag(s)
			if batch.action == "create" {
				if err := checkTag(t); err != nil {
					return err
				}
			}
			tags = append(tags, t)
		}
		body := map[string]any{"action": batch.action, "tags": tags}
		if _, err := p.do(ctx, request{op: cloud.OpUpdateImage, method: http.MethodPost, url: u + "/action", body: body, ok: []int{http.StatusNoContent}}); err != nil {
			return err
		}
	}
	return nil
}

// checkTag refuses, before the call, a tag IMS would answer 400 to.
func checkTag(t imsTag) error {
	switch {
	case t.Key == "":
		return cloud.Invalid(cloud.OpUpdateImage, "Huawei IMS tags need a key: a tag may not start with '='")
	case utf8.RuneCountInString(t.Key) > maxIMSTagKey:
		return cloud.Invalid(cloud.OpUpdateImage, fmt.Sprintf("Huawei IMS tag key %q is longer than %d characters", t.Key, maxIMSTagKey))
	case utf8.RuneCountInString(t.Value) > maxIMSTagValue:
		return cloud.Invalid(cloud.OpUpdateImage, fmt.Sprintf("Huawei IMS tag value of %q is longer than %d characters", t.Key, maxIMSTagValue))
	}
	return nil
}

// readTags lists the image's tags as spec strings.
func (p *Provider) readTags(ctx context.Context, id string) ([]string, error) {
	u, err := p.tagsURL(ctx, id)
	if err != nil {
		return nil, err
	}
	r, err := p.do(ctx, request{op: cloud.OpGetImage, method: http.MethodGet, url: u, ok: []int{http.StatusOK}})
	if err != nil {
		return nil, err
	}
	var body struct {
		Tags []imsTag `json:"tags"`
	}
	if err := json.Unmarshal(r.body, &body); err != nil {
		return nil, cloud.Malformed(cloud.OpGetImage, "the tag list is not JSON: "+err.Error())
	}
	out := make([]string, 0, len(body.Tags))
	for _, t := range body.Tags {
		out = append(out, t.String())
	}
	return out, nil
}
