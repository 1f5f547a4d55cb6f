package fakecloud

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestKeystoneAuth(t *testing.T) {
	c := newTestCloud(t, Options{})
	identity := func(methods []string, extra map[string]any) map[string]any {
		id := map[string]any{"methods": methods}
		for k, v := range extra {
			id[k] = v
		}
		return id
	}
	pw := func(user map[string]any) map[string]any {
		return identity([]string{"password"}, map[string]any{"password": map[string]any{"user": user}})
	}
	appcred := func(ac map[string]any) map[string]any {
		return identity([]string{"application_credential"}, map[string]any{"application_credential": ac})
	}
	byName := map[string]any{"name": "demo", "domain": map[string]any{"name": "Default"}, "password": "secret"}
	projByName := map[string]any{"project": map[string]any{"name": "demo", "domain": map[string]any{"name": "Default"}}}
	projByID := map[string]any{"project": map[string]any{"id": c.ProjectID()}}

	tests := []struct {
		name       string
		identity   map[string]any
		scope      any
		wantStatus int
		wantMethod string
	}{
		{"password by name, project by name", pw(byName), projByName, 201, "password"},
		{"password by user id, project by id", pw(map[string]any{"id": c.UserID(), "password": "secret"}), projByID, 201, "password"},
		{"password, domain by id", pw(map[string]any{"name": "demo", "domain": map[string]any{"id": "default"}, "password": "secret"}), projByID, 201, "password"},
		{"password, no scope uses default project", pw(byName), nil, 201, "password"},
		{"wrong password", pw(map[string]any{"name": "demo", "domain": map[string]any{"name": "Default"}, "password": "nope"}), projByName, 401, ""},
		{"unknown user", pw(map[string]any{"name": "eve", "domain": map[string]any{"name": "Default"}, "password": "secret"}), projByName, 401, ""},
		{"wrong domain", pw(map[string]any{"name": "demo", "domain": map[string]any{"name": "Other"}, "password": "secret"}), projByName, 401, ""},
		{"user without domain", pw(map[string]any{"name": "demo", "password": "secret"}), projByName, 400, ""},
		{"unknown project", pw(byName), map[string]any{"project": map[string]any{"id": "nope"}}, 401, ""},
		{"domain scope", pw(byName), map[string]any{"domain": map[string]any{"id": "default"}}, 401, ""},
		{"app cred by id", appcred(map[string]any{"id": c.Options().AppCredID, "secret": "appcred-secret"}), nil, 201, "application_credential"},
		{"app cred by name and user id", appcred(map[string]any{"name": "fakecloud", "secret": "appcred-secret", "user": map[string]any{"id": c.UserID()}}), nil, 201, "application_credential"},
		{"app cred by name and user name", appcred(map[string]any{"name": "fakecloud", "secret": "appcred-secret", "user": map[string]any{"name": "demo", "domain": map[string]any{"name": "Default"}}}), nil, 201, "application_credential"},
		{"app cred wrong secret", appcred(map[string]any{"id": c.Options().AppCredID, "secret": "x"}), nil, 401, ""},
		{"app cred unknown id", appcred(map[string]any{"id": "nope", "secret": "appcred-secret"}), nil, 401, ""},
		{"app cred with scope", appcred(map[string]any{"id": c.Options().AppCredID, "secret": "appcred-secret"}), projByID, 401, ""},
		{"unknown method", identity([]string{"totp"}, nil), nil, 401, ""},
		{"no methods", identity(nil, nil), nil, 400, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			auth := map[string]any{"identity": tc.identity}
			if tc.scope != nil {
				auth["scope"] = tc.scope
			}
			r := do(t, http.MethodPost, c.IdentityURL()+"/auth/tokens", "", map[string]any{"auth": auth})
			if r.status != tc.wantStatus {
				t.Fatalf("status %d, want %d: %s", r.status, tc.wantStatus, r.raw)
			}
			if tc.wantStatus != 201 {
				if code, _ := dig(r.body, "error", "code").(float64); int(code) != tc.wantStatus || r.str("error", "title") == "" {
					t.Errorf("error body %s", r.raw)
				}
				if r.header.Get("X-Subject-Token") != "" {
					t.Error("failed auth returned a token")
				}
				return
			}
			tok := r.header.Get("X-Subject-Token")
			if tok == "" {
				t.Fatal("no X-Subject-Token")
			}
			if got := r.str("token", "project", "id"); got != c.ProjectID() {
				t.Errorf("project id %q", got)
			}
			if m, _ := dig(r.body, "token", "methods").([]any); len(m) != 1 || m[0] != tc.wantMethod {
				t.Errorf("methods %v", m)
			}
			exp, err := time.Parse(time.RFC3339Nano, r.str("token", "expires_at"))
			if err != nil || exp.Sub(time.Now()) < 59*time.Minute || exp.Sub(time.Now()) > time.Hour {
				t.Errorf("expires_at %q (%v)", r.str("token", "expires_at"), err)
			}
			// The token works against Nova.
			if g := do(t, http.MethodGet, c.ComputeURL()+"/servers/nope", tok, nil); g.status != 404 {
				t.Errorf("token rejected by nova: %d", g.status)
			}
		})
	}
}

