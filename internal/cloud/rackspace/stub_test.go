package rackspace

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
	"github.com/serverimage-operator/serverimage-operator/internal/cloud/cloudtest"
)

// stub is a minimal Rackspace for answer shapes the simulator does not
// produce: an identity that hands out one token and a catalog, and
// whatever compute handlers a test registers under /v2/123/.
type stub struct {
	*cloudtest.Stub

	mu sync.Mutex
	// identity answers POST /identity/v2.0/tokens; by default it hands
	// out stubAccess.
	identity http.HandlerFunc
}

const (
	stubUser   = "alice"
	stubAPIKey = "0c4f1e2d3b5a69788796a5b4c3d2e1f0"
	stubToken  = "tok-1"
	stubTenant = "123"
)

// stubAccess is a token answer with both compute services and DFW as the
// default region.
const stubAccess = `{"access":{"token":{"id":"tok-1","expires":"2999-01-01T00:00:00.000Z","tenant":{"id":"123","name":"123"}},
"user":{"id":"u1","name":"alice","RAX-AUTH:defaultRegion":"DFW"},
"serviceCatalog":[
 {"name":"cloudServers","type":"compute","endpoints":[{"tenantId":"123","publicURL":"%[1]s/v1.0/123"}]},
 {"name":"cloudServersOpenStack","type":"compute","endpoints":[
  {"region":"DFW","tenantId":"123","publicURL":"%[1]s/v2/123"},
  {"region":"ORD","tenantId":"123","publicURL":"%[1]s/ord/v2/123"}]}]}}`

func newStub(t *testing.T) *stub {
	t.Helper()
	s := &stub{Stub: cloudtest.NewStub(t, func(tok string) bool { return tok == stubToken },
		`{"unauthorized":{"code":401,"message":"No valid token provided."}}`)}
	s.identity = func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, 200, fmt.Sprintf(stubAccess, s.Srv.URL)) }
	s.Handle("POST /identity/v2.0/tokens", func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		h := s.identity
		s.mu.Unlock()
		h(w, r)
	})
	return s
}

func (s *stub) setIdentity(h http.HandlerFunc) {
	s.mu.Lock()
	s.identity = h
	s.mu.Unlock()
}

func (s *stub) provider(mut ...func(*cloud.Config)) *Provider {
	s.T.Helper()
	cfg := cloud.Config{
		Provider:    cloud.Rackspace,
		Credentials: map[string][]byte{"username": []byte(stubUser), "apiKey": []byte(stubAPIKey)},
		IdentityURL: s.Srv.URL + "/identity/v2.0",
		Timeout:     5 * time.Second,
	}
	for _, m := range mut {
		m(&cfg)
	}
	return newProvider(s.T, cfg)
}

var writeJSON = cloudtest.WriteJSON

