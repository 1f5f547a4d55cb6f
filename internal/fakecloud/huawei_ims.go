package fakecloud

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
)

// IMS front, behind the gateway: the Glance-style GET and DELETE of
// /huawei/ims/v2/images/{id} and the "Querying Images" list
// /huawei/ims/v2/cloudimages with its name, id, status and __imagetype
// filters and limit/marker paging, newest first. The query is read as the
// gateway verified it ('+' is a plus, not a space).

const (
	imsDefaultLimit = 500
	imsMaxLimit     = 1000
)

func (c *Cloud) huaweiIMSRoutes(w http.ResponseWriter, r *http.Request, path string) {
	segs := huaweiSegments(path)
	get, del := r.Method == http.MethodGet, r.Method == http.MethodDelete
	switch {
	case len(segs) == 2 && segs[0] == "v2" && segs[1] == "cloudimages" && get:
		c.serve(w, r, call{op: OpListImages, dialect: dialectHuaweiIMS}, c.huaweiGateway(c.imsList))
	case len(segs) == 3 && segs[0] == "v2" && segs[1] == "images" && (get || del):
		gateway := func(h http.HandlerFunc) http.HandlerFunc {
			return c.huaweiGateway(func(w http.ResponseWriter, r *http.Request, _ huaweiCaller) { h(w, r) })
		}
		c.serveImage(w, r, dialectHuaweiIMS, segs[2], del, gateway, c.imsGet, c.imsDelete)
	case c.imsSharingRoutes(w, r, segs):
	case c.imsTagRoutes(w, r, segs):
	default:
		c.serve(w, r, call{op: OpOther, dialect: dialectHuaweiIMS}, func(w http.ResponseWriter, r *http.Request) {
			writeHuaweiGatewayError(w, http.StatusNotFound, "APIGW.0101", "The API does not exist or has not been published in the environment", "")
		})
	}
}

// imsImageBody is the Glance body plus a few of IMS's "__" attributes.
func imsImageBody(img Image) map[string]any {
	body := glanceImageBody(img)
	body["__imagetype"] = "private"
	body["__image_source_type"] = "uds"
	body["__isregistered"] = "true"
	body["__os_type"] = "Linux"
	body["__platform"] = "Ubuntu"
	body["virtual_env_type"] = "FusionCompute"
	body["enterprise_project_id"] = "0"
	return body
}

func (c *Cloud) imsGet(w http.ResponseWriter, id string) {
	img, ok := c.store.image(id)
	if !ok {
		writeError(w, dialectHuaweiIMS, http.StatusNotFound, fmt.Sprintf("Image %s could not be found.", id), "")
		return
	}
	writeJSON(w, http.StatusOK, imsImageBody(img))
}

func (c *Cloud) imsDelete(w http.ResponseWriter, id string) {
	if !c.store.deleteImage(id) {
		writeError(w, dialectHuaweiIMS, http.StatusNotFound, fmt.Sprintf("Image %s could not be found.", id), "")
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (c *Cloud) imsList(w http.ResponseWriter, r *http.Request, _ huaweiCaller) {
	q, err := huaweiQuery(r.URL.RawQuery)
	if err != nil {
		writeError(w, dialectHuaweiIMS, http.StatusBadRequest, err.Error(), "")
		return
	}
	limit := imsDefaultLimit
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > imsMaxLimit {
			writeError(w, dialectHuaweiIMS, http.StatusBadRequest, "limit must be an integer from 1 to 1000.", "")
			return
		}
		limit = n
	}
	switch t := q.Get("__imagetype"); t {
	case "", "private":
	case "gold", "public", "shared", "market":
		// Only private images are simulated.
		writeJSON(w, http.StatusOK, map[string]any{"images": []any{}})
		return
	default:
		writeError(w, dialectHuaweiIMS, http.StatusBadRequest, "Invalid __imagetype: "+t, "")
		return
	}
	times, bad := imsTimeFilters(q)
	if bad != "" {
		writeError(w, dialectHuaweiIMS, http.StatusBadRequest, bad, "")
		return
	}
	if o := q.Get("owner"); o != "" && o != c.opts.ProjectID {
		// Every simulated image belongs to the project.
		writeJSON(w, http.StatusOK, map[string]any{"images": []any{}})
		return
	}
	// Newest first, then by ID, so that a marker is unambiguous.
	matches := func(img Image) bool { return imsMatches(img, q) && times(img) }
	page, ok := imagePage(c.store.imageList(), matches, []sortKey{{"created_at", true}}, q.Get("marker"), limit)
	if !ok {
		writeError(w, dialectHuaweiIMS, http.StatusBadRequest, "marker "+q.Get("marker")+" not found.", "")
		return
	}
	images := renderImages(page, imsImageBody)
	// IMS's answer has no link to the next page: a client asks again with
	// the last ID as marker until a page comes back short.
	writeJSON(w, http.StatusOK, map[string]any{"images": images})
}

// imsMatches applies the filters the simulator knows: exact name, id and
// status. Unknown filters are ignored, as whether IMS honours custom
// property filters is not known.
func imsMatches(img Image, q url.Values) bool {
	for key, want := range map[string]string{"name": img.Name, "id": img.ID, "status": img.Status} {
		if v := q.Get(key); v != "" && v != want {
			return false
		}
	}
	return true
}

// imsTimeFilters applies created_at and updated_at (gt, gte, lt, lte, eq,
// neq, as Glance's), the filters a change feed of IMS uses.
func imsTimeFilters(q url.Values) (func(Image) bool, string) {
	var preds []func(Image) bool
	for _, field := range []string{"created_at", "updated_at"} {
		if v := q.Get(field); v != "" {
			pred, bad := imageTimeFilter(field, v)
			if bad != "" {
				return nil, bad
			}
			preds = append(preds, pred)
		}
	}
	return allOf(preds), ""
}
