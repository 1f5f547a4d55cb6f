package fakecloud

import (
	"net/http"
	"net/url"
	"strconv"
)

// SCP image endpoints over the shared store.

const (
	scpDefaultLimit = 20   // the limit example of the API reference
	scpMaxLimit     = 1000 // the documented maximum
)

// scpPending are the statuses of an image still being built. The
// simulator lists them only under /v1/pending-images, the strict reading
// of why that endpoint exists; a client that reads both lists works
// whether or not the real /v1/images shows them too.
var scpPending = map[string]bool{StatusQueued: true, StatusSaving: true, "uploading": true, "importing": true}

// scpImageType is "custom" for snapshots, "standard" for the images the
// simulator is given (the values SCP's list filters use).
func scpImageType(img Image) string {
	if img.Properties["image_type"] == "snapshot" {
		return "custom"
	}
	return "standard"
}

// scpImageBody renders ImageShowResponse: Glance's core fields plus SCP's
// scp_* fields. Custom Glance properties are not shown (the schema has no
// place for them).
func scpImageBody(img Image) map[string]any {
	body := glanceCoreFields(img)
	// SCP formats its times like Glance; scpTime is kept apart because
	// the two APIs are documented separately.
	body["created_at"] = img.CreatedAt.UTC().Format(scpTime)
	body["updated_at"] = img.UpdatedAt.UTC().Format(scpTime)
	body["scp_image_type"] = scpImageType(img)
	body["scp_original_image_type"] = "standard"
	body["os_distro"] = nil
	body["url"] = nil
	body["volumes"] = nil
	body["root_device_name"] = nil
	body["owner_account_name"] = nil
	body["owner_user_name"] = nullIfEmpty(img.Properties["owner_user_name"])
	return body
}

func (c *Cloud) scpGetImage(w http.ResponseWriter, id string) {
	img, ok := c.store.image(id)
	if !ok {
		scpError(w, http.StatusNotFound, "scp-virtualserver.image.not-found", "Image "+id+" not found.")
		return
	}
	writeJSON(w, http.StatusOK, scpImageBody(img))
}

func (c *Cloud) scpDeleteImage(w http.ResponseWriter, id string) {
	if img, ok := c.store.image(id); ok && img.Protected {
		scpError(w, http.StatusConflict, "scp-virtualserver.image.protected", "Image "+id+" is protected and cannot be deleted.")
		return
	}
	if !c.store.deleteImage(id) {
		scpError(w, http.StatusNotFound, "scp-virtualserver.image.not-found", "Image "+id+" not found.")
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// scpFilter applies the list filters SCP documents (name, status,
// visibility, scp_image_type, scp_original_image_type, os_distro), each an
// exact match. Unknown parameters are ignored, as the gateway's framework
// does. It returns a validation message and its parameter on bad input.
func scpFilter(q url.Values) (keep func(Image) bool, badParam, bad string) {
	var preds []func(Image) bool
	exact := func(key string, field func(Image) string) {
		if v, ok := q[key]; ok && len(v) > 0 {
			want := v[0]
			preds = append(preds, func(i Image) bool { return field(i) == want })
		}
	}
	exact("name", func(i Image) string { return i.Name })
	exact("status", func(i Image) string { return i.Status })
	exact("scp_image_type", scpImageType)
	exact("scp_original_image_type", func(Image) string { return "standard" })
	exact("os_distro", func(Image) string { return "" })
	switch v := q.Get("visibility"); v {
	case "":
	case "private", "public", "shared", "community":
		preds = append(preds, func(i Image) bool { return i.visibility() == v })
	default:
		return nil, "visibility", "value is not a valid enumeration member; permitted: 'public', 'community', 'shared', 'private'"
	}
	return func(i Image) bool {
		for _, p := range preds {
			if !p(i) {
				return false
			}
		}
		return true
	}, "", ""
}

// scpListImages is GET /v1/images: the filters, Glance's sort syntax and
// marker pagination. The answer has no "next" link; a full page is the
// only sign that there may be more.
func (c *Cloud) scpListImages(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit := scpDefaultLimit
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		switch {
		case err != nil:
			scpValidation(w, []string{"query", "limit"}, "value is not a valid integer", "type_error.integer")
			return
		case n < 1:
			scpValidation(w, []string{"query", "limit"}, "ensure this value is greater than or equal to 1", "value_error.number.not_ge")
			return
		case n > scpMaxLimit:
			scpValidation(w, []string{"query", "limit"}, "ensure this value is less than or equal to 1000", "value_error.number.not_le")
			return
		}
		limit = n
	}
	keep, badParam, bad := scpFilter(q)
	if bad != "" {
		scpValidation(w, []string{"query", badParam}, bad, "type_error.enum")
		return
	}
	sortQ := url.Values{}
	if s := q.Get("sort"); s != "" {
		sortQ.Set("sort", s)
	}
	keys, badSort := glanceSort(sortQ)
	if badSort != "" {
		scpError(w, http.StatusBadRequest, "scp-virtualserver.image.invalid-sort", badSort)
		return
	}
	listed := func(img Image) bool { return !scpPending[img.Status] && keep(img) }
	page, ok := imagePage(c.store.imageList(), listed, keys, q.Get("marker"), limit)
	if !ok {
		scpError(w, http.StatusBadRequest, "scp-virtualserver.image.invalid-marker", "Image with id "+q.Get("marker")+" not found.")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"images": renderImages(page, scpImageBody)})
}

// scpListPendingImages is GET /v1/pending-images: images still being
// built, filtered by image type only, newest first, unpaged.
func (c *Cloud) scpListPendingImages(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	typeQ := url.Values{}
	for _, k := range []string{"scp_image_type", "scp_original_image_type"} {
		if v, ok := q[k]; ok {
			typeQ[k] = v
		}
	}
	keep, _, _ := scpFilter(typeQ)
	var matched []Image
	for _, img := range c.store.imageList() {
		if scpPending[img.Status] && keep(img) {
			matched = append(matched, img)
		}
	}
	sortImages(matched, []sortKey{{key: "created_at", desc: true}})
	writeJSON(w, http.StatusOK, map[string]any{"images": renderImages(matched, scpImageBody)})
}
