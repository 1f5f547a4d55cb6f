package fakecloud

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Nova's images proxy (GET/DELETE /images/{id}, GET /images[/detail]),
// which renders Glance images in Nova's older shape. Nova removed it in
// microversion 2.36; the legacy /v2 API and Rackspace-style clouds still
// use it.

const novaImagesMaxMinor = 35

// novaImageStatus maps a Glance status to the proxy's status and progress
// (nova/api/openstack/compute/views/images.py). Statuses Nova does not know
// become UNKNOWN, which is not necessarily terminal.
func novaImageStatus(glance string) (string, int) {
	switch glance {
	case StatusActive:
		return "ACTIVE", 100
	case StatusQueued:
		return "SAVING", 25
	case StatusSaving:
		return "SAVING", 50
	case StatusDeleted, StatusPendingDelete:
		return "DELETED", 0
	case StatusKilled:
		return "ERROR", 0
	}
	return "UNKNOWN", 0
}

// novaImagesGone answers 404 from 2.36 on, when the proxy no longer exists.
func novaImagesGone(w http.ResponseWriter, nr novaReq) bool {
	if nr.minor > novaImagesMaxMinor {
		writeError(w, dialectNova, http.StatusNotFound, "The resource could not be found.", "")
		return true
	}
	return false
}

func (c *Cloud) novaImageLinks(nr novaReq, id string) []any {
	return []any{
		map[string]any{"rel": "self", "href": nr.base + "/images/" + id},
		map[string]any{"rel": "bookmark", "href": nr.base + "/images/" + id},
		map[string]any{"rel": "alternate", "type": "application/vnd.openstack.image", "href": c.URL() + "/image/images/" + id},
	}
}

func (c *Cloud) novaImageBody(nr novaReq, img Image) map[string]any {
	status, progress := novaImageStatus(img.Status)
	var size any
	if img.Size > 0 {
		size = img.Size
	}
	body := map[string]any{
		"id":                   img.ID,
		"name":                 img.Name,
		"status":               status,
		"progress":             progress,
		"minDisk":              img.MinDisk,
		"minRam":               img.MinRAM,
		"created":              img.CreatedAt.UTC().Format(novaTime),
		"updated":              img.UpdatedAt.UTC().Format(novaTime),
		"metadata":             img.Properties,
		"OS-EXT-IMG-SIZE:size": size,
		"links":                c.novaImageLinks(nr, img.ID),
	}
	if sid := img.Properties["instance_uuid"]; sid != "" {
		body["server"] = map[string]any{"id": sid, "links": []any{
			map[string]any{"rel": "self", "href": nr.base + "/servers/" + sid},
			map[string]any{"rel": "bookmark", "href": nr.base + "/servers/" + sid},
		}}
	}
	return body
}

func (c *Cloud) novaGetImage(w http.ResponseWriter, nr novaReq, id string) {
	if novaImagesGone(w, nr) {
		return
	}
	img, ok := c.store.image(id)
	if !ok {
		writeError(w, dialectNova, http.StatusNotFound, "Image not found.", "")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"image": c.novaImageBody(nr, img)})
}

func (c *Cloud) novaDeleteImage(w http.ResponseWriter, nr novaReq, id string) {
	if novaImagesGone(w, nr) {
		return
	}
	// Glance refuses a protected image; Nova passes that on as 403.
	if img, ok := c.store.image(id); ok && img.Protected {
		writeError(w, dialectNova, http.StatusForbidden, "You are not allowed to delete the image.", "")
		return
	}
	if !c.store.deleteImage(id) {
		writeError(w, dialectNova, http.StatusNotFound, "Image not found.", "")
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// novaImageFilter applies the proxy's query filters (name, status, server
// as an ID or URL, type, changes-since, minRam, minDisk).
func novaImageFilter(q url.Values) (func(Image) bool, string) {
	var since time.Time
	if v := q.Get("changes-since"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return nil, "Invalid filter field: changes-since."
		}
		since = t
	}
	atLeast := func(key string) (int, string) {
		if v := q.Get(key); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				return 0, fmt.Sprintf("Invalid filter field: %s.", key)
			}
			return n, ""
		}
		return 0, ""
	}
	minRAM, bad := atLeast("minRam")
	if bad != "" {
		return nil, bad
	}
	minDisk, bad := atLeast("minDisk")
	if bad != "" {
		return nil, bad
	}
	name, status, typ := q.Get("name"), q.Get("status"), q.Get("type")
	server := lastSegment(q.Get("server"))
	return func(img Image) bool {
		novaStatus, _ := novaImageStatus(img.Status)
		switch {
		case name != "" && img.Name != name,
			status != "" && !strings.EqualFold(status, novaStatus) && !strings.EqualFold(status, img.Status),
			server != "" && img.Properties["instance_uuid"] != server,
			typ != "" && img.Properties["image_type"] != typ,
			!since.IsZero() && img.UpdatedAt.Before(since),
			img.MinRAM < minRAM, img.MinDisk < minDisk:
			return false
		}
		return true
	}, ""
}

func (c *Cloud) novaListImages(w http.ResponseWriter, r *http.Request, nr novaReq, detail bool) {
	if novaImagesGone(w, nr) {
		return
	}
	q := r.URL.Query()
	keep, bad := novaImageFilter(q)
	if bad != "" {
		writeError(w, dialectNova, http.StatusBadRequest, bad, "")
		return
	}
	limit := novaMaxLimit
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			writeError(w, dialectNova, http.StatusBadRequest, "limit param must be an integer", "")
			return
		}
		limit = min(n, novaMaxLimit)
	}
	page, ok := imagePage(c.store.imageList(), keep, []sortKey{{"created_at", true}}, q.Get("marker"), limit)
	if !ok {
		writeError(w, dialectNova, http.StatusBadRequest, fmt.Sprintf("marker [%s] not found", q.Get("marker")), "")
		return
	}
	out := make([]any, 0, len(page))
	for _, img := range page {
		if detail {
			out = append(out, c.novaImageBody(nr, img))
		} else {
			out = append(out, map[string]any{"id": img.ID, "name": img.Name, "links": c.novaImageLinks(nr, img.ID)})
		}
	}
	body := map[string]any{"images": out}
	if limit > 0 && len(page) == limit {
		next := url.Values{}
		for k, v := range q {
			next[k] = v
		}
		next.Set("limit", strconv.Itoa(limit))
		next.Set("marker", page[len(page)-1].ID)
		path := "/images"
		if detail {
			path += "/detail"
		}
		body["images_links"] = []any{map[string]any{"rel": "next", "href": nr.base + path + "?" + next.Encode()}}
	}
	writeJSON(w, http.StatusOK, body)
}

// novaMaxLimit is Nova's osapi max_limit, also the default page size.
const novaMaxLimit = 1000
