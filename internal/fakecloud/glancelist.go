package fakecloud

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// GET /v2/images: Glance's filters, sorting and marker pagination.

const (
	glanceDefaultLimit = 25   // limit_param_default
	glanceMaxLimit     = 1000 // api_limit_max
)

// glanceReservedParams are query keys that are not filters.
var glanceReservedParams = map[string]bool{"limit": true, "marker": true, "sort": true, "sort_key": true, "sort_dir": true}

var glanceStatuses = map[string]bool{
	StatusQueued: true, StatusSaving: true, StatusActive: true, StatusKilled: true, StatusDeleted: true,
	StatusPendingDelete: true, StatusDeactivated: true, "uploading": true, "importing": true,
}

// splitIn parses the value of an "in:" filter: comma-separated, where a
// double-quoted item may itself contain commas (name=in:"a,b",c).
func splitIn(v string) []string {
	var out []string
	var cur strings.Builder
	quoted := false
	for _, r := range v {
		switch {
		case r == '"':
			quoted = !quoted
		case r == ',' && !quoted:
			out = append(out, cur.String())
			cur.Reset()
		default:
			cur.WriteRune(r)
		}
	}
	return append(out, cur.String())
}

// idsFilter returns the IDs an id= filter names when the first page is
// asked for: then only those images need be looked at, as a real Glance
// finds them by its primary key (and by the indexed instance_uuid property
// for the other fast path). Without it the simulator would copy and sort
// every image for each batched read and each find-before-create, and
// benchmarks at thousands of images would measure the simulator instead of
// the operator. A marker may name an image outside the set, so paged reads
// take the full list.
func idsFilter(q url.Values) ([]string, bool) {
	v := q.Get("id")
	if v == "" || q.Get("marker") != "" {
		return nil, false
	}
	if rest, ok := strings.CutPrefix(v, "in:"); ok {
		return splitIn(rest), true
	}
	return []string{v}, true
}

// matchSet accepts "x" or "in:x,y" for the fields Glance allows "in" on.
func matchSet(v string) func(string) bool {
	if rest, ok := strings.CutPrefix(v, "in:"); ok {
		set := splitIn(rest)
		return func(s string) bool { return slices.Contains(set, s) }
	}
	return func(s string) bool { return s == v }
}

// timeFilter parses "op:timestamp" (gt, gte, lt, lte, eq, neq).
func timeFilter(field, v string) (func(time.Time) bool, string) {
	op, ts, ok := strings.Cut(v, ":")
	if !ok || !slices.Contains([]string{"gt", "gte", "lt", "lte", "eq", "neq"}, op) {
		op, ts = "eq", v
	}
	t, err := time.Parse(time.RFC3339, ts)
	if err != nil {
		return nil, fmt.Sprintf("Unable to filter on a %s: invalid timestamp %q.", field, ts)
	}
	return func(x time.Time) bool {
		x = x.Truncate(time.Second)
		switch op {
		case "gt":
			return x.After(t)
		case "gte":
			return !x.Before(t)
		case "lt":
			return x.Before(t)
		case "lte":
			return !x.After(t)
		case "neq":
			return !x.Equal(t)
		}
		return x.Equal(t)
	}, ""
}

// glanceSetFields are the filters that take one value or "in:a,b".
var glanceSetFields = map[string]func(Image) string{
	"name":             func(i Image) string { return i.Name },
	"id":               func(i Image) string { return i.ID },
	"container_format": func(i Image) string { return i.ContainerFormat },
	"disk_format":      func(i Image) string { return i.DiskFormat },
}

// imageTimeFilter is the created_at or updated_at filter of an image list,
// or a 400 message.
func imageTimeFilter(field, v string) (func(Image) bool, string) {
	tf, bad := timeFilter(field, v)
	if bad != "" {
		return nil, bad
	}
	if field == "created_at" {
		return func(i Image) bool { return tf(i.CreatedAt) }, ""
	}
	return func(i Image) bool { return tf(i.UpdatedAt) }, ""
}

// glanceFilter turns the query into a predicate, or a 400 message.
func glanceFilter(q url.Values) (func(Image) bool, string) {
	var preds []func(Image) bool
	add := func(p func(Image) bool) { preds = append(preds, p) }
	for key, vals := range q {
		if glanceReservedParams[key] || len(vals) == 0 {
			continue
		}
		v := vals[0]
		switch key {
		case "name", "id", "container_format", "disk_format":
			m, field := matchSet(v), glanceSetFields[key]
			add(func(i Image) bool { return m(field(i)) })
		case "status":
			items := []string{v}
			if rest, ok := strings.CutPrefix(v, "in:"); ok {
				items = splitIn(rest)
			}
			for _, s := range items {
				if !glanceStatuses[s] {
					return nil, fmt.Sprintf("Invalid status value: %s", s)
				}
			}
			add(func(i Image) bool { return slices.Contains(items, i.Status) })
		case "owner":
			add(func(i Image) bool { return i.Owner == v })
		case "checksum":
			add(func(i Image) bool { return i.Checksum == v })
		case "os_hash_value":
			add(func(i Image) bool { return i.HashValue == v })
		case "visibility":
			// Every simulated image is private to its owner.
			switch v {
			case "private", "all":
			case "public", "shared", "community":
				add(func(Image) bool { return false })
			default:
				return nil, fmt.Sprintf("Invalid visibility value: %s", v)
			}
		case "os_hidden", "protected":
			b, err := strconv.ParseBool(v)
			if err != nil {
				return nil, fmt.Sprintf("Invalid value for %s: %s", key, v)
			}
			if b { // no simulated image is hidden or protected
				add(func(Image) bool { return false })
			}
		case "member_status":
			// Membership only concerns shared images; none here.
		case "tag":
			add(func(Image) bool { return false }) // no image has tags
		case "size_min", "size_max":
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return nil, fmt.Sprintf("%s must be an integer", key)
			}
			isMin := key == "size_min"
			add(func(i Image) bool {
				if i.Size == 0 {
					return false // no size before the upload
				}
				return (isMin && i.Size >= n) || (!isMin && i.Size <= n)
			})
		case "created_at", "updated_at":
			pred, bad := imageTimeFilter(key, v)
			if bad != "" {
				return nil, bad
			}
			add(pred)
		default:
			// Any other key is a custom property, matched exactly.
			add(func(i Image) bool { p, ok := i.Properties[key]; return ok && p == v })
		}
	}
	return allOf(preds), ""
}