func TestKeystoneCatalog(t *testing.T) {
	c := newTestCloud(t, Options{Region: "R2"})
	r := do(t, http.MethodPost, c.IdentityURL()+"/auth/tokens", "", passwordAuth("demo", "secret"))
	catalog, _ := dig(r.body, "token", "catalog").([]any)
	want := map[string]string{
		"compute":        c.URL() + "/compute/v2.1",
		"image":          c.URL() + "/image",
		"identity":       c.URL() + "/identity",
		"compute_legacy": c.URL() + "/compute/v2/" + c.ProjectID(),
		"block-storage":  c.URL() + "/volume/v3/" + c.ProjectID(),
	}
	for _, e := range catalog {
		typ, _ := dig(e, "type").(string)
		eps, _ := dig(e, "endpoints").([]any)
		if len(eps) != 3 {
			t.Errorf("%s: %d endpoints", typ, len(eps))
		}
		ifaces := map[string]bool{}
		for _, ep := range eps {
			ifaces[dig(ep, "interface").(string)] = true
			if dig(ep, "url") != want[typ] || dig(ep, "region_id") != "R2" || dig(ep, "region") != "R2" {
				t.Errorf("%s endpoint %v", typ, ep)
			}
		}
		if !ifaces["public"] || !ifaces["internal"] || !ifaces["admin"] {
			t.Errorf("%s interfaces %v", typ, ifaces)
		}
		delete(want, typ)
	}
	if len(want) != 0 {
		t.Errorf("missing catalog entries %v", want)
	}
}

func TestTokenExpiry(t *testing.T) {
	c := newTestCloud(t, Options{TokenTTL: 300 * time.Millisecond})
	r := do(t, http.MethodPost, c.IdentityURL()+"/auth/tokens", "", passwordAuth("demo", "secret"))
	tok := r.header.Get("X-Subject-Token")
	issued, _ := time.Parse(time.RFC3339Nano, r.str("token", "issued_at"))
	exp, _ := time.Parse(time.RFC3339Nano, r.str("token", "expires_at"))
	if d := exp.Sub(issued); d != 300*time.Millisecond {
		t.Errorf("expires_at - issued_at = %v", d)
	}
	s := c.AddServer(Server{})
	if g := do(t, http.MethodGet, c.ComputeURL()+"/servers/"+s.ID, tok, nil); g.status != 200 {
		t.Fatalf("fresh token: %d", g.status)
	}
	time.Sleep(350 * time.Millisecond)
	tests := []struct{ name, url string }{
		{"nova", c.ComputeURL() + "/servers/" + s.ID},
		{"glance", c.ImageURL() + "/v2/images"},
	}
	for _, tc := range tests {
		g := do(t, http.MethodGet, tc.url, tok, nil)
		if g.status != 401 {
			t.Errorf("%s: expired token got %d", tc.name, g.status)
		}
		if !strings.HasPrefix(g.header.Get("WWW-Authenticate"), "Keystone uri=") {
			t.Errorf("%s: WWW-Authenticate %q", tc.name, g.header.Get("WWW-Authenticate"))
		}
	}
}

func TestExpireTokensAndUnauthenticated(t *testing.T) {
	c, tok := newLoggedInCloud(t, Options{})
	s := c.AddServer(Server{})
	c.ExpireTokens()
	tests := []struct {
		name, url, tok string
		check          func(resp) bool
	}{
		// keystonemiddleware answers for Nova, in Keystone's shape.
		{"nova expired", c.ComputeURL() + "/servers/" + s.ID, tok, func(r resp) bool { return r.str("error", "message") != "" }},
		{"nova no token", c.ComputeURL() + "/servers/" + s.ID, "", func(r resp) bool { return r.str("error", "message") != "" }},
		{"glance expired", c.ImageURL() + "/v2/images", tok, func(r resp) bool { return r.str("code") == "401 Unauthorized" }},
		{"glance garbage", c.ImageURL() + "/v2/images/x", "garbage", func(r resp) bool { return r.str("title") == "Unauthorized" }},
	}
	for _, tc := range tests {
		r := do(t, http.MethodGet, tc.url, tc.tok, nil)
		if r.status != 401 || !tc.check(r) {
			t.Errorf("%s: %d %s", tc.name, r.status, r.raw)
		}
	}
	if r := do(t, http.MethodGet, c.ComputeURL()+"/servers/"+s.ID, login(t, c), nil); r.status != 200 {
		t.Errorf("new token after ExpireTokens: %d", r.status)
	}
}

func TestKeystoneValidateAndDiscovery(t *testing.T) {
	c, tok := newLoggedInCloud(t, Options{})
	r := do(t, http.MethodGet, c.IdentityURL()+"/auth/tokens", tok, nil, "X-Subject-Token: "+tok)
	if r.status != 200 || r.header.Get("X-Subject-Token") != tok || r.str("token", "user", "name") != "demo" {
		t.Errorf("validate: %d %s", r.status, r.raw)
	}
	if r := do(t, http.MethodGet, c.IdentityURL()+"/auth/tokens", tok, nil, "X-Subject-Token: nope"); r.status != 404 {
		t.Errorf("validate unknown: %d", r.status)
	}
	root := do(t, http.MethodGet, c.URL()+"/identity/", "", nil)
	values, _ := dig(root.body, "versions", "values").([]any)
	if root.status != 300 || len(values) != 1 || dig(values[0], "id") != keystoneVersionID {
		t.Errorf("identity root: %d %s", root.status, root.raw)
	}
	v3 := do(t, http.MethodGet, c.IdentityURL(), "", nil)
	if v3.status != 200 || v3.str("version", "status") != "stable" {
		t.Errorf("identity v3: %d %s", v3.status, v3.raw)
	}
	if r := do(t, http.MethodDelete, c.IdentityURL()+"/auth/tokens", tok, nil, "X-Subject-Token: "+tok); r.status != 204 {
		t.Errorf("revoke: %d", r.status)
	}
	if r := do(t, http.MethodGet, c.ImageURL()+"/v2/images", tok, nil); r.status != 401 {
		t.Errorf("revoked token: %d", r.status)
	}
	if r := do(t, http.MethodPost, c.IdentityURL()+"/auth/tokens", "", "{not json"); r.status != 400 {
		t.Errorf("malformed auth body: %d", r.status)
	}
}
