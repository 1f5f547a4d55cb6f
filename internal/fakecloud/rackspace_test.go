package fakecloud

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud/cloudtest"
)

func rackspaceAPIKeyAuth(user, key string) map[string]any {
	return map[string]any{"auth": map[string]any{
		"RAX-KSKEY:apiKeyCredentials": map[string]any{"username": user, "apiKey": key},
	}}
}

func rackspacePasswordAuth(user, pass string) map[string]any {
	return map[string]any{"auth": map[string]any{
		"passwordCredentials": map[string]any{"username": user, "password": pass},
	}}
}

// rackspaceLogin returns a token for the default user (API key).
func rackspaceLogin(t *testing.T, c *Cloud) string {
	t.Helper()
	r := do(t, http.MethodPost, c.RackspaceIdentityURL()+"/tokens", "", rackspaceAPIKeyAuth(c.RackspaceUsername(), c.RackspaceAPIKey()))
	if r.status != http.StatusOK {
		t.Fatalf("auth: %d %s", r.status, r.raw)
	}
	return r.str("access", "token", "id")
}

func rackspaceCreate(t *testing.T, base, tok, serverID, name string, meta map[string]string) resp {
	t.Helper()
	entity := map[string]any{"name": name}
	if meta != nil {
		entity["metadata"] = meta
	}
	return do(t, http.MethodPost, base+"/servers/"+serverID+"/action", tok, map[string]any{"createImage": entity})
}

// wantRackspaceFault checks a {"<name>":{"code","message"}} answer.
func wantRackspaceFault(t *testing.T, r resp, status int, name, msgPart string) {
	t.Helper()
	code, _ := dig(r.body, name, "code").(float64)
	if r.status != status || int(code) != status || !strings.Contains(r.str(name, "message"), msgPart) {
		t.Errorf("want %d %s containing %q, got %d %s", status, name, msgPart, r.status, r.raw)
	}
}

func TestRackspaceIdentity(t *testing.T) {
	c := newTestCloud(t, Options{})
	url := c.RackspaceIdentityURL() + "/tokens"
	tests := []struct {
		name    string
		body    any
		status  int
		fault   string
		message string
		by      string
	}{
		{name: "api key", body: rackspaceAPIKeyAuth("demo", c.RackspaceAPIKey()), status: 200, by: "APIKEY"},
		{name: "password", body: rackspacePasswordAuth("demo", "secret"), status: 200, by: "PASSWORD"},
		{name: "wrong api key", body: rackspaceAPIKeyAuth("demo", "0123456789abcdef0123456789abcdef"), status: 401, fault: "unauthorized", message: rackspaceBadAPIKey},
		{name: "password as api key", body: rackspaceAPIKeyAuth("demo", "secret"), status: 401, fault: "unauthorized", message: rackspaceBadAPIKey},
		{name: "wrong user", body: rackspaceAPIKeyAuth("mallory", c.RackspaceAPIKey()), status: 401, fault: "unauthorized", message: rackspaceBadAPIKey},
		{name: "wrong password", body: rackspacePasswordAuth("demo", "nope"), status: 401, fault: "unauthorized", message: rackspaceBadPassword},
		{name: "matching tenant", body: map[string]any{"auth": map[string]any{"tenantId": c.RackspaceTenantID(),
			"RAX-KSKEY:apiKeyCredentials": map[string]any{"username": "demo", "apiKey": c.RackspaceAPIKey()}}}, status: 200, by: "APIKEY"},
		{name: "foreign tenant", body: map[string]any{"auth": map[string]any{"tenantId": "42",
			"RAX-KSKEY:apiKeyCredentials": map[string]any{"username": "demo", "apiKey": c.RackspaceAPIKey()}}}, status: 401, fault: "unauthorized", message: "not valid"},
		{name: "keystone v3 body", body: passwordAuth("demo", "secret"), status: 400, fault: "badRequest", message: rackspaceBadBody},
		{name: "both credential types", body: map[string]any{"auth": map[string]any{
			"RAX-KSKEY:apiKeyCredentials": map[string]any{"username": "demo", "apiKey": c.RackspaceAPIKey()},
			"passwordCredentials":         map[string]any{"username": "demo", "password": "secret"}}}, status: 400, fault: "badRequest"},
		{name: "not json", body: "{", status: 400, fault: "badRequest", message: rackspaceBadBody},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := do(t, http.MethodPost, url, "", tc.body)
			if tc.status != 200 {
				wantRackspaceFault(t, r, tc.status, tc.fault, tc.message)
				return
			}
			if r.status != 200 {
				t.Fatalf("status %d: %s", r.status, r.raw)
			}
			exp, err := time.Parse(time.RFC3339, r.str("access", "token", "expires"))
			if err != nil || time.Until(exp) < 59*time.Minute {
				t.Errorf("expires %q: %v", r.str("access", "token", "expires"), err)
			}
			if r.str("access", "token", "tenant", "id") != c.RackspaceTenantID() || r.str("access", "user", "RAX-AUTH:defaultRegion") != "DFW" {
				t.Errorf("tenant or default region: %s", r.raw)
			}
			if by, _ := dig(r.body, "access", "token", "RAX-AUTH:authenticatedBy").([]any); len(by) != 1 || by[0] != tc.by {
				t.Errorf("authenticatedBy %v, want %s", by, tc.by)
			}
			// Two compute services; only cloudServersOpenStack has regions.
			catalog, _ := dig(r.body, "access", "serviceCatalog").([]any)
			got := map[string]string{}
			for _, e := range catalog {
				svc := e.(map[string]any)
				if svc["type"] != "compute" {
					continue
				}
				for _, ep := range svc["endpoints"].([]any) {
					m := ep.(map[string]any)
					region, _ := m["region"].(string)
					got[svc["name"].(string)+"/"+region] = m["publicURL"].(string)
				}
			}
			want := map[string]string{
				"cloudServers/":             c.URL() + "/rackspace/servers/v1.0/" + c.RackspaceTenantID(),
				"cloudServersOpenStack/DFW": c.RackspaceComputeURL("DFW"),
				"cloudServersOpenStack/ORD": c.RackspaceComputeURL("ORD"),
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("compute catalog\n got %v\nwant %v", got, want)
			}
		})
	}
	if n := c.Calls(OpAuth); n != len(tests) {
		t.Errorf("ledger counts %d auth calls, want %d", n, len(tests))
	}
}

