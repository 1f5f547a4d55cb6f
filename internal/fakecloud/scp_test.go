package fakecloud

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud/cloudtest"
)

func TestSCPSnapshotLifecycle(t *testing.T) {
	c := newTestCloud(t, Options{QueuedFor: 150 * time.Millisecond, SavingFor: 150 * time.Millisecond})
	srv := c.AddServer(Server{Name: "web-1"})

	r := scpDo(t, c, scpReq{path: "/v1/servers/" + srv.ID})
	if r.status != 200 || r.str("id") != srv.ID || r.str("state") != "ACTIVE" || r.body["server"] != nil {
		t.Fatalf("server: %d %s", r.status, r.raw)
	}

	id := scpCreate(t, c, srv.ID, "web golden-3f2a9c1e")
	r = scpDo(t, c, scpReq{path: "/v1/images/" + id})
	if r.status != 200 || r.str("status") != StatusQueued || r.str("name") != "web golden-3f2a9c1e" || r.str("scp_image_type") != "custom" {
		t.Fatalf("new image: %d %s", r.status, r.raw)
	}
	// While it is built the image is a pending image only.
	pending := scpDo(t, c, scpReq{path: "/v1/pending-images"})
	listed := scpDo(t, c, scpReq{path: "/v1/images?name=web+golden-3f2a9c1e"})
	if !slices.Contains(pending.scpImageIDs(), id) || len(listed.scpImageIDs()) != 0 {
		t.Fatalf("while queued: pending %v, images %v", pending.scpImageIDs(), listed.scpImageIDs())
	}
	// A second snapshot while the first runs: the server is busy.
	r = scpDo(t, c, scpReq{method: http.MethodPost, path: "/v1/servers/" + srv.ID + "/images", body: map[string]string{"image_name": "again"}})
	if r.status != 409 || !strings.Contains(string(r.raw), "task_state") {
		t.Fatalf("create while busy: %d %s", r.status, r.raw)
	}

	waitFor(t, 5*time.Second, "active", func() bool {
		return scpDo(t, c, scpReq{path: "/v1/images/" + id}).str("status") == StatusActive
	})
	r = scpDo(t, c, scpReq{path: "/v1/images/" + id})
	if r.body["size"] == nil || r.str("checksum") == "" {
		t.Errorf("active image without size or checksum: %s", r.raw)
	}
	listed = scpDo(t, c, scpReq{path: "/v1/images?name=web+golden-3f2a9c1e"})
	pending = scpDo(t, c, scpReq{path: "/v1/pending-images"})
	if !slices.Equal(listed.scpImageIDs(), []string{id}) || len(pending.scpImageIDs()) != 0 {
		t.Fatalf("once active: images %v, pending %v", listed.scpImageIDs(), pending.scpImageIDs())
	}

	if r = scpDo(t, c, scpReq{method: http.MethodDelete, path: "/v1/images/" + id}); r.status != 204 {
		t.Fatalf("delete: %d %s", r.status, r.raw)
	}
	for _, m := range []string{http.MethodGet, http.MethodDelete} {
		if r = scpDo(t, c, scpReq{method: m, path: "/v1/images/" + id}); r.status != 404 || r.scpErrorCode() != "scp-virtualserver.image.not-found" {
			t.Errorf("%s after delete: %d %s", m, r.status, r.raw)
		}
	}
}

