package fakecloud

import (
	"errors"
	"net/http"
	"slices"
	"strings"
	"unicode/utf8"
)

// IMS key/value image tags: POST /v2/{project_id}/images/{image_id}/tags/action
// {"action":"create"|"delete","tags":[{"key","value"}]} → 204 (create
// overwrites an existing key; deleting a missing key succeeds; at most 10
// tags per image, key ≤36 and value ≤43 characters, else 400), and
// GET /v2/{project_id}/images/{image_id}/tags → {"tags":[…]}. The store
// keeps a tag as "key=value", or "key" when the value is empty.

// OpListTags reads an image's IMS tags (tag changes count as OpImageTag).
const OpListTags Op = "listTags"

const imsMaxTags = 10

// imsTagRoutes serves the tag paths; segs is the whole path. It reports
// false for any other.
func (c *Cloud) imsTagRoutes(w http.ResponseWriter, r *http.Request, segs []string) bool {
	if len(segs) < 5 || segs[0] != "v2" || segs[2] != "images" || segs[4] != "tags" {
		return false
	}
	id := segs[3]
	var op Op
	var h func(http.ResponseWriter, *http.Request, huaweiCaller)
	switch {
	case len(segs) == 5 && r.Method == http.MethodGet:
		op, h = OpListTags, func(w http.ResponseWriter, _ *http.Request, _ huaweiCaller) { c.imsListTags(w, id) }
	case len(segs) == 6 && segs[5] == "action" && r.Method == http.MethodPost:
		op, h = OpImageTag, func(w http.ResponseWriter, r *http.Request, _ huaweiCaller) { c.imsTagAction(w, r, id) }
	default:
		return false
	}
	img, _ := c.store.image(id)
	c.serve(w, r, call{op: op, serverID: img.ServerID, dialect: dialectHuaweiIMS}, c.huaweiGateway(h))
	return true
}

type imsTagBody struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

func imsTagKey(tag string) string {
	k, _, _ := strings.Cut(tag, "=")
	return k
}

func (c *Cloud) imsListTags(w http.ResponseWriter, id string) {
	if img, ok := c.imsImage(w, id); ok {
		writeJSON(w, http.StatusOK, map[string]any{"tags": imsTagList(img.tags())})
	}
}

// imsTagList renders stored tags as IMS key/value pairs.
func imsTagList(tags []string) []imsTagBody {
	out := make([]imsTagBody, 0, len(tags))
	for _, t := range tags {
		k, v, _ := strings.Cut(t, "=")
		out = append(out, imsTagBody{Key: k, Value: v})
	}
	return out
}

func (c *Cloud) imsTagAction(w http.ResponseWriter, r *http.Request, id string) {
	var body struct {
		Action string       `json:"action"`
		Tags   []imsTagBody `json:"tags"`
	}
	if err := readJSONBody(r, &body); err != nil || (body.Action != "create" && body.Action != "delete") || len(body.Tags) == 0 {
		writeError(w, dialectHuaweiIMS, http.StatusBadRequest, "Invalid request: action must be create or delete, with tags.", "")
		return
	}
	for _, t := range body.Tags {
		if t.Key == "" || (body.Action == "create" && (utf8.RuneCountInString(t.Key) > 36 || utf8.RuneCountInString(t.Value) > 43)) {
			writeError(w, dialectHuaweiIMS, http.StatusBadRequest, "Invalid tag "+t.Key+": key 1-36 characters, value at most 43.", "")
			return
		}
	}
	_, err := c.store.updateImage(id, func(img *Image) error {
		tags := slices.Clone(img.Tags)
		for _, t := range body.Tags {
			tags = slices.DeleteFunc(tags, func(s string) bool { return imsTagKey(s) == t.Key })
			if body.Action == "create" {
				s := t.Key
				if t.Value != "" {
					s += "=" + t.Value
				}
				tags = append(tags, s)
			}
		}
		if len(tags) > imsMaxTags {
			return errTooManyTags
		}
		slices.Sort(tags)
		img.Tags = tags
		return nil
	})
	switch {
	case errors.Is(err, errTooManyTags):
		writeError(w, dialectHuaweiIMS, http.StatusBadRequest, "An image can have at most 10 tags.", "")
	case err != nil:
		writeError(w, dialectHuaweiIMS, http.StatusNotFound, "Image "+id+" could not be found.", "")
	default:
		w.WriteHeader(http.StatusNoContent)
	}
}
