package fakecloud

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud/cloudtest"
)

func TestCreateImageResponseByMicroversion(t *testing.T) {
	c, tok := newLoggedInCloud(t, Options{})
	tests := []struct {
		name     string
		base     string
		mv       string
		wantBody bool
		location string // prefix of Location before the ID; "" for none
	}{
		{"2.1 Location with double slash", c.ComputeURL(), "", false, c.URL() + "/image//images/"},
		{"2.44 still Location", c.ComputeURL(), "2.44", false, c.URL() + "/image//images/"},
		{"2.45 body", c.ComputeURL(), "2.45", true, ""},
		{"latest body", c.ComputeURL(), "latest", true, ""},
		{"project in path", c.URL() + "/compute/v2.1/" + c.ProjectID(), "", false, c.URL() + "/image//images/"},
		{"legacy v2 points at its proxy", c.LegacyComputeURL(), "2.45", false, c.LegacyComputeURL() + "/images/"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := c.AddServer(Server{})
			var hdr []string
			if tc.mv != "" {
				hdr = append(hdr, "OpenStack-API-Version: compute "+tc.mv)
			}
			r := do(t, http.MethodPost, tc.base+"/servers/"+s.ID+"/action", tok,
				map[string]any{"createImage": map[string]any{"name": "snap", "metadata": map[string]string{"k": "v"}}}, hdr...)
			if r.status != http.StatusAccepted {
				t.Fatalf("status %d: %s", r.status, r.raw)
			}
			loc := r.header.Get("Location")
			var id string
			if tc.wantBody {
				id = r.str("image_id")
				if id == "" || loc != "" {
					t.Fatalf("want body and no Location; body %s, Location %q", r.raw, loc)
				}
			} else {
				if len(r.raw) != 0 || !strings.HasPrefix(loc, tc.location) {
					t.Fatalf("want empty body and Location %s...; body %q, Location %q", tc.location, r.raw, loc)
				}
				id = strings.TrimPrefix(loc, tc.location)
			}
			// The image exists, queued, before the answer arrived.
			img, ok := c.Image(id)
			if !ok || img.Status != StatusQueued || img.Name != "snap" {
				t.Fatalf("image %+v %v", img, ok)
			}
			want := map[string]string{
				"instance_uuid": s.ID, "image_type": "snapshot", "user_id": c.UserID(), "k": "v",
			}
			for k, v := range want {
				if img.Properties[k] != v {
					t.Errorf("property %s = %q, want %q", k, img.Properties[k], v)
				}
			}
			if img.Owner != c.ProjectID() || img.ServerID != s.ID {
				t.Errorf("owner %q server %q", img.Owner, img.ServerID)
			}
		})
	}
}

func TestCreateImageConflictsAndNotFound(t *testing.T) {
	c, tok := newLoggedInCloud(t, Options{QueuedFor: time.Hour})
	tests := []struct {
		name    string
		server  Server
		status  int
		message string // %s is the server ID
	}{
		{"active", Server{}, 202, ""},
		{"shutoff allowed", Server{Status: "SHUTOFF"}, 202, ""},
		{"paused allowed", Server{Status: "PAUSED"}, 202, ""},
		{"suspended allowed", Server{Status: "SUSPENDED"}, 202, ""},
		{"error", Server{Status: "ERROR"}, 409, "Cannot 'createImage' instance %s while it is in vm_state error"},
		{"building", Server{Status: "BUILD"}, 409, "Cannot 'createImage' instance %s while it is in vm_state building"},
		{"shelved offloaded", Server{VMState: "shelved_offloaded"}, 409, "Cannot 'createImage' instance %s while it is in vm_state shelved_offloaded"},
		{"busy", Server{TaskState: "resize_prep"}, 409, "Cannot 'createImage' instance %s while it is in task_state resize_prep"},
		{"vm_state checked first", Server{Status: "ERROR", TaskState: "deleting"}, 409, "Cannot 'createImage' instance %s while it is in vm_state error"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := c.AddServer(tc.server)
			r := createImage(t, c, tok, s.ID, "snap", "2.45", nil)
			if r.status != tc.status {
				t.Fatalf("status %d: %s", r.status, r.raw)
			}
			if tc.status == 409 {
				if got, want := r.str("conflictingRequest", "message"), fmt.Sprintf(tc.message, s.ID); got != want {
					t.Errorf("message %q, want %q", got, want)
				}
				return
			}
			// A second snapshot while the first runs is refused; right
			// after the 202 the task state is nova-api's pending one.
			r2 := createImage(t, c, tok, s.ID, "again", "2.45", nil)
			want := fmt.Sprintf("Cannot 'createImage' instance %s while it is in task_state image_snapshot_pending", s.ID)
			if r2.status != 409 || r2.str("conflictingRequest", "message") != want {
				t.Errorf("second createImage: %d %s", r2.status, r2.raw)
			}
		})
	}
	t.Run("unknown server", func(t *testing.T) {
		r := createImage(t, c, tok, "00000000-0000-4000-8000-000000000000", "snap", "", nil)
		if r.status != 404 || r.str("itemNotFound", "message") != "Instance 00000000-0000-4000-8000-000000000000 could not be found." {
			t.Errorf("%d %s", r.status, r.raw)
		}
		g := do(t, http.MethodGet, c.ComputeURL()+"/servers/nope", tok, nil)
		if g.status != 404 || g.str("itemNotFound", "message") != "Instance nope could not be found." {
			t.Errorf("get: %d %s", g.status, g.raw)
		}
	})
	if n := len(c.Images()); n != 4 {
		t.Errorf("%d images, want 4 (one per accepted snapshot)", n)
	}
}