func TestSCPCreateImageErrors(t *testing.T) {
	c := newTestCloud(t, Options{})
	idle := c.AddServer(Server{})
	broken := c.AddServer(Server{Status: "ERROR"})
	busy := c.AddServer(Server{TaskState: "resize_prep"})
	tests := []struct {
		name     string
		serverID string
		body     any
		want     int
		wantText string
	}{
		{name: "unknown server", serverID: "0b6e5c1f-9d0a-4c55-9a53-1f3b2f0e7a10", body: map[string]string{"image_name": "x"}, want: 404, wantText: "scp-virtualserver.server.not-found"},
		{name: "server in error", serverID: broken.ID, body: map[string]string{"image_name": "x"}, want: 409, wantText: "vm_state error"},
		{name: "busy server", serverID: busy.ID, body: map[string]string{"image_name": "x"}, want: 409, wantText: "task_state resize_prep"},
		{name: "no image_name", serverID: idle.ID, body: map[string]string{"name": "x"}, want: 400, wantText: "value_error.missing"},
		{name: "image_name not a string", serverID: idle.ID, body: map[string]any{"image_name": 5}, want: 400, wantText: "type_error.str"},
		{name: "empty image_name", serverID: idle.ID, body: map[string]string{"image_name": ""}, want: 400, wantText: "min_length"},
		{name: "too long", serverID: idle.ID, body: map[string]string{"image_name": strings.Repeat("a", 256)}, want: 400, wantText: "max_length"},
		{name: "dot in name", serverID: idle.ID, body: map[string]string{"image_name": "web.golden"}, want: 400, wantText: "value_error.str.regex"},
		{name: "body not an object", serverID: idle.ID, body: []string{"x"}, want: 400, wantText: "type_error.dict"},
		{name: "longest valid name", serverID: idle.ID, body: map[string]string{"image_name": strings.Repeat("a", 255)}, want: 202},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := scpDo(t, c, scpReq{method: http.MethodPost, path: "/v1/servers/" + tc.serverID + "/images", body: tc.body})
			if r.status != tc.want || !strings.Contains(string(r.raw), tc.wantText) {
				t.Fatalf("status %d, want %d with %q: %s", r.status, tc.want, tc.wantText, r.raw)
			}
			if tc.want == 400 && !strings.HasPrefix(string(r.raw), "[") {
				t.Errorf("validation error is not the documented list: %s", r.raw)
			}
		})
	}
}

func TestSCPListImages(t *testing.T) {
	c := newTestCloud(t, Options{})
	base := time.Now().Add(-time.Hour)
	var ids []string
	for i := range 5 {
		img := c.AddImage(Image{Name: "img", CreatedAt: base.Add(time.Duration(i) * time.Minute)})
		ids = append(ids, img.ID)
	}
	c.AddImage(Image{Name: "other"})
	killed := c.AddImage(Image{Name: "img", Status: StatusKilled, CreatedAt: base.Add(-time.Minute)})

	// Newest first by default, paged with limit and marker.
	want := []string{ids[4], ids[3], ids[2], ids[1], ids[0], killed.ID}
	var got []string
	path := "/v1/images?limit=2&name=img"
	for range 10 {
		r := scpDo(t, c, scpReq{path: path})
		if r.status != 200 {
			t.Fatalf("%s: %d %s", path, r.status, r.raw)
		}
		page := r.scpImageIDs()
		got = append(got, page...)
		if len(page) < 2 {
			break
		}
		path = "/v1/images?limit=2&marker=" + page[len(page)-1] + "&name=img"
	}
	if !slices.Equal(got, want) {
		t.Errorf("paged listing %v, want %v", got, want)
	}

	tests := []struct {
		query   string
		want    int
		wantIDs []string
	}{
		{query: "status=killed", want: 200, wantIDs: []string{killed.ID}},
		{query: "name=img&sort=created_at:asc&limit=1", want: 200, wantIDs: []string{killed.ID}},
		{query: "name=img&visibility=public", want: 200, wantIDs: nil},
		{query: "scp_image_type=custom", want: 200, wantIDs: nil},
		{query: "visibility=everyone", want: 400},
		{query: "limit=0", want: 400},
		{query: "limit=1001", want: 400},
		{query: "limit=ten", want: 400},
		{query: "marker=0b6e5c1f-9d0a-4c55-9a53-1f3b2f0e7a10", want: 400},
		{query: "sort=colour:asc", want: 400},
	}
	for _, tc := range tests {
		r := scpDo(t, c, scpReq{path: "/v1/images?" + tc.query})
		if r.status != tc.want {
			t.Errorf("%s: %d, want %d: %s", tc.query, r.status, tc.want, r.raw)
			continue
		}
		if tc.want == 200 && !slices.Equal(r.scpImageIDs(), tc.wantIDs) {
			t.Errorf("%s: %v, want %v", tc.query, r.scpImageIDs(), tc.wantIDs)
		}
	}
}

