package fakecloud

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"testing"
	"time"
)

// seedImages adds n images one minute apart; image i carries the
// serverimage_uid "uid-<i%2>" and belongs to server "srv-<i%3>".
func seedImages(c *Cloud, n int) []Image {
	base := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	var out []Image
	for i := range n {
		status := StatusActive
		if i%4 == 3 {
			status = StatusQueued
		}
		out = append(out, c.AddImage(Image{
			Name:       fmt.Sprintf("img-%d", i),
			Status:     status,
			ServerID:   fmt.Sprintf("srv-%d", i%3),
			Properties: map[string]string{"serverimage_uid": fmt.Sprintf("uid-%d", i%2)},
			CreatedAt:  base.Add(time.Duration(i) * time.Minute),
		}))
	}
	return out
}

func names(r resp) []string {
	var out []string
	imgs, _ := r.body["images"].([]any)
	for _, i := range imgs {
		out = append(out, dig(i, "name").(string))
	}
	return out
}

func TestGlanceListFilters(t *testing.T) {
	c, tok := newLoggedInCloud(t, Options{})
	imgs := seedImages(c, 8)
	tests := []struct {
		name   string
		query  string
		want   []string // newest first unless sorted otherwise
		status int
	}{
		{"all, newest first", "", []string{"img-7", "img-6", "img-5", "img-4", "img-3", "img-2", "img-1", "img-0"}, 200},
		{"name exact", "name=img-3", []string{"img-3"}, 200},
		{"name in", `name=in:img-1,"img-2"`, []string{"img-2", "img-1"}, 200},
		{"status", "status=queued", []string{"img-7", "img-3"}, 200},
		{"status in", "status=in:saving,queued", []string{"img-7", "img-3"}, 200},
		{"id in", "id=in:" + imgs[0].ID + "," + imgs[5].ID, []string{"img-5", "img-0"}, 200},
		{"owner", "owner=" + c.ProjectID(), []string{"img-7", "img-6", "img-5", "img-4", "img-3", "img-2", "img-1", "img-0"}, 200},
		{"other owner", "owner=someone", nil, 200},
		{"custom property", "serverimage_uid=uid-1", []string{"img-7", "img-5", "img-3", "img-1"}, 200},
		{"two custom properties", "serverimage_uid=uid-0&instance_uuid=srv-0", []string{"img-6", "img-0"}, 200},
		{"unknown property", "nothing=here", nil, 200},
		{"visibility private", "visibility=private&name=img-0", []string{"img-0"}, 200},
		{"visibility public", "visibility=public", nil, 200},
		{"sort name asc", "sort=name:asc&status=queued", []string{"img-3", "img-7"}, 200},
		{"sort_key/sort_dir", "sort_key=created_at&sort_dir=asc&serverimage_uid=uid-0", []string{"img-0", "img-2", "img-4", "img-6"}, 200},
		{"created_at gt", "created_at=gt:2026-03-01T12:05:00Z", []string{"img-7", "img-6"}, 200},
		{"bad status", "status=bogus", nil, 400},
		{"bad limit", "limit=x", nil, 400},
		{"negative limit", "limit=-1", nil, 400},
		{"bad sort key", "sort=colour:asc", nil, 400},
		{"bad sort dir", "sort=name:up", nil, 400},
		{"unknown marker", "marker=nope", nil, 400},
		{"bad time", "created_at=gt:yesterday", nil, 400},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := do(t, http.MethodGet, c.ImageURL()+"/v2/images?"+tc.query, tok, nil)
			if r.status != tc.status {
				t.Fatalf("status %d: %s", r.status, r.raw)
			}
			if tc.status != 200 {
				if r.str("code") != fmt.Sprintf("%d %s", tc.status, http.StatusText(tc.status)) {
					t.Errorf("error body %s", r.raw)
				}
				return
			}
			if got := names(r); !slices.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestGlancePagination(t *testing.T) {
	c, tok := newLoggedInCloud(t, Options{})
	seedImages(c, 30)
	// Default page size is 25.
	r := do(t, http.MethodGet, c.ImageURL()+"/v2/images", tok, nil)
	if n := len(names(r)); n != 25 || r.str("next") == "" {
		t.Fatalf("default page: %d images, next %q", n, r.str("next"))
	}
	// Follow "next" links (relative to the Glance root) with a filter.
	var all []string
	next := "/v2/images?serverimage_uid=uid-1&limit=4"
	pages := 0
	for next != "" {
		r := do(t, http.MethodGet, c.ImageURL()+next, tok, nil)
		if r.status != 200 {
			t.Fatalf("%s: %d %s", next, r.status, r.raw)
		}
		all = append(all, names(r)...)
		next = r.str("next")
		if next != "" {
			u, _ := url.Parse(next)
			if u.Path != "/v2/images" || u.Query().Get("serverimage_uid") != "uid-1" || u.Query().Get("limit") != "4" || u.Query().Get("marker") == "" {
				t.Errorf("next link %q", next)
			}
		}
		if pages++; pages > 10 {
			t.Fatal("pagination does not end")
		}
	}
	// 15 matches: pages of 4, 4, 4, 3.
	if len(all) != 15 || pages != 4 {
		t.Errorf("%d images over %d pages: %v", len(all), pages, all)
	}
	for i := 1; i < len(all); i++ {
		if all[i] == all[i-1] {
			t.Errorf("duplicate %s", all[i])
		}
	}
	if all[0] != "img-29" || all[len(all)-1] != "img-1" {
		t.Errorf("order %v", all)
	}
	// A full last page links to an empty one, as Glance does.
	r = do(t, http.MethodGet, c.ImageURL()+"/v2/images?serverimage_uid=uid-1&limit=15", tok, nil)
	r2 := do(t, http.MethodGet, c.ImageURL()+r.str("next"), tok, nil)
	if len(names(r)) != 15 || len(names(r2)) != 0 || r2.str("next") != "" {
		t.Errorf("full page then %d images, next %q", len(names(r2)), r2.str("next"))
	}
	// limit is capped at 1000 and a deleted marker is a 400.
	if r := do(t, http.MethodGet, c.ImageURL()+"/v2/images?limit=5000", tok, nil); len(names(r)) != 30 {
		t.Errorf("limit=5000: %d", len(names(r)))
	}
}

func TestGlanceGetAndDelete(t *testing.T) {
	c, tok := newLoggedInCloud(t, Options{QueuedFor: time.Hour})
	s := c.AddServer(Server{})
	id := imageIDOf(t, createImage(t, c, tok, s.ID, "snap", "2.45", map[string]string{"serverimage_uid": "abc"}))
	r := do(t, http.MethodGet, c.ImageURL()+"/v2/images/"+id, tok, nil)
	want := map[string]any{
		"id": id, "name": "snap", "status": "queued", "visibility": "private", "owner": c.ProjectID(),
		"size": nil, "checksum": nil, "container_format": nil, "disk_format": nil, "protected": false,
		"instance_uuid": s.ID, "serverimage_uid": "abc", "image_type": "snapshot",
		"self": "/v2/images/" + id, "file": "/v2/images/" + id + "/file", "schema": "/v2/schemas/image",
	}
	for k, v := range want {
		if got, ok := r.body[k]; !ok || got != v {
			t.Errorf("%s = %v (present %v), want %v", k, got, ok, v)
		}
	}
	for _, k := range []string{"created_at", "updated_at"} {
		if _, err := time.Parse(time.RFC3339, r.str(k)); err != nil {
			t.Errorf("%s: %v", k, err)
		}
	}
	if tags, ok := r.body["tags"].([]any); !ok || len(tags) != 0 {
		t.Errorf("tags %v", r.body["tags"])
	}
	tests := []struct {
		name   string
		method string
		id     string
		status int
	}{
		{"delete", http.MethodDelete, id, 204},
		{"get deleted", http.MethodGet, id, 404},
		{"delete again", http.MethodDelete, id, 404},
		{"get unknown", http.MethodGet, "nope", 404},
	}
	for _, tc := range tests {
		r := do(t, tc.method, c.ImageURL()+"/v2/images/"+tc.id, tok, nil)
		if r.status != tc.status {
			t.Errorf("%s: %d %s", tc.name, r.status, r.raw)
		}
		if tc.status == 404 && r.str("title") != "Not Found" {
			t.Errorf("%s: body %s", tc.name, r.raw)
		}
	}
	if l := do(t, http.MethodGet, c.ImageURL()+"/v2/images", tok, nil); len(names(l)) != 0 {
		t.Errorf("deleted image listed: %v", names(l))
	}
	// Deleting the image of a running snapshot frees the server.
	if got, _ := c.GetServer(s.ID); got.TaskState != "" {
		t.Errorf("task_state %q after its image was deleted", got.TaskState)
	}
}

func TestGlanceVersions(t *testing.T) {
	c := newTestCloud(t, Options{})
	for _, tc := range []struct {
		path   string
		status int
	}{{"/image", 300}, {"/image/", 300}, {"/image/versions", 200}} {
		r := do(t, http.MethodGet, c.URL()+tc.path, "", nil)
		vs, _ := r.body["versions"].([]any)
		if r.status != tc.status || len(vs) == 0 || dig(vs[0], "status") != "CURRENT" {
			t.Errorf("%s: %d %s", tc.path, r.status, r.raw)
		}
	}
	if c.Calls(OpImageVersions) != 3 || c.Calls(OpVersions) != 0 {
		t.Errorf("ledger %v", c.Ledger())
	}
}