// allOf is the predicate that holds when all of preds hold.
func allOf(preds []func(Image) bool) func(Image) bool {
	return func(i Image) bool {
		for _, p := range preds {
			if !p(i) {
				return false
			}
		}
		return true
	}
}

// glanceSort parses sort=k1:dir,k2 or sort_key/sort_dir; default
// created_at descending.
func glanceSort(q url.Values) ([]sortKey, string) {
	if _, has := q["sort"]; has {
		if q.Has("sort_key") || q.Has("sort_dir") {
			return nil, "The \"sort\" parameter cannot be combined with sort_key or sort_dir."
		}
		var keys []sortKey
		for _, item := range strings.Split(q.Get("sort"), ",") {
			k, dir, hasDir := strings.Cut(strings.TrimSpace(item), ":")
			if !hasDir {
				dir = "desc"
			}
			key, bad := newSortKey(k, dir, fmt.Sprintf("Invalid sort key: %s. It should be one of the following: created_at, updated_at, name, status, id, size, ...", k))
			if bad != "" {
				return nil, bad
			}
			keys = append(keys, key)
		}
		return keys, ""
	}
	names, dirs := q["sort_key"], q["sort_dir"]
	if len(names) == 0 {
		names = []string{"created_at"}
	}
	if len(dirs) > 1 && len(dirs) != len(names) {
		return nil, "Number of sort dirs does not match the number of sort keys"
	}
	var keys []sortKey
	for i, k := range names {
		dir := "desc"
		switch {
		case len(dirs) == 1:
			dir = dirs[0]
		case len(dirs) > 1:
			dir = dirs[i]
		}
		key, bad := newSortKey(k, dir, fmt.Sprintf("Invalid sort key: %s.", k))
		if bad != "" {
			return nil, bad
		}
		keys = append(keys, key)
	}
	return keys, ""
}

// newSortKey checks one key and direction; the two sort syntaxes word an
// unknown key differently, so the caller passes its message.
func newSortKey(k, dir, badKey string) (sortKey, string) {
	if !sortableImageKeys[k] {
		return sortKey{}, badKey
	}
	if dir != "asc" && dir != "desc" {
		return sortKey{}, fmt.Sprintf("Invalid sort direction: %s", dir)
	}
	return sortKey{k, dir == "desc"}, ""
}

func (c *Cloud) glanceList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit := glanceDefaultLimit
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			writeError(w, dialectGlance, http.StatusBadRequest, "limit param must be an integer", "")
			return
		}
		if n < 0 {
			writeError(w, dialectGlance, http.StatusBadRequest, "limit param must be positive", "")
			return
		}
		limit = min(n, glanceMaxLimit)
	}
	keep, bad := glanceFilter(q)
	if bad == "" {
		var keys []sortKey
		keys, bad = glanceSort(q)
		if bad == "" {
			c.glanceListPage(w, q, keep, keys, limit)
			return
		}
	}
	writeError(w, dialectGlance, http.StatusBadRequest, bad, "")
}

func (c *Cloud) glanceListPage(w http.ResponseWriter, q url.Values, keep func(Image) bool, keys []sortKey, limit int) {
	var all []Image
	if ids, ok := idsFilter(q); ok {
		all = c.store.imagesByID(ids)
	} else if server := q.Get("instance_uuid"); server != "" && q.Get("marker") == "" {
		all = c.store.imagesWhere(func(img *Image) bool { return img.Properties["instance_uuid"] == server })
	} else {
		all = c.store.imageList()
	}
	page, ok := imagePage(all, keep, keys, q.Get("marker"), limit)
	if !ok {
		writeError(w, dialectGlance, http.StatusBadRequest, "Image with id "+q.Get("marker")+" not found", "")
		return
	}
	out := renderImages(page, glanceImageBody)
	first := url.Values{}
	for k, v := range q {
		if k != "marker" {
			first[k] = v
		}
	}
	body := map[string]any{"images": out, "schema": "/v2/schemas/images", "first": withQuery("/v2/images", first)}
	// Like Glance, a full page always links to a next one, which may be
	// empty.
	if limit > 0 && len(page) == limit {
		first.Set("marker", page[len(page)-1].ID)
		first.Set("limit", strconv.Itoa(limit))
		body["next"] = withQuery("/v2/images", first)
	}
	writeJSON(w, http.StatusOK, body)
}

func withQuery(path string, q url.Values) string {
	if len(q) == 0 {
		return path
	}
	return path + "?" + q.Encode()
}