func TestSCPUnknownPath(t *testing.T) {
	c := newTestCloud(t, Options{})
	for _, p := range []string{"/v1/flavors", "/v2/images"} {
		r := scpDo(t, c, scpReq{path: p})
		if r.status != 404 || r.scpErrorCode() == "" {
			t.Errorf("%s: %d %s", p, r.status, r.raw)
		}
	}
	if n := c.Calls(OpOther); n != 2 {
		t.Errorf("unknown paths counted as %d other calls", n)
	}
}

// TestSCPEndpointCatalog: the catalog is signed like the API, lists the
// virtual server front for SCPRegion among decoys, and the other region's
// entry leads nowhere.
func TestSCPEndpointCatalog(t *testing.T) {
	c := newTestCloud(t, Options{})
	r := scpDo(t, c, scpReq{base: c.SCPAuthURL(), path: "/endpoints", accountID: "acct-42"})
	if r.status != 200 {
		t.Fatalf("catalog: %d %s", r.status, r.raw)
	}
	var cat struct {
		Endpoints []struct {
			Region      string `json:"region"`
			ServiceType string `json:"service_type"`
			ServiceName string `json:"service_name"`
			URL         string `json:"url"`
		} `json:"endpoints"`
	}
	if err := json.Unmarshal(r.raw, &cat); err != nil {
		t.Fatal(err)
	}
	var here, elsewhere string
	for _, e := range cat.Endpoints {
		switch {
		case e.ServiceType == "scp-virtualserver" && e.Region == c.SCPRegion():
			here = e.URL
		case e.ServiceType == "scp-virtualserver":
			elsewhere = e.URL
		}
	}
	if here != c.SCPURL() || elsewhere == "" || len(cat.Endpoints) < 3 {
		t.Fatalf("catalog %s", r.raw)
	}
	if r := scpDo(t, c, scpReq{base: elsewhere, path: "/v1/images"}); r.status != 404 {
		t.Errorf("the other region's endpoint answered %d %s", r.status, r.raw)
	}
	if r := scpDo(t, c, scpReq{base: c.SCPAuthURL(), path: "/endpoints", unsigned: true}); r.status != 404 {
		t.Errorf("unsigned catalog read: %d %s", r.status, r.raw)
	}
	if r := scpDo(t, c, scpReq{base: c.SCPAuthURL(), path: "/endpoints", secretKey: "wrong-secret"}); r.status != 401 {
		t.Errorf("catalog read with a wrong key: %d %s", r.status, r.raw)
	}
}

// TestSCPSignatureVector checks the verifier against signatures computed
// outside Go (cloudtest.SCPSignatureVectors), so that it is not checked
// against itself; the driver's signer is checked against the same ones.
func TestSCPSignatureVector(t *testing.T) {
	for _, tc := range cloudtest.SCPSignatureVectors {
		if got := scpSignature(tc.SecretKey, tc.Method, tc.URL, tc.Timestamp, tc.AccessKey, tc.AccountID, "Openapi"); got != tc.Want {
			t.Errorf("%s %s: signature %s, want %s", tc.Method, tc.URL, got, tc.Want)
		}
	}
}

func TestSCPAuthentication(t *testing.T) {
	c := newTestCloud(t, Options{})
	tests := []struct {
		name     string
		req      scpReq
		want     int
		wantCode string
	}{
		{name: "valid", req: scpReq{}, want: 200},
		{name: "valid with account ID", req: scpReq{accountID: "acct-42"}, want: 200},
		{name: "no signature headers: 404 like the real gateway", req: scpReq{unsigned: true}, want: 404},
		{name: "account ID sent but not signed", req: scpReq{sentAccount: scpStrPtr("acct-42")}, want: 401,
			wantCode: "scp-openapi.authentication.signature-mismatch"},
		{name: "wrong secret key", req: scpReq{secretKey: "not-the-secret"}, want: 401,
			wantCode: "scp-openapi.authentication.signature-mismatch"},
		{name: "unknown access key", req: scpReq{accessKey: "AKunknown"}, want: 401,
			wantCode: "scp-openapi.authentication.invalid-access-key"},
		{name: "stale timestamp", req: scpReq{at: time.Now().Add(-6 * time.Minute)}, want: 401,
			wantCode: "scp-openapi.authentication.expired-timestamp"},
		{name: "timestamp from the future", req: scpReq{at: time.Now().Add(6 * time.Minute)}, want: 401,
			wantCode: "scp-openapi.authentication.expired-timestamp"},
		{name: "slightly skewed clock is fine", req: scpReq{at: time.Now().Add(-4 * time.Minute)}, want: 200},
		{name: "other client type", req: scpReq{clientType: "Console"}, want: 401,
			wantCode: "scp-openapi.authentication.invalid-client-type"},
		{name: "signed another query", req: scpReq{signedPath: "/v1/images?limit=2"}, want: 401,
			wantCode: "scp-openapi.authentication.signature-mismatch"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.req
			r.path = "/v1/images?limit=1"
			got := scpDo(t, c, r)
			if got.status != tc.want || got.scpErrorCode() != tc.wantCode {
				t.Fatalf("status %d code %q, want %d %q: %s", got.status, got.scpErrorCode(), tc.want, tc.wantCode, got.raw)
			}
			if strings.Contains(string(got.raw), c.SCPSecretKey()) {
				t.Errorf("the answer echoes the secret key")
			}
			if tc.want == 404 && (got.str("error") != "Not Found" || got.str("path") == "") {
				t.Errorf("unauthenticated 404 is not the Spring-style envelope: %s", got.raw)
			}
		})
	}
}