func TestRackspaceCreateImageAnswersWithLocationOnly(t *testing.T) {
	c := newTestCloud(t, Options{QueuedFor: time.Hour})
	tok := rackspaceLogin(t, c)
	for _, region := range []string{"DFW", "ORD"} {
		t.Run(region, func(t *testing.T) {
			base := c.RackspaceComputeURL(region)
			s := c.AddServer(Server{})
			r := rackspaceCreate(t, base, tok, s.ID, "snap", map[string]string{"ImageType": "Gold"})
			if r.status != http.StatusAccepted || len(r.raw) != 0 {
				t.Fatalf("want 202 with empty body, got %d %q", r.status, r.raw)
			}
			for _, h := range []string{"OpenStack-API-Version", "X-OpenStack-Nova-API-Version", "Vary"} {
				if v := r.header.Get(h); v != "" {
					t.Errorf("microversion header %s: %q", h, v)
				}
			}
			loc := r.header.Get("Location")
			id, ok := strings.CutPrefix(loc, base+"/images/")
			if !ok {
				t.Fatalf("Location %q is not under %s/images/", loc, base)
			}
			img, exists := c.Image(id)
			if !exists || img.Properties["ImageType"] != "Gold" || img.Properties["instance_uuid"] != s.ID {
				t.Fatalf("image %+v", img)
			}
			g := do(t, http.MethodGet, loc, tok, nil)
			if g.status != 200 || g.str("image", "status") != "SAVING" || dig(g.body, "image", "progress") != float64(25) ||
				g.str("image", "server", "id") != s.ID || g.str("image", "metadata", "ImageType") != "Gold" {
				t.Errorf("GET image: %d %s", g.status, g.raw)
			}
			srv := do(t, http.MethodGet, base+"/servers/"+s.ID, tok, nil)
			if srv.str("server", "OS-EXT-STS:task_state") == "" || srv.str("server", "status") != "ACTIVE" {
				t.Errorf("server during snapshot: %s", srv.raw)
			}
			busy := rackspaceCreate(t, base, tok, s.ID, "again", nil)
			wantRackspaceFault(t, busy, 409, "conflictingRequest", "task_state image_")
		})
	}
}

