package fakecloud

import (
	"net/http"
	"net/url"
	"testing"
)

// TestNovaImageStatusMapping: the Nova images proxy, in both Nova APIs and
// in Rackspace Cloud Servers, shows Glance's statuses the same way.
func TestNovaImageStatusMapping(t *testing.T) {
	tests := []struct {
		glance   string
		nova     string
		progress int
	}{
		{StatusQueued, "SAVING", 25},
		{StatusSaving, "SAVING", 50},
		{StatusActive, "ACTIVE", 100},
		{StatusKilled, "ERROR", 0},
		{StatusPendingDelete, "DELETED", 0},
		{StatusDeactivated, "UNKNOWN", 0},
		{"uploading", "UNKNOWN", 0},
		{"importing", "UNKNOWN", 0},
	}
	c := newTestCloud(t, Options{})
	tok, rsTok := login(t, c), rackspaceLogin(t, c)
	for _, tc := range tests {
		t.Run(tc.glance, func(t *testing.T) {
			img := c.AddImage(Image{Name: "i-" + tc.glance, Status: tc.glance, ServerID: "srv-1", Properties: map[string]string{"k": "v"}})
			for base, tok := range map[string]string{c.ComputeURL(): tok, c.LegacyComputeURL(): tok, c.RackspaceComputeURL("DFW"): rsTok} {
				r := do(t, http.MethodGet, base+"/images/"+img.ID, tok, nil)
				if r.status != 200 || r.str("image", "status") != tc.nova || dig(r.body, "image", "progress") != float64(tc.progress) {
					t.Fatalf("%s: %d %s", base, r.status, r.raw)
				}
				if r.str("image", "server", "id") != "srv-1" || r.str("image", "metadata", "k") != "v" || r.str("image", "metadata", "instance_uuid") != "srv-1" {
					t.Errorf("body %s", r.raw)
				}
				if sized := dig(r.body, "image", "OS-EXT-IMG-SIZE:size") != nil; sized != (tc.glance == StatusActive) {
					t.Errorf("size %v", dig(r.body, "image", "OS-EXT-IMG-SIZE:size"))
				}
			}
		})
	}
}

func TestNovaImagesProxy(t *testing.T) {
	c := newTestCloud(t, Options{})
	tok := login(t, c)
	imgs := seedImages(c, 6)
	tests := []struct {
		name   string
		method string
		path   string
		mv     string
		status int
		count  int // images in a list answer
	}{
		{"get 2.1", "GET", "/images/" + imgs[0].ID, "2.1", 200, -1},
		{"get 2.35", "GET", "/images/" + imgs[0].ID, "2.35", 200, -1},
		{"get 2.36 gone", "GET", "/images/" + imgs[0].ID, "2.36", 404, -1},
		{"get unknown", "GET", "/images/nope", "2.1", 404, -1},
		{"detail all", "GET", "/images/detail", "2.1", 200, 6},
		{"detail 2.36 gone", "GET", "/images/detail", "2.36", 404, -1},
		{"detail by server id", "GET", "/images/detail?server=srv-1", "2.1", 200, 2},
		{"detail by server URL", "GET", "/images/detail?server=" + url.QueryEscape(c.ComputeURL()+"/servers/srv-2"), "2.1", 200, 2},
		{"detail by name", "GET", "/images/detail?name=img-4", "2.1", 200, 1},
		{"detail by nova status", "GET", "/images/detail?status=SAVING", "2.1", 200, 1},
		{"detail limited", "GET", "/images/detail?limit=2", "2.1", 200, 2},
		{"detail after marker", "GET", "/images/detail?marker=" + imgs[2].ID, "2.1", 200, 2},
		{"detail bad marker", "GET", "/images/detail?marker=nope", "2.1", 400, -1},
		{"index", "GET", "/images", "2.1", 200, 6},
		{"delete 2.36 gone", "DELETE", "/images/" + imgs[1].ID, "2.36", 404, -1},
		{"delete", "DELETE", "/images/" + imgs[1].ID, "2.1", 204, -1},
		{"delete again", "DELETE", "/images/" + imgs[1].ID, "2.1", 404, -1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := do(t, tc.method, c.ComputeURL()+tc.path, tok, nil, "X-OpenStack-Nova-API-Version: "+tc.mv)
			if r.status != tc.status {
				t.Fatalf("status %d: %s", r.status, r.raw)
			}
			if tc.status == 404 && r.str("itemNotFound", "message") == "" {
				t.Errorf("404 body %s", r.raw)
			}
			if tc.count >= 0 {
				if got, _ := r.body["images"].([]any); len(got) != tc.count {
					t.Errorf("%d images, want %d: %s", len(got), tc.count, r.raw)
				}
			}
		})
	}
	// Legacy /v2 ignores the microversion header, so the proxy stays.
	r := do(t, http.MethodGet, c.LegacyComputeURL()+"/images/detail?limit=2", tok, nil, "X-OpenStack-Nova-API-Version: 2.90")
	if got, _ := r.body["images"].([]any); r.status != 200 || len(got) != 2 {
		t.Fatalf("legacy detail: %d %s", r.status, r.raw)
	}
	links, _ := r.body["images_links"].([]any)
	if len(links) != 1 {
		t.Fatalf("images_links %v", r.body["images_links"])
	}
	next, _ := url.Parse(dig(links[0], "href").(string))
	if next.Query().Get("marker") == "" || next.Query().Get("limit") != "2" {
		t.Errorf("next link %s", next)
	}
	if c.Calls(OpGetImage) != 4 || c.Calls(OpDeleteImage) != 3 || c.Calls(OpListImages) != 11 {
		t.Errorf("ledger %v", c.Ledger())
	}
}