func TestSCPAPIVersion(t *testing.T) {
	c := newTestCloud(t, Options{})
	tests := []struct {
		header string
		want   int
	}{
		{"", 200}, // the gateway's latest
		{"virtualserver 1.3", 200},
		{"virtualserver 1.2", 200},
		{"virtualserver 1.1", 200},
		{"virtualserver 1.0", 200},
		{"virtualserver 2.0", 400},
		{"compute 1.3", 400},
		{"1.3", 400},
	}
	for _, tc := range tests {
		r := scpDo(t, c, scpReq{path: "/v1/images?limit=1", apiVersion: tc.header})
		if r.status != tc.want {
			t.Errorf("Scp-Api-Version %q: status %d, want %d: %s", tc.header, r.status, tc.want, r.raw)
		}
		if tc.want == 400 && r.scpErrorCode() != "scp-openapi.api-version.unsupported" {
			t.Errorf("Scp-Api-Version %q: error body %s", tc.header, r.raw)
		}
	}
}

func TestSCPFaultsUseSCPErrors(t *testing.T) {
	c := newTestCloud(t, Options{})
	srv := c.AddServer(Server{})
	c.InjectFault(Fault{Op: OpCreateImage, Status: http.StatusTooManyRequests, RetryAfter: "7"})
	r := scpDo(t, c, scpReq{method: http.MethodPost, path: "/v1/servers/" + srv.ID + "/images", body: map[string]string{"image_name": "x"}})
	if r.status != 429 || r.header.Get("Retry-After") != "7" || r.scpErrorCode() != "scp-virtualserver.too-many-requests" {
		t.Fatalf("429 fault: %d %v %s", r.status, r.header, r.raw)
	}
	if n := len(c.Images()); n != 0 {
		t.Errorf("a failed create made %d images", n)
	}
	if c.Calls(OpCreateImage) != 1 {
		t.Errorf("ledger: %v", c.Ledger())
	}

	// A dropped response: the create commits, the client sees the
	// connection close.
	c.InjectFault(Fault{Op: OpCreateImage, DropResponse: true})
	if r, err := scpSend(c, scpReq{method: http.MethodPost, path: "/v1/servers/" + srv.ID + "/images", body: map[string]string{"image_name": "dropped"}}); err == nil {
		t.Fatalf("dropped response answered %d %s", r.status, r.raw)
	}
	imgs := c.Images()
	if len(imgs) != 1 || imgs[0].Name != "dropped" || imgs[0].Status != StatusQueued {
		t.Fatalf("after the dropped create the cloud has %+v", imgs)
	}

	// An unsigned request meets the fault too (faults come first, as for
	// every dialect) but the signature check still refuses to create.
	c.InjectFault(Fault{Op: OpCreateImage, DropResponse: true})
	if _, err := scpSend(c, scpReq{unsigned: true, method: http.MethodPost, path: "/v1/servers/" + srv.ID + "/images", body: map[string]string{"image_name": "unsigned"}}); err == nil {
		t.Fatalf("dropped response answered")
	}
	if n := len(c.Images()); n != 1 {
		t.Errorf("an unsigned create made an image: %d images", n)
	}
}
