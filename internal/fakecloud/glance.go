package fakecloud

import (
	"net/http"
	"strings"
)

// Glance v2 front, mounted at /image (the catalog URL is unversioned and
// clients append /v2, as with a real Glance).

// glanceTime is Glance's timestamp format.
const glanceTime = "2006-01-02T15:04:05Z"

// glanceVersions are advertised in the version documents, newest first.
var glanceVersions = []struct{ id, status string }{
	{"v2.17", "CURRENT"}, {"v2.16", "SUPPORTED"}, {"v2.15", "SUPPORTED"},
	{"v2.9", "SUPPORTED"}, {"v2.7", "SUPPORTED"}, {"v2.6", "SUPPORTED"},
	{"v2.5", "SUPPORTED"}, {"v2.4", "SUPPORTED"}, {"v2.3", "SUPPORTED"},
	{"v2.2", "SUPPORTED"}, {"v2.1", "SUPPORTED"}, {"v2.0", "SUPPORTED"},
}

func (c *Cloud) glanceRoutes(w http.ResponseWriter, r *http.Request, rest string) {
	trimmed := strings.Trim(rest, "/")
	var segs []string
	if trimmed != "" {
		segs = strings.Split(trimmed, "/")
	}
	get, del := r.Method == http.MethodGet, r.Method == http.MethodDelete
	switch {
	case len(segs) == 0 || (len(segs) == 1 && segs[0] == "versions"):
		c.serve(w, r, call{op: OpImageVersions, dialect: dialectGlance}, func(w http.ResponseWriter, r *http.Request) {
			// The unversioned root answers 300 Multiple Choices, /versions 200.
			status := http.StatusMultipleChoices
			if len(segs) == 1 {
				status = http.StatusOK
			}
			writeJSON(w, status, map[string]any{"versions": c.glanceVersionList()})
		})
	case len(segs) == 2 && segs[0] == "v2" && segs[1] == "images" && get:
		c.serve(w, r, call{op: OpListImages, serverID: r.URL.Query().Get("instance_uuid"), dialect: dialectGlance},
			c.glanceHandler(c.glanceList))
	case len(segs) == 3 && segs[0] == "v2" && segs[1] == "images" && (get || del):
		c.serveImage(w, r, dialectGlance, segs[2], del, c.glanceHandler, c.glanceGet, c.glanceDelete)
	case len(segs) >= 3 && segs[0] == "v2" && segs[1] == "images" && c.glancePropsRoutes(w, r, segs[2:]):
	default:
		c.serveNotFound(w, r, dialectGlance)
	}
}

func (c *Cloud) glanceVersionList() []any {
	out := make([]any, 0, len(glanceVersions))
	for _, v := range glanceVersions {
		out = append(out, map[string]any{
			"id":     v.id,
			"status": v.status,
			"links":  []any{map[string]any{"rel": "self", "href": c.URL() + "/image/v2/"}},
		})
	}
	return out
}

// glanceHandler requires a valid token before h runs.
func (c *Cloud) glanceHandler(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if _, ok := c.authenticate(w, r, dialectGlance); !ok {
			return
		}
		h(w, r)
	}
}

// nullIfEmpty renders unset Glance fields as JSON null, as Glance does for
// size, checksum and formats before the upload.
func nullIfEmpty[T comparable](v T) any {
	var zero T
	if v == zero {
		return nil
	}
	return v
}

// glanceImageBody renders an image as Glance v2 does: core fields plus
// every custom property as a top-level string field.
func glanceImageBody(img Image) map[string]any {
	body := make(map[string]any, len(img.Properties)+24)
	for k, v := range img.Properties {
		body[k] = v
	}
	for k, v := range glanceCoreFields(img) {
		body[k] = v
	}
	body["self"] = "/v2/images/" + img.ID
	body["schema"] = "/v2/schemas/image"
	body["tags"] = img.tags()
	return body
}

// glanceCoreFields are the fields of Glance's image schema, which SCP's
// image API shows too.
func glanceCoreFields(img Image) map[string]any {
	return map[string]any{
		"id":               img.ID,
		"name":             img.Name,
		"status":           img.Status,
		"visibility":       img.visibility(),
		"owner":            img.Owner,
		"size":             nullIfEmpty(img.Size),
		"virtual_size":     nil,
		"checksum":         nullIfEmpty(img.Checksum),
		"os_hash_algo":     nullIfEmpty(img.HashAlgo),
		"os_hash_value":    nullIfEmpty(img.HashValue),
		"container_format": nullIfEmpty(img.ContainerFormat),
		"disk_format":      nullIfEmpty(img.DiskFormat),
		"min_disk":         img.MinDisk,
		"min_ram":          img.MinRAM,
		"protected":        img.Protected,
		"os_hidden":        false,
		"created_at":       img.CreatedAt.UTC().Format(glanceTime),
		"updated_at":       img.UpdatedAt.UTC().Format(glanceTime),
		"file":             "/v2/images/" + img.ID + "/file",
	}
}

func (c *Cloud) glanceGet(w http.ResponseWriter, id string) {
	img, ok := c.store.image(id)
	if !ok {
		writeError(w, dialectGlance, http.StatusNotFound, "No image found with ID "+id, "")
		return
	}
	writeJSON(w, http.StatusOK, glanceImageBody(img))
}

func (c *Cloud) glanceDelete(w http.ResponseWriter, id string) {
	if img, ok := c.store.image(id); ok && img.Protected {
		writeError(w, dialectGlance, http.StatusForbidden, "Image "+id+" is protected and cannot be deleted.", "")
		return
	}
	if !c.store.deleteImage(id) {
		writeError(w, dialectGlance, http.StatusNotFound, "Failed to find image "+id+" to delete", "")
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