func TestCreateImageValidation(t *testing.T) {
	c, tok := newLoggedInCloud(t, Options{})
	tests := []struct {
		name   string
		entity any
		mv     string
		status int
	}{
		{"ok", map[string]any{"name": "snap", "metadata": map[string]any{"serverimage_uid": "u", "example.com:uid": "x", "a b-c_d.e": "y"}}, "", 202},
		{"missing name", map[string]any{"metadata": map[string]any{}}, "", 400},
		{"empty name", map[string]any{"name": ""}, "", 400},
		{"name not a string", map[string]any{"name": 7}, "", 400},
		{"leading space", map[string]any{"name": " snap"}, "", 400},
		{"trailing space", map[string]any{"name": "snap "}, "", 400},
		{"name 255", map[string]any{"name": strings.Repeat("n", 255)}, "", 202},
		{"name 256", map[string]any{"name": strings.Repeat("n", 256)}, "", 400},
		{"control character", map[string]any{"name": "sn\x01ap"}, "", 400},
		{"slash in key", map[string]any{"name": "snap", "metadata": map[string]any{"example.com/uid": "x"}}, "", 400},
		{"empty key", map[string]any{"name": "snap", "metadata": map[string]any{"": "x"}}, "", 400},
		{"value 256", map[string]any{"name": "snap", "metadata": map[string]any{"k": strings.Repeat("v", 256)}}, "", 400},
		{"value not a string", map[string]any{"name": "snap", "metadata": map[string]any{"k": 1}}, "", 400},
		{"metadata not an object", map[string]any{"name": "snap", "metadata": []string{"a"}}, "", 400},
		{"extra property", map[string]any{"name": "snap", "flavor": "x"}, "", 400},
		{"not an object", "snap", "", 400},
		{"122 items before 2.39", map[string]any{"name": "snap", "metadata": cloudtest.Metadata(122)}, "2.38", 202},
		{"128 items pass Nova's quota, not Glance's", map[string]any{"name": "snap", "metadata": cloudtest.Metadata(128)}, "2.38", 500},
		{"129 items before 2.39", map[string]any{"name": "snap", "metadata": cloudtest.Metadata(129)}, "2.38", 403},
		{"129 items from 2.39 hit Glance's quota", map[string]any{"name": "snap", "metadata": cloudtest.Metadata(129)}, "2.39", 500},
		{"120 items from 2.39", map[string]any{"name": "snap", "metadata": cloudtest.Metadata(120)}, "2.39", 202},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := c.AddServer(Server{})
			var hdr []string
			if tc.mv != "" {
				hdr = append(hdr, "X-OpenStack-Nova-API-Version: "+tc.mv)
			}
			before := len(c.Images())
			r := do(t, http.MethodPost, c.ComputeURL()+"/servers/"+s.ID+"/action", tok, map[string]any{"createImage": tc.entity}, hdr...)
			if r.status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.status, tc.status, r.raw)
			}
			if tc.status == 202 {
				return
			}
			if r.str(novaFaultName(tc.status), "message") == "" {
				t.Errorf("fault body %s", r.raw)
			}
			if tc.status == 403 && r.str("forbidden", "message") != "Image metadata limit exceeded" {
				t.Errorf("403 message %s", r.raw)
			}
			if len(c.Images()) != before {
				t.Error("a rejected createImage created an image")
			}
		})
	}
}

func TestServerBodyAndOtherActions(t *testing.T) {
	c, tok := newLoggedInCloud(t, Options{})
	s := c.AddServer(Server{Name: "web-1", Status: "SHUTOFF"})
	tests := []struct {
		mv     string
		flavor string // a key that must be in the flavor
		tags   bool
	}{
		{"2.1", "id", false},
		{"2.47", "original_name", true},
	}
	for _, tc := range tests {
		r := do(t, http.MethodGet, c.ComputeURL()+"/servers/"+s.ID, tok, nil, "OpenStack-API-Version: compute "+tc.mv)
		srv, _ := r.body["server"].(map[string]any)
		if srv["id"] != s.ID || srv["name"] != "web-1" || srv["status"] != "SHUTOFF" ||
			srv["OS-EXT-STS:vm_state"] != "stopped" || srv["OS-EXT-STS:task_state"] != nil || srv["tenant_id"] != c.ProjectID() {
			t.Errorf("%s: server %s", tc.mv, r.raw)
		}
		if _, ok := dig(srv, "flavor", tc.flavor).(any); !ok || dig(srv, "flavor", tc.flavor) == nil {
			t.Errorf("%s: flavor %v", tc.mv, srv["flavor"])
		}
		if _, ok := srv["tags"]; ok != tc.tags {
			t.Errorf("%s: tags present %v", tc.mv, ok)
		}
	}
	c.SetServer(Server{ID: s.ID, Status: "ACTIVE", TaskState: "rebooting"})
	if got, _ := c.GetServer(s.ID); got.VMState != "active" || got.TaskState != "rebooting" || got.Name != "web-1" {
		t.Errorf("after SetServer: %+v", got)
	}
	// os-stop and os-start are simulated (power.go); pause is not.
	r := do(t, http.MethodPost, c.ComputeURL()+"/servers/"+s.ID+"/action", tok, map[string]any{"pause": nil})
	if r.status != 400 || r.str("badRequest", "message") != "There is no such action: pause" {
		t.Errorf("unknown action: %d %s", r.status, r.raw)
	}
	r = do(t, http.MethodPost, c.ComputeURL()+"/servers/"+s.ID+"/action", tok, "{oops")
	if r.status != 400 {
		t.Errorf("malformed action: %d %s", r.status, r.raw)
	}
	if c.Calls(OpCreateImage) != 0 || c.Calls(OpOther) != 2 {
		t.Errorf("ledger %v", c.Ledger())
	}
}

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
	c, tok := newLoggedInCloud(t, Options{})
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