func TestIdentityRequest(t *testing.T) {
	tests := []struct {
		name  string
		creds map[string][]byte
		want  string
	}{
		{"api key", map[string][]byte{"username": []byte(stubUser), "apiKey": []byte(stubAPIKey)},
			`{"auth":{"RAX-KSKEY:apiKeyCredentials":{"username":"alice","apiKey":"` + stubAPIKey + `"}}}`},
		{"password", map[string][]byte{"username": []byte(stubUser + "\n"), "password": []byte("pw with spaces \n")},
			`{"auth":{"passwordCredentials":{"username":"alice","password":"pw with spaces "}}}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newStub(t)
			p := s.provider(func(c *cloud.Config) { c.Credentials = tc.creds })
			if err := p.Authenticate(context.Background()); err != nil {
				t.Fatal(err)
			}
			reqs := s.Requests("/identity/")
			if len(reqs) != 1 {
				t.Fatalf("%d identity requests", len(reqs))
			}
			r := reqs[0]
			if r.Body != tc.want || r.Header.Get("Content-Type") != "application/json" || r.Header.Get("X-Auth-Token") != "" {
				t.Errorf("identity request %q headers %v", r.Body, r.Header)
			}
			if got := p.sess.Load(); got.token != stubToken || got.tenantID != stubTenant || got.compute != s.Srv.URL+"/v2/123" {
				t.Errorf("session %+v", got)
			}
		})
	}
}

func TestIdentityAnswers(t *testing.T) {
	tests := []struct {
		name   string
		status int
		body   string
		class  cloud.ErrorClass
		msg    string
	}{
		{"echoed api key is redacted", 401, `{"unauthorized":{"code":401,"message":"Bad key ` + stubAPIKey + `"}}`, cloud.ClassUnauthorized, "Bad key [redacted]"},
		{"user disabled", 403, `{"userDisabled":{"code":403,"message":"User 'alice' is disabled."}}`, cloud.ClassForbidden, "User 'alice' is disabled."},
		{"no token in the answer", 200, `{"access":{"token":{}}}`, cloud.ClassTransient, "no access.token.id"},
		{"not json", 200, `<html>proxy</html>`, cloud.ClassTransient, "malformed JSON"},
		{"no cloudServersOpenStack", 200, `{"access":{"token":{"id":"tok-1"},"serviceCatalog":[{"name":"cloudServers","type":"compute","endpoints":[]}]}}`,
			cloud.ClassInvalid, "no cloudServersOpenStack service (compute services: cloudServers)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newStub(t)
			s.setIdentity(func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, tc.status, tc.body) })
			err := s.provider().Authenticate(context.Background())
			ce := wantClass(t, err, tc.class)
			if !strings.Contains(ce.Message, tc.msg) || strings.Contains(err.Error(), stubAPIKey) || strings.Contains(fmt.Sprint(ce.Err), stubAPIKey) {
				t.Errorf("error %q does not say %q (or leaks the key)", ce.Message, tc.msg)
			}
		})
	}
}

func TestSelectCompute(t *testing.T) {
	dfw := catalogEndpoint{Region: "DFW", PublicURL: "https://dfw.example/v2/1/", InternalURL: "https://snet-dfw.example/v2/1"}
	ord := catalogEndpoint{Region: "ORD", PublicURL: "https://ord.example/v2/1"}
	legacy := catalogService{Name: "cloudServers", Type: "compute", Endpoints: []catalogEndpoint{{PublicURL: "https://legacy.example/v1.0/1"}}}
	both := []catalogService{legacy, {Name: computeServiceName, Type: "compute", Endpoints: []catalogEndpoint{dfw, ord}}}
	tests := []struct {
		name                 string
		catalog              []catalogService
		region, def, field   string
		want, wantErrContain string
	}{
		{name: "default region", catalog: both, def: "DFW", field: "publicURL", want: "https://dfw.example/v2/1"},
		{name: "Cloud region beats default", catalog: both, region: "ORD", def: "DFW", field: "publicURL", want: "https://ord.example/v2/1"},
		{name: "region case-insensitive", catalog: both, region: "ord", field: "publicURL", want: "https://ord.example/v2/1"},
		{name: "internal URL", catalog: both, def: "DFW", field: "internalURL", want: "https://snet-dfw.example/v2/1"},
		{name: "internal URL missing", catalog: both, region: "ORD", field: "internalURL", wantErrContain: "region ORD has no internalURL"},
		{name: "unknown Cloud region", catalog: both, region: "SYD", def: "DFW", field: "publicURL", wantErrContain: "in the Cloud's region SYD (available: DFW, ORD)"},
		{name: "unknown default region", catalog: both, def: "LON", field: "publicURL", wantErrContain: "in the user's default region LON (available: DFW, ORD)"},
		{name: "no region at all, several endpoints", catalog: both, field: "publicURL", wantErrContain: "no default region"},
		{name: "no region at all, one endpoint", catalog: []catalogService{{Name: computeServiceName, Endpoints: []catalogEndpoint{ord}}}, field: "publicURL", want: "https://ord.example/v2/1"},
		{name: "legacy only", catalog: []catalogService{legacy}, def: "DFW", field: "publicURL", wantErrContain: "compute services: cloudServers"},
		{name: "empty catalog", def: "DFW", field: "publicURL", wantErrContain: "compute services: none"},
		{name: "endpoint is not a URL", catalog: []catalogService{{Name: computeServiceName, Endpoints: []catalogEndpoint{{Region: "DFW", PublicURL: "dfw.example"}}}},
			def: "DFW", field: "publicURL", wantErrContain: "is not an http(s) URL"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := selectCompute(tc.catalog, tc.region, tc.def, tc.field)
			if tc.wantErrContain != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErrContain) {
					t.Fatalf("err = %v, want it to contain %q", err, tc.wantErrContain)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("selectCompute = %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func TestCreateImageAnswers(t *testing.T) {
	const id = "0a7e3f5c-9d2b-4c1e-8f00-5b6a7c8d9e0f"
	tests := []struct {
		name    string
		answer  func(w http.ResponseWriter, base string)
		wantID  string
		class   cloud.ErrorClass
		msg     string
		wantRA  time.Duration
		meta    map[string]string
		key     string
		wantReq string
	}{
		{
			name: "absolute Location", wantID: id, key: "uid-1", meta: map[string]string{"ImageType": "Gold"},
			wantReq: `{"createImage":{"name":"img","metadata":{"ImageType":"Gold","serverimage_uid":"uid-1"}}}`,
			answer: func(w http.ResponseWriter, base string) {
				w.Header().Set("Location", base+"/v2/123/images/"+id)
				w.WriteHeader(202)
			},
		},
		{
			name: "relative Location with a trailing slash; metadata sent even when empty", wantID: id,
			wantReq: `{"createImage":{"name":"img","metadata":{}}}`,
			answer: func(w http.ResponseWriter, _ string) {
				w.Header().Set("Location", "/v2/123/images/"+id+"/")
				w.WriteHeader(202)
			},
		},
		{
			name: "a 2.45-style body is not read", class: cloud.ClassTransient, msg: "no Location header",
			answer: func(w http.ResponseWriter, _ string) { writeJSON(w, 202, `{"image_id":"`+id+`"}`) },
		},
		{
			name: "Location without an ID", class: cloud.ClassTransient, msg: "names no image",
			answer: func(w http.ResponseWriter, base string) {
				w.Header().Set("Location", base+"/v2/123/images/")
				w.WriteHeader(202)
			},
		},
		{
			name: "413 with retryAt only", class: cloud.ClassRateLimited, msg: "Rate limit exceeded for POST /servers", wantRA: 90 * time.Second,
			answer: func(w http.ResponseWriter, _ string) {
				at := time.Now().Add(90 * time.Second).UTC().Format(time.RFC3339)
				writeJSON(w, 413, `{"overLimit":{"code":413,"message":"Rate limit exceeded for POST /servers","details":"retry later","retryAt":"`+at+`"}}`)
			},
		},
		{
			name: "409 buildInProgress is busy", class: cloud.ClassBusy, msg: "Server is being built",
			answer: func(w http.ResponseWriter, _ string) {
				writeJSON(w, 409, `{"buildInProgress":{"code":409,"message":"Server is being built"}}`)
			},
		},
		{
			name: "OnMetal refusal is terminal", class: cloud.ClassInvalid, msg: "not supported for OnMetal",
			answer: func(w http.ResponseWriter, _ string) {
				writeJSON(w, 400, `{"badRequest":{"code":400,"message":"createImage is not supported for OnMetal servers"}}`)
			},
		},
		{
			name: "200 is not the documented 202", class: cloud.ClassTransient, msg: "HTTP 200",
			answer: func(w http.ResponseWriter, _ string) { w.WriteHeader(200) },
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newStub(t)
			s.Handle("POST /v2/123/servers/srv1/action", func(w http.ResponseWriter, _ *http.Request) { tc.answer(w, s.Srv.URL) })
			got, err := s.provider().CreateImage(context.Background(), cloud.CreateImageRequest{
				ServerID: "srv1", Name: "img", Metadata: tc.meta, IdempotencyKey: tc.key,
			})
			if tc.class != "" {
				ce := wantClass(t, err, tc.class)
				if !strings.Contains(ce.Error(), tc.msg) {
					t.Errorf("error %q does not say %q", ce.Error(), tc.msg)
				}
				if d := ce.RetryAfter - tc.wantRA; d > time.Second || d < -2*time.Second {
					t.Errorf("RetryAfter %v, want about %v", ce.RetryAfter, tc.wantRA)
				}
				return
			}
			if err != nil || got != tc.wantID {
				t.Fatalf("CreateImage = %q, %v", got, err)
			}
			r := s.Requests("/v2/")[0]
			if r.Body != tc.wantReq {
				t.Errorf("request body %s, want %s", r.Body, tc.wantReq)
			}
			for _, h := range []string{"OpenStack-API-Version", "X-OpenStack-Nova-API-Version"} {
				if r.Header.Get(h) != "" {
					t.Errorf("sent microversion header %s", h)
				}
			}
		})
	}
}

func TestReadAnswers(t *testing.T) {
	ctx := context.Background()
	s := newStub(t)
	s.Handle("GET /v2/123/images/img203", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, 203, `{"image":{"id":"img203","status":"SAVING","progress":50.0,"metadata":{"serverimage_uid":7},"links":[{"rel":"self","href":"https://x/images/img203"}]}}`)
	})
	s.Handle("GET /v2/123/servers/moved", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, s.Srv.URL+"/elsewhere", http.StatusFound)
	})
	s.Handle("GET /v2/123/servers/garbled", func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, 200, `{"server":`) })
	s.Handle("GET /v2/123/servers/empty", func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, 200, `{}`) })
	p := s.provider()

	img, err := p.GetImage(ctx, "img203")
	if err != nil || img.Progress == nil || *img.Progress != 50 || img.IdempotencyKey != "" || img.URL != "https://x/images/img203" {
		t.Errorf("203 image = %+v, %v", img, err)
	}
	_, err = p.GetServer(ctx, "moved")
	if ce := wantClass(t, err, cloud.ClassTransient); ce.HTTPStatus != http.StatusFound {
		t.Errorf("redirect: %+v", ce)
	}
	if len(s.Requests("/elsewhere")) != 0 {
		t.Error("the redirect was followed with the token")
	}
	_, err = p.GetServer(ctx, "garbled")
	if ce := wantClass(t, err, cloud.ClassTransient); !strings.Contains(ce.Message, "JSON") {
		t.Errorf("garbled answer: %q", ce.Message)
	}
	_, err = p.GetServer(ctx, "empty")
	wantClass(t, err, cloud.ClassTransient)
	for _, call := range []func() error{
		func() error { _, err := p.GetServer(ctx, ""); return err },
		func() error { _, err := p.GetImage(ctx, ""); return err },
		func() error { return p.DeleteImage(ctx, "") },
		func() error { _, err := p.CreateImage(ctx, cloud.CreateImageRequest{Name: "x"}); return err },
		func() error { _, err := p.CreateImage(ctx, cloud.CreateImageRequest{ServerID: "s"}); return err },
	} {
		wantClass(t, call(), cloud.ClassInvalid)
	}
}

func TestFindImagesPagesWithItsOwnURLs(t *testing.T) {
	s := newStub(t)
	img := func(id, key, status, created string) string {
		return fmt.Sprintf(`{"id":%q,"name":"img","status":%q,"created":%q,"metadata":{"serverimage_uid":%q,"instance_uuid":"srv1"}}`, id, status, created, key)
	}
	s.Handle("GET /v2/123/images/detail", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if q.Get("server") != "srv1" || q.Get("name") != "img" || q.Get("limit") == "" {
			writeJSON(w, 400, `{"badRequest":{"code":400,"message":"unexpected query `+r.URL.RawQuery+`"}}`)
			return
		}
		switch q.Get("marker") {
		case "":
			// The next link names another host: only its marker is used.
			writeJSON(w, 200, `{"images":[`+img("a", "k", "ACTIVE", "2026-01-01T00:00:00Z")+`,`+img("b", "other", "SAVING", "2026-01-02T00:00:00Z")+`],
				"images_links":[{"rel":"next","href":"https://elsewhere.invalid/v2/123/images/detail?limit=2&marker=b&server=srv1"}]}`)
		case "b":
			writeJSON(w, 200, `{"images":[`+img("c", "k", "SAVING", "2026-01-03T00:00:00Z")+`,`+img("d", "k", "DELETED", "2026-01-04T00:00:00Z")+`]}`)
		default:
			writeJSON(w, 400, `{"badRequest":{"code":400,"message":"bad marker"}}`)
		}
	})
	found, err := s.provider().FindImages(context.Background(), cloud.FindImagesQuery{ServerID: "srv1", Name: "img", IdempotencyKey: "k"})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, f := range found {
		ids = append(ids, f.ID)
	}
	if fmt.Sprint(ids) != "[c a]" {
		t.Errorf("found %v, want [c a]: the key's non-deleted images, newest first", ids)
	}
	if n := len(s.Requests("/v2/123/images/detail")); n != 2 {
		t.Errorf("%d list requests, want 2", n)
	}
}

func TestSettings(t *testing.T) {
	creds := map[string][]byte{"username": []byte("alice"), "apiKey": []byte("k3y-k3y")}
	tests := []struct {
		name    string
		cfg     cloud.Config
		wantErr string
		check   func(t *testing.T, s *settings)
	}{
		{name: "defaults", cfg: cloud.Config{Credentials: creds}, check: func(t *testing.T, s *settings) {
			if s.tokensURL != DefaultIdentityURL+"/tokens" || s.endpointField != "publicURL" || s.maxImageMeta != 40 || s.region != "" {
				t.Errorf("%+v", s)
			}
		}},
		{name: "identity root without version", cfg: cloud.Config{Credentials: creds, IdentityURL: "https://id.example/"}, check: func(t *testing.T, s *settings) {
			if s.tokensURL != "https://id.example/v2.0/tokens" {
				t.Errorf("tokens URL %s", s.tokensURL)
			}
		}},
		{name: "identity tokens URL as-is", cfg: cloud.Config{Credentials: creds, IdentityURL: "http://id.example/v2.0/tokens"}, check: func(t *testing.T, s *settings) {
			if s.tokensURL != "http://id.example/v2.0/tokens" {
				t.Errorf("tokens URL %s", s.tokensURL)
			}
		}},
		{name: "api key wins over password", cfg: cloud.Config{Credentials: map[string][]byte{"username": []byte("a"), "apiKey": []byte("key1"), "password": []byte("pw12")}},
			check: func(t *testing.T, s *settings) {
				if s.apiKey != "key1" || s.password != "" || len(s.secrets) != 1 {
					t.Errorf("%+v", s)
				}
			}},
		{name: "internal interface and raised metadata limit", cfg: cloud.Config{Credentials: creds, Interface: "internal", Options: map[string]string{OptionMaxImageMeta: "128"}},
			check: func(t *testing.T, s *settings) {
				if s.endpointField != "internalURL" || s.maxImageMeta != 128 {
					t.Errorf("%+v", s)
				}
			}},
		{name: "no username", cfg: cloud.Config{Credentials: map[string][]byte{"apiKey": []byte("k")}}, wantErr: `no "username" key`},
		{name: "no secret", cfg: cloud.Config{Credentials: map[string][]byte{"username": []byte("a")}}, wantErr: `neither an "apiKey" nor a "password" key`},
		{name: "identity not a URL", cfg: cloud.Config{Credentials: creds, IdentityURL: "identity.example"}, wantErr: "identity URL"},
		{name: "compute not a URL", cfg: cloud.Config{Credentials: creds, ComputeURL: "ftp://x"}, wantErr: "compute URL"},
		{name: "microversion", cfg: cloud.Config{Credentials: creds, ComputeMicroversion: "2.45"}, wantErr: "no microversions"},
		{name: "image endpoint", cfg: cloud.Config{Credentials: creds, ImageURL: "https://images.example/v2"}, wantErr: "endpoints.image is not used"},
		{name: "glance polling", cfg: cloud.Config{Credentials: creds, ImagePollAPI: "Glance"}, wantErr: `imagePollAPI "Glance" is not supported`},
		{name: "admin interface", cfg: cloud.Config{Credentials: creds, Interface: "admin"}, wantErr: `interface "admin"`},
		{name: "bad metadata limit", cfg: cloud.Config{Credentials: creds, Options: map[string]string{OptionMaxImageMeta: "0"}}, wantErr: "not a positive integer"},
		{name: "bad CA", cfg: cloud.Config{Credentials: map[string][]byte{"username": []byte("a"), "apiKey": []byte("k"), "cacert": []byte("nope")}}, wantErr: "CA bundle"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := newSettings(tc.cfg)
			if cloudtest.ExpectError(t, err, tc.wantErr) {
				return
			}
			tc.check(t, s)
		})
	}
	// New reports settings errors as class Invalid, without calling out.
	_, err := New(context.Background(), cloud.Config{Credentials: map[string][]byte{}})
	wantClass(t, err, cloud.ClassInvalid)
}

func TestRegistered(t *testing.T) {
	p, err := cloud.New(context.Background(), cloud.Config{Provider: cloud.Rackspace, Credentials: map[string][]byte{"username": []byte("a"), "apiKey": []byte("k")}})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := p.(*Provider); !ok {
		t.Fatalf("cloud.New gave %T", p)
	}
}

// The request body encodes without HTML escaping surprises in names.
func TestCreateImageBodyEncoding(t *testing.T) {
	var b createImageBody
	b.CreateImage.Name = "web & db <golden>"
	b.CreateImage.Metadata = map[string]string{}
	raw, _ := json.Marshal(b)
	var back createImageBody
	if err := json.Unmarshal(raw, &back); err != nil || back.CreateImage.Name != b.CreateImage.Name {
		t.Errorf("round trip %s: %v", raw, err)
	}
}

// TestCloudImagesEndpoint: the property calls go to the catalog's
// cloudImages entry of the Cloud's region, PATCH with the json-patch media
// type; a catalog without it still authenticates, and only the property
// calls fail, saying what is missing.
func TestCloudImagesEndpoint(t *testing.T) {
	ctx := context.Background()
	s := newStub(t)
	p := s.provider()
	if err := p.Authenticate(ctx); err != nil {
		t.Fatalf("Authenticate without cloudImages: %v", err)
	}
	if ce := wantClass(t, p.UpdateImageProperties(ctx, "img1", cloud.PropertyUpdate{AddTags: []string{"x"}}), cloud.ClassInvalid); !strings.Contains(ce.Message, "cloudImages") {
		t.Fatalf("no cloudImages in the catalog: %q", ce.Message)
	}

	withImages := strings.Replace(stubAccess, `"serviceCatalog":[`, `"serviceCatalog":[
 {"name":"cloudImages","type":"image","endpoints":[{"region":"ORD","publicURL":"%[1]s/ord-images/v2"},{"region":"DFW","publicURL":"%[1]s/images/v2"}]},`, 1)
	s.setIdentity(func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, 200, fmt.Sprintf(withImages, s.Srv.URL)) })
	s.Handle("PATCH /images/v2/images/img1", func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, 200, `{"id":"img1"}`) })
	yes := true
	if err := s.provider().UpdateImageProperties(ctx, "img1", cloud.PropertyUpdate{Protected: &yes}); err != nil {
		t.Fatalf("UpdateImageProperties: %v", err)
	}
	reqs := s.Requests("/images/v2/images/img1")
	if len(reqs) != 1 || reqs[0].Header.Get("Content-Type") != glancePatchType || reqs[0].Body != `[{"op":"replace","path":"/protected","value":true}]` {
		t.Errorf("PATCH requests %+v", reqs)
	}
}