func TestRackspaceCreateImageRefusals(t *testing.T) {
	c := newTestCloud(t, Options{QueuedFor: time.Hour})
	tok := rackspaceLogin(t, c)
	base := c.RackspaceComputeURL("DFW")
	tests := []struct {
		name    string
		server  Server
		missing bool
		body    any
		status  int
		fault   string
		message string
	}{
		{name: "40 metadata items are fine", body: map[string]any{"createImage": map[string]any{"name": "n", "metadata": cloudtest.Metadata(40)}}, status: 202},
		{name: "41 metadata items", body: map[string]any{"createImage": map[string]any{"name": "n", "metadata": cloudtest.Metadata(41)}},
			status: 403, fault: "forbidden", message: "Image metadata limit exceeded"},
		{name: "41 metadata items on a missing server: the limit is checked first", missing: true,
			body:   map[string]any{"createImage": map[string]any{"name": "n", "metadata": cloudtest.Metadata(41)}},
			status: 403, fault: "forbidden", message: "Image metadata limit exceeded"},
		{name: "missing server", missing: true, body: map[string]any{"createImage": map[string]any{"name": "n"}},
			status: 404, fault: "itemNotFound", message: "could not be found"},
		{name: "server in error", server: Server{Status: "ERROR"}, body: map[string]any{"createImage": map[string]any{"name": "n"}},
			status: 409, fault: "conflictingRequest", message: "vm_state error"},
		{name: "server resizing", server: Server{TaskState: "resize_prep"}, body: map[string]any{"createImage": map[string]any{"name": "n"}},
			status: 409, fault: "conflictingRequest", message: "task_state resize_prep"},
		{name: "no name", body: map[string]any{"createImage": map[string]any{}}, status: 400, fault: "badRequest", message: "'name' is a required property"},
		{name: "other action", body: map[string]any{"reboot": map[string]any{"type": "SOFT"}}, status: 400, fault: "badRequest", message: "no such action: reboot"},
		{name: "malformed body", body: "{", status: 400, fault: "badRequest", message: "Malformed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			id := "2b7a4e1c-0000-4000-8000-00000000dead"
			if !tc.missing {
				id = c.AddServer(tc.server).ID
			}
			before := len(c.Images())
			r := do(t, http.MethodPost, base+"/servers/"+id+"/action", tok, tc.body)
			if tc.status == 202 {
				if r.status != 202 || r.header.Get("Location") == "" {
					t.Fatalf("got %d %s", r.status, r.raw)
				}
				return
			}
			wantRackspaceFault(t, r, tc.status, tc.fault, tc.message)
			if n := len(c.Images()); n != before {
				t.Errorf("a refused createImage created an image (%d -> %d)", before, n)
			}
		})
	}
}

func TestRackspaceTokenAndPathChecks(t *testing.T) {
	c := newTestCloud(t, Options{})
	tok := rackspaceLogin(t, c)
	ksTok := login(t, c)
	s := c.AddServer(Server{})
	base := c.RackspaceComputeURL("DFW")
	tests := []struct {
		name, method, url, tok string
		status                 int
		fault                  string
	}{
		{"valid", http.MethodGet, base + "/servers/" + s.ID, tok, 200, ""},
		{"lower-case region only", http.MethodGet, strings.Replace(base, "/dfw/", "/DFW/", 1) + "/servers/" + s.ID, tok, 404, "itemNotFound"},
		{"no token", http.MethodGet, base + "/servers/" + s.ID, "", 401, "unauthorized"},
		{"keystone token", http.MethodGet, base + "/servers/" + s.ID, ksTok, 401, "unauthorized"},
		{"other tenant", http.MethodGet, c.URL() + "/rackspace/dfw/servers/v2/42/servers/" + s.ID, tok, 401, "unauthorized"},
		{"unknown server", http.MethodGet, base + "/servers/" + newUUID(), tok, 404, "itemNotFound"},
		{"seed typo /actions is not an endpoint", http.MethodPost, base + "/servers/" + s.ID + "/actions", tok, 404, "itemNotFound"},
		{"legacy v1.0 is listed, not served", http.MethodGet, c.URL() + "/rackspace/servers/v1.0/" + c.RackspaceTenantID() + "/servers/" + s.ID, tok, 404, "itemNotFound"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := do(t, tc.method, tc.url, tc.tok, nil)
			if tc.fault == "" {
				if r.status != tc.status || r.str("server", "id") != s.ID || r.str("server", "OS-EXT-STS:vm_state") != "active" {
					t.Errorf("got %d %s", r.status, r.raw)
				}
				return
			}
			wantRackspaceFault(t, r, tc.status, tc.fault, "")
		})
	}
	c.ExpireTokens()
	wantRackspaceFault(t, do(t, http.MethodGet, base+"/servers/"+s.ID, tok, nil), 401, "unauthorized", "X-Auth-Token")
}

