package openstack

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
	"github.com/serverimage-operator/serverimage-operator/internal/cloud/cloudtest"
)

// stub is a minimal OpenStack written for the driver's unit tests: a real
// Keystone v3 token exchange and catalog, and whatever Nova/Glance
// handlers a test registers, so that each response shape from
// cloud-apis.md can be served exactly.
type stub struct {
	*cloudtest.Stub

	password  string
	expiresIn time.Duration
	maxMV     string
	// docStatus, when set, is the version document's error status.
	docStatus int

	mu     sync.Mutex
	valid  map[string]bool
	tokenN int

	auths atomic.Int32
}

const (
	stubUser     = "alice"
	stubPassword = "pw-S3cret!xyz"
	stubACID     = "ac-0001"
	stubACSecret = "ac-S3cret!xyz"
	stubProject  = "proj1"
)

func newStub(t *testing.T) *stub {
	t.Helper()
	s := &stub{password: stubPassword, expiresIn: time.Hour, maxMV: "2.90", valid: map[string]bool{}}
	s.Stub = cloudtest.NewStub(t, s.validToken, keystoneUnauthorized)
	s.Handle("POST /identity/v3/auth/tokens", s.tokens)
	s.Handle("GET /compute/v2.1/{$}", func(w http.ResponseWriter, _ *http.Request) {
		s.mu.Lock()
		mv, status := s.maxMV, s.docStatus
		s.mu.Unlock()
		switch {
		case status != 0:
			writeJSON(w, status, `{"computeFault":{"code":503,"message":"version document unavailable"}}`)
			return
		case mv == "":
			writeJSON(w, 404, `{"itemNotFound":{"code":404,"message":"The resource could not be found."}}`)
			return
		}
		writeJSON(w, 200, fmt.Sprintf(`{"version":{"id":"v2.1","status":"CURRENT","version":%q,"min_version":"2.1"}}`, mv))
	})
	return s
}

const keystoneUnauthorized = `{"error":{"code":401,"title":"Unauthorized","message":"The request you have made requires authentication."}}`

func (s *stub) validToken(tok string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.valid[tok]
}

func (s *stub) tokens(w http.ResponseWriter, r *http.Request) {
	s.auths.Add(1)
	var req struct {
		Auth struct {
			Identity struct {
				Methods  []string `json:"methods"`
				Password struct {
					User struct {
						Name     string `json:"name"`
						Password string `json:"password"`
					} `json:"user"`
				} `json:"password"`
				AppCred struct {
					ID     string `json:"id"`
					Secret string `json:"secret"`
				} `json:"application_credential"`
			} `json:"identity"`
			Scope json.RawMessage `json:"scope"`
		} `json:"auth"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeJSON(w, 400, `{"error":{"code":400,"title":"Bad Request","message":"Malformed request body."}}`)
		return
	}
	id := req.Auth.Identity
	s.mu.Lock()
	okAuth := false
	switch {
	case len(id.Methods) == 1 && id.Methods[0] == "password":
		okAuth = id.Password.User.Name == stubUser && id.Password.User.Password == s.password
	case len(id.Methods) == 1 && id.Methods[0] == "application_credential":
		okAuth = id.AppCred.ID == stubACID && id.AppCred.Secret == stubACSecret && len(req.Auth.Scope) == 0
	}
	if !okAuth {
		s.mu.Unlock()
		writeJSON(w, 401, keystoneUnauthorized)
		return
	}
	s.tokenN++
	tok := fmt.Sprintf("tok-%d", s.tokenN)
	s.valid[tok] = true
	exp := time.Now().Add(s.expiresIn).UTC().Format(time.RFC3339)
	s.mu.Unlock()

	u := s.Srv.URL
	ep := func(iface, region, url string) string {
		return fmt.Sprintf(`{"interface":%q,"region":%q,"region_id":%q,"url":%q}`, iface, region, region, url)
	}
	catalog := fmt.Sprintf(`[{"type":"compute","name":"nova","endpoints":[%s,%s,%s]},{"type":"image","name":"glance","endpoints":[%s,%s,%s]},{"type":"identity","name":"keystone","endpoints":[%s]}]`,
		ep("public", "RegionOne", u+"/compute/v2.1/"+stubProject),
		ep("internal", "RegionOne", u+"/internal/compute/v2.1/"+stubProject),
		ep("public", "RegionTwo", u+"/r2/compute/v2.1/"+stubProject),
		ep("public", "RegionOne", u+"/image"),
		ep("internal", "RegionOne", u+"/internal/image"),
		ep("public", "RegionTwo", u+"/r2/image"),
		ep("public", "RegionOne", u+"/identity/v3"))
	w.Header().Set("X-Subject-Token", tok)
	writeJSON(w, 201, fmt.Sprintf(`{"token":{"methods":["password"],"expires_at":%q,"project":{"id":%q,"name":"demo","domain":{"id":"default","name":"Default"}},"catalog":%s}}`,
		exp, stubProject, catalog))
}

// expireTokens makes every token issued so far answer 401.
func (s *stub) expireTokens() {
	s.mu.Lock()
	s.valid = map[string]bool{}
	s.mu.Unlock()
}

func (s *stub) setPassword(p string) {
	s.mu.Lock()
	s.password = p
	s.mu.Unlock()
}

func (s *stub) setMaxMV(v string) {
	s.mu.Lock()
	s.maxMV = v
	s.mu.Unlock()
}

func (s *stub) setDocStatus(status int) {
	s.mu.Lock()
	s.docStatus = status
	s.mu.Unlock()
}

func (s *stub) allRequests() int { return s.Log.Len() }

func (s *stub) passwordYAML() string {
	return fmt.Sprintf(`clouds:
  test:
    auth:
      auth_url: %s/identity/v3
      username: %s
      password: %q
      project_name: demo
      user_domain_name: Default
      project_domain_name: Default
    region_name: RegionOne
`, s.Srv.URL, stubUser, stubPassword)
}

func (s *stub) appCredYAML() string {
	return fmt.Sprintf(`clouds:
  test:
    auth_type: v3applicationcredential
    auth:
      auth_url: %s/identity
      application_credential_id: %s
      application_credential_secret: %q
`, s.Srv.URL, stubACID, stubACSecret)
}

func (s *stub) config(mut ...func(*cloud.Config)) cloud.Config {
	cfg := cloud.Config{
		Provider:    cloud.OpenStack,
		Credentials: map[string][]byte{"clouds.yaml": []byte(s.passwordYAML())},
		CloudName:   "test",
		Timeout:     5 * time.Second,
	}
	for _, m := range mut {
		m(&cfg)
	}
	return cfg
}

func (s *stub) provider(mut ...func(*cloud.Config)) *Provider {
	s.T.Helper()
	p, err := New(context.Background(), s.config(mut...))
	if err != nil {
		s.T.Fatalf("New: %v", err)
	}
	return p.(*Provider)
}

var writeJSON = cloudtest.WriteJSON

// wantClass fails the test unless err is a *cloud.Error of class c.
func wantClass(t *testing.T, err error, c cloud.ErrorClass) *cloud.Error {
	t.Helper()
	if err == nil {
		t.Fatalf("want error of class %s, got nil", c)
	}
	ce := cloud.AsError("?", err)
	if ce.Class != c {
		t.Fatalf("want class %s, got %s (%v)", c, ce.Class, err)
	}
	return ce
}

// quietLog keeps expected TLS handshake failures out of the test output.
func quietLog() *log.Logger { return log.New(io.Discard, "", 0) }
