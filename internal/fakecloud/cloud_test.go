package fakecloud

import (
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"strings"
	"testing"
)

func TestTLS(t *testing.T) {
	c := newTestCloud(t, Options{TLS: true})
	if !strings.HasPrefix(c.URL(), "https://127.0.0.1:") {
		t.Fatalf("URL %s", c.URL())
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(c.CACertPEM()) {
		t.Fatal("CACertPEM is not a PEM certificate")
	}
	tests := []struct {
		name    string
		roots   *x509.CertPool
		wantErr bool
	}{
		{"trusted CA", pool, false},
		{"system roots", nil, true},
	}
	for _, tc := range tests {
		cl := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: tc.roots}}}
		res, err := cl.Get(c.URL() + "/identity/v3")
		if (err != nil) != tc.wantErr {
			t.Errorf("%s: err %v", tc.name, err)
		}
		if err == nil {
			res.Body.Close()
		}
	}
	// DropResponse works over TLS too (HTTP/1.1 is negotiated so the
	// connection can be hijacked).
	c.InjectFault(Fault{Op: OpAuth, DropResponse: true})
	cl := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	if res, err := cl.Post(c.IdentityURL()+"/auth/tokens", "application/json", strings.NewReader("{}")); err == nil {
		res.Body.Close()
		t.Error("dropped response arrived over TLS")
	}
	if plain := newTestCloud(t, Options{}); plain.CACertPEM() != nil {
		t.Error("CACertPEM without TLS")
	}
}

func TestCloudsYAML(t *testing.T) {
	c := newTestCloud(t, Options{Region: "RegionTwo"})
	tests := []struct {
		name string
		yaml string
		want []string
		not  []string
	}{
		{"password", c.CloudsYAML("dev"), []string{
			`"dev":`, `auth_url: "` + c.IdentityURL() + `"`, `username: "demo"`, `password: "secret"`,
			`project_name: "demo"`, `user_domain_name: "Default"`, `project_domain_name: "Default"`,
			`region_name: "RegionTwo"`, `interface: "public"`,
		}, []string{"auth_type", "application_credential"}},
		{"application credential", c.AppCredCloudsYAML("dev"), []string{
			`auth_type: "v3applicationcredential"`, `auth_url: "` + c.IdentityURL() + `"`,
			`application_credential_id: "` + c.Options().AppCredID + `"`, `application_credential_secret: "appcred-secret"`,
			`region_name: "RegionTwo"`,
		}, []string{"password:", "username"}},
	}
	for _, tc := range tests {
		if !strings.HasPrefix(tc.yaml, "clouds:\n") {
			t.Errorf("%s: %s", tc.name, tc.yaml)
		}
		for _, w := range tc.want {
			if !strings.Contains(tc.yaml, w) {
				t.Errorf("%s: missing %s in\n%s", tc.name, w, tc.yaml)
			}
		}
		for _, n := range tc.not {
			if strings.Contains(tc.yaml, n) {
				t.Errorf("%s: unexpected %s", tc.name, n)
			}
		}
	}
}

func TestStartErrors(t *testing.T) {
	if _, err := Start(Options{MaxMicroversion: "3.5"}); err == nil {
		t.Error("bad MaxMicroversion accepted")
	}
	c := newTestCloud(t, Options{})
	addr := strings.TrimPrefix(c.URL(), "http://")
	if _, err := Start(Options{Addr: addr}); err == nil {
		t.Error("second listener on a busy address")
	}
	if r := do(t, http.MethodGet, c.URL()+"/compute/v3/servers", "", nil); r.status != 404 {
		t.Errorf("unknown version path: %d", r.status)
	}
}