func TestRackspaceListAndDeleteImages(t *testing.T) {
	c := newTestCloud(t, Options{})
	tok := rackspaceLogin(t, c)
	base := c.RackspaceComputeURL("DFW")
	a, b := c.AddServer(Server{}), c.AddServer(Server{})
	mk := func(server Server, name string) string {
		img := c.AddImage(Image{Name: name, ServerID: server.ID, Properties: map[string]string{"image_type": "snapshot"}})
		time.Sleep(2 * time.Millisecond) // distinct created_at, for a stable order
		return img.ID
	}
	a1, a2, b1 := mk(a, "one"), mk(a, "two"), mk(b, "one")

	ids := func(r resp) []string {
		var out []string
		list, _ := dig(r.body, "images").([]any)
		for _, e := range list {
			out = append(out, e.(map[string]any)["id"].(string))
		}
		return out
	}
	tests := []struct {
		name  string
		query string
		want  []string
	}{
		{"all, newest first", "", []string{b1, a2, a1}},
		{"by server", "?server=" + a.ID, []string{a2, a1}},
		{"by server URL", "?server=" + base + "/servers/" + a.ID, []string{a2, a1}},
		{"by server and name", "?server=" + a.ID + "&name=one", []string{a1}},
		{"by status", "?status=ACTIVE&name=two", []string{a2}},
		{"no match", "?server=" + a.ID + "&name=three", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := do(t, http.MethodGet, base+"/images/detail"+tc.query, tok, nil)
			if r.status != 200 || fmt.Sprint(ids(r)) != fmt.Sprint(tc.want) {
				t.Errorf("got %d %v, want %v (%s)", r.status, ids(r), tc.want, r.raw)
			}
		})
	}

	// Pagination: the next link stays under the Rackspace base.
	first := do(t, http.MethodGet, base+"/images/detail?limit=2", tok, nil)
	links, _ := dig(first.body, "images_links").([]any)
	if len(links) != 1 || fmt.Sprint(ids(first)) != fmt.Sprint([]string{b1, a2}) {
		t.Fatalf("first page: %s", first.raw)
	}
	next := links[0].(map[string]any)["href"].(string)
	if !strings.HasPrefix(next, base+"/images/detail?") {
		t.Fatalf("next link %q", next)
	}
	if second := do(t, http.MethodGet, next, tok, nil); fmt.Sprint(ids(second)) != fmt.Sprint([]string{a1}) {
		t.Errorf("second page: %s", second.raw)
	}

	if r := do(t, http.MethodDelete, base+"/images/"+a1, tok, nil); r.status != http.StatusNoContent {
		t.Fatalf("delete: %d %s", r.status, r.raw)
	}
	wantRackspaceFault(t, do(t, http.MethodGet, base+"/images/"+a1, tok, nil), 404, "itemNotFound", "")
	wantRackspaceFault(t, do(t, http.MethodDelete, base+"/images/"+a1, tok, nil), 404, "itemNotFound", "")
}

func TestRackspaceFaults(t *testing.T) {
	c := newTestCloud(t, Options{})
	tok := rackspaceLogin(t, c)
	base := c.RackspaceComputeURL("DFW")
	s := c.AddServer(Server{})
	img := c.AddImage(Image{ServerID: s.ID})
	create := func() resp { return rackspaceCreate(t, base, tok, s.ID, "snap", nil) }
	get := func(path string) func() resp {
		return func() resp { return do(t, http.MethodGet, base+path, tok, nil) }
	}
	tests := []struct {
		name  string
		fault Fault
		call  func() resp
		// code and message are the fault body wanted, with fault.Status.
		code, message string
		// check, when set, checks more of the answer.
		check func(t *testing.T, r resp)
	}{
		{
			name: "413 overLimit with Retry-After and retryAt", fault: Fault{Op: OpCreateImage, Status: 413, RetryAfter: "1"}, call: create,
			code: "overLimit", message: "rate-limited",
			check: func(t *testing.T, r resp) {
				at, err := time.Parse(time.RFC3339, r.str("overLimit", "retryAt"))
				if r.header.Get("Retry-After") != "1" || err != nil || at.Before(time.Now()) || at.After(time.Now().Add(3*time.Second)) {
					t.Errorf("Retry-After %q retryAt %q: %v", r.header.Get("Retry-After"), r.str("overLimit", "retryAt"), err)
				}
				if r.str("overLimit", "retryAfter") != "" {
					t.Errorf("Rackspace bodies carry retryAt, not retryAfter: %s", r.raw)
				}
			},
		},
		{
			name: "413 with an HTTP date", fault: Fault{Op: OpCreateImage, Status: 413, RetryAfter: "Tue, 01 Jan 2030 00:00:00 GMT"}, call: create,
			code: "overLimit",
			check: func(t *testing.T, r resp) {
				if r.str("overLimit", "retryAt") != "2030-01-01T00:00:00Z" {
					t.Errorf("retryAt: %s", r.raw)
				}
			},
		},
		{name: "409 custom message", fault: Fault{Op: OpCreateImage, Status: 409, Message: "Build in progress"}, call: create,
			code: "conflictingRequest", message: "Build in progress"},
		{name: "500 on getImage", fault: Fault{Op: OpGetImage, Status: 500}, call: get("/images/" + img.ID), code: "computeFault"},
		{name: "503 on listImages", fault: Fault{Op: OpListImages, Status: 503}, call: get("/images/detail?server=" + s.ID), code: "serviceUnavailable"},
		{name: "500 on identity", fault: Fault{Op: OpAuth, Status: 500}, code: "identityFault",
			call: func() resp {
				return do(t, http.MethodPost, c.RackspaceIdentityURL()+"/tokens", "", rackspaceAPIKeyAuth("demo", c.RackspaceAPIKey()))
			}},
		{name: "404 on deleteImage", fault: Fault{Op: OpDeleteImage, Status: 404}, code: "itemNotFound",
			call: func() resp { return do(t, http.MethodDelete, base+"/images/"+img.ID, tok, nil) }},
		{name: "401 on getServer", fault: Fault{Op: OpGetServer, Status: 401}, call: get("/servers/" + s.ID), code: "unauthorized"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c.ClearFaults()
			c.InjectFault(tc.fault)
			r := tc.call()
			wantRackspaceFault(t, r, tc.fault.Status, tc.code, tc.message)
			if tc.check != nil {
				tc.check(t, r)
			}
		})
	}
}

func TestRackspaceDroppedCreateResponseStillCreates(t *testing.T) {
	c := newTestCloud(t, Options{})
	tok := rackspaceLogin(t, c)
	s := c.AddServer(Server{})
	c.InjectFault(Fault{Op: OpCreateImage, DropResponse: true})
	body := map[string]any{"createImage": map[string]any{"name": "lost", "metadata": map[string]string{"serverimage_uid": "u1"}}}
	if _, err := doErr(http.MethodPost, c.RackspaceComputeURL("DFW")+"/servers/"+s.ID+"/action", tok, body); err == nil {
		t.Fatal("the response was not dropped")
	}
	imgs := c.Images()
	if len(imgs) != 1 || imgs[0].Properties["serverimage_uid"] != "u1" {
		t.Fatalf("images after a dropped create: %+v", imgs)
	}
	// The image is found again by server and name, key filtered client-side.
	r := do(t, http.MethodGet, c.RackspaceComputeURL("DFW")+"/images/detail?server="+s.ID+"&name=lost", tok, nil)
	if list, _ := dig(r.body, "images").([]any); len(list) != 1 || dig(list[0], "metadata", "serverimage_uid") != "u1" {
		t.Errorf("find again: %s", r.raw)
	}
	if c.Calls(OpCreateImage) != 1 || c.Calls(OpListImages) != 1 {
		t.Errorf("ledger %v", c.Ledger())
	}
}
