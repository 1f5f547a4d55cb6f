package openstack

import (
	"context"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gophercloud/gophercloud/v2"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
)

const secretValue = "hunter2-Secret"

func yamlCfg(yaml string, mut ...func(*cloud.Config)) cloud.Config {
	cfg := cloud.Config{Provider: cloud.OpenStack, CloudName: "c", Credentials: map[string][]byte{"clouds.yaml": []byte(yaml)}}
	for _, m := range mut {
		m(&cfg)
	}
	return cfg
}

// New rejects what it can see is wrong, with class Invalid and a message
// that never quotes the file.
func TestNewRejectsBadConfig(t *testing.T) {
	const good = `clouds:
  c:
    auth:
      auth_url: https://keystone.example.com/v3
      username: u
      password: ` + secretValue + `
      project_name: p
      user_domain_name: Default
      project_domain_name: Default
`
	tests := []struct {
		name    string
		cfg     cloud.Config
		wantMsg string
	}{
		{"no clouds.yaml", cloud.Config{Provider: cloud.OpenStack, CloudName: "c"}, `no (or an empty) "clouds.yaml"`},
		{"not yaml", yamlCfg("clouds:\n  c:\n    auth: [\n  password: " + secretValue), "could not be parsed (line"},
		{"wrong types", yamlCfg("clouds:\n  c:\n    verify: " + secretValue + "\n"), "could not be parsed (line 3)"},
		{"no clouds", yamlCfg("foo: bar\n"), `no entries under "clouds"`},
		{"entry absent", yamlCfg(good, func(c *cloud.Config) { c.CloudName = "other" }), `no entry named "other" (it has 1 entry)`},
		{"ambiguous without name", yamlCfg(good+"  d:\n    auth: {}\n", func(c *cloud.Config) { c.CloudName = "" }), "2 entries and the Cloud names none"},
		{"no auth_url", yamlCfg(strings.Replace(good, "auth_url: https://keystone.example.com/v3", "", 1)), "no auth.auth_url"},
		{"profile", yamlCfg("clouds:\n  c:\n    profile: vexxhost\n    auth:\n      username: u\n      password: " + secretValue + "\n"), "vendor profile"},
		{"no password", yamlCfg(strings.Replace(good, "password: "+secretValue, "", 1)), "no auth.password"},
		{"token", yamlCfg("clouds:\n  c:\n    auth:\n      auth_url: https://k/v3\n      token: " + secretValue + "\n"), "token authentication is not supported"},
		{"auth_type", yamlCfg(strings.Replace(good, "clouds:\n  c:\n", "clouds:\n  c:\n    auth_type: v3oidcpassword\n", 1)), `auth_type "v3oidcpassword" is not supported`},
		{"app cred without secret", yamlCfg("clouds:\n  c:\n    auth_type: v3applicationcredential\n    auth:\n      auth_url: https://k/v3\n      application_credential_id: x\n"), "without application_credential_secret"},
		{"username without domain", yamlCfg(strings.Replace(good, "      user_domain_name: Default\n", "", 1)), "DomainID or DomainName"},
		{"keystone v2", yamlCfg(good + "    identity_api_version: 2\n"), "Keystone v3 only"},
		{"cacert path", yamlCfg(good + "    cacert: /etc/ssl/private-ca.pem\n"), `cacert is a file path`},
		{"client cert path", yamlCfg(good + "    cert: /home/u/cert.pem\n    key: /home/u/key.pem\n"), "inline PEM"},
		{"bad CA in Secret", yamlCfg(good, func(c *cloud.Config) { c.Credentials["cacert"] = []byte("garbage") }), "CA bundle"},
		{"interface", yamlCfg(good, func(c *cloud.Config) { c.Interface = "private" }), `interface "private"`},
		{"microversion", yamlCfg(good, func(c *cloud.Config) { c.ComputeMicroversion = "latest" }), `microversion "latest"`},
		{"poll api", yamlCfg(good, func(c *cloud.Config) { c.ImagePollAPI = "Swift" }), `image poll API "Swift"`},
		{"compute url", yamlCfg(good, func(c *cloud.Config) { c.ComputeURL = "nova:8774" }), "compute URL"},
		{"identity url", yamlCfg(good, func(c *cloud.Config) { c.IdentityURL = "ftp://k" }), "identity URL"},
		{"opaque transport with CA", yamlCfg(good, func(c *cloud.Config) {
			c.InsecureSkipTLSVerify = true
			c.Transport = roundTripperFunc(http.DefaultTransport.RoundTrip)
		}), "cannot take TLS settings"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(context.Background(), tt.cfg)
			ce := wantClass(t, err, cloud.ClassInvalid)
			if !strings.Contains(ce.Message, tt.wantMsg) {
				t.Fatalf("message %q, want %q", ce.Message, tt.wantMsg)
			}
			assertNoSecret(t, err, secretValue)
		})
	}
	if _, err := New(context.Background(), yamlCfg(good)); err != nil {
		t.Fatalf("good config rejected: %v", err)
	}
}

type roundTripperFunc func(*http.Request) (*http.Response, error)

func (f roundTripperFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestAuthOptionsMapping(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		cfg  func(*cloud.Config)
		want gophercloud.AuthOptions
	}{
		{
			name: "password, names",
			yaml: "auth:\n  auth_url: https://k/v3\n  username: u\n  password: pw\n  project_name: p\n  user_domain_name: UD\n  project_domain_id: pd\n",
			want: gophercloud.AuthOptions{IdentityEndpoint: "https://k/v3", Username: "u", Password: "pw", DomainName: "UD",
				Scope: &gophercloud.AuthScope{ProjectName: "p", DomainID: "pd"}},
		},
		{
			name: "password, ids, domain_id fallback for both",
			yaml: "auth:\n  auth_url: https://k\n  username: u\n  password: pw\n  project_name: p\n  domain_id: d\n",
			want: gophercloud.AuthOptions{IdentityEndpoint: "https://k", Username: "u", Password: "pw", DomainID: "d",
				Scope: &gophercloud.AuthScope{ProjectName: "p", DomainID: "d"}},
		},
		{
			name: "user id and project id, identity URL override",
			yaml: "auth:\n  auth_url: https://k/v3\n  user_id: uid\n  user_domain_name: ignored\n  password: pw\n  project_id: pid\n",
			cfg:  func(c *cloud.Config) { c.IdentityURL = "https://override/identity/v3" },
			want: gophercloud.AuthOptions{IdentityEndpoint: "https://override/identity/v3", UserID: "uid", Password: "pw",
				Scope: &gophercloud.AuthScope{ProjectID: "pid"}},
		},
		{
			name: "tenant_name and default_domain",
			yaml: "auth:\n  auth_url: https://k/v3\n  username: u\n  password: pw\n  tenant_name: t\n  default_domain: dd\n",
			want: gophercloud.AuthOptions{IdentityEndpoint: "https://k/v3", Username: "u", Password: "pw", DomainID: "dd",
				Scope: &gophercloud.AuthScope{ProjectName: "t", DomainID: "dd"}},
		},
		{
			name: "Cloud projectID scopes an unscoped user",
			yaml: "auth:\n  auth_url: https://k/v3\n  user_id: uid\n  password: pw\n",
			cfg:  func(c *cloud.Config) { c.ProjectID = "cfgproj" },
			want: gophercloud.AuthOptions{IdentityEndpoint: "https://k/v3", UserID: "uid", Password: "pw",
				Scope: &gophercloud.AuthScope{ProjectID: "cfgproj"}},
		},
		{
			name: "application credential by id, no scope",
			yaml: "auth_type: v3applicationcredential\nauth:\n  auth_url: https://k/v3\n  application_credential_id: acid\n  application_credential_secret: acs\n  project_name: ignored\n",
			want: gophercloud.AuthOptions{IdentityEndpoint: "https://k/v3", ApplicationCredentialID: "acid", ApplicationCredentialSecret: "acs"},
		},
		{
			name: "application credential by name needs the user",
			yaml: "auth:\n  auth_url: https://k/v3\n  application_credential_name: acn\n  application_credential_secret: acs\n  username: u\n  user_domain_id: ud\n",
			want: gophercloud.AuthOptions{IdentityEndpoint: "https://k/v3", ApplicationCredentialName: "acn", ApplicationCredentialSecret: "acs",
				Username: "u", DomainID: "ud"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := yamlCfg("clouds:\n  c:\n" + indent(tt.yaml, "    "))
			if tt.cfg != nil {
				tt.cfg(&cfg)
			}
			s, err := newSettings(cfg)
			if err != nil {
				t.Fatal(err)
			}
			got := s.auth
			want := tt.want
			want.AllowReauth = true
			if (got.Scope == nil) != (want.Scope == nil) || (got.Scope != nil && *got.Scope != *want.Scope) {
				t.Fatalf("scope %+v, want %+v", got.Scope, want.Scope)
			}
			got.Scope, want.Scope = nil, nil
			if got != want {
				t.Fatalf("got  %+v\nwant %+v", got, want)
			}
		})
	}
}

func indent(s, prefix string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = prefix + l
	}
	return strings.Join(lines, "\n") + "\n"
}

func TestSettingsDefaultsAndOverrides(t *testing.T) {
	yaml := "clouds:\n  only:\n    region_name: R1\n    interface: internal\n    verify: false\n    auth:\n      auth_url: https://k/v3\n      user_id: u\n      password: pw\n"
	s, err := newSettings(yamlCfg(yaml, func(c *cloud.Config) { c.CloudName = "" }))
	if err != nil {
		t.Fatal(err)
	}
	if s.cloudName != "only" || s.region != "R1" || s.availability != gophercloud.AvailabilityInternal || s.pollAPI != pollGlance ||
		!s.verifyOff || s.tls != nil {
		t.Fatalf("settings %+v", s)
	}
	s, err = newSettings(yamlCfg(strings.Replace(yaml, "only", "c", 1), func(c *cloud.Config) {
		c.Region, c.Interface, c.ImagePollAPI, c.InsecureSkipTLSVerify = "R2", "adminURL", "computeimages", true
	}))
	if err != nil {
		t.Fatal(err)
	}
	if s.region != "R2" || s.availability != gophercloud.AvailabilityAdmin || s.pollAPI != pollComputeImages ||
		s.tls == nil || !s.tls.InsecureSkipVerify {
		t.Fatalf("settings %+v", s)
	}
	s, err = newSettings(yamlCfg("clouds:\n  c:\n    regions:\n      - name: R3\n      - R4\n    auth:\n      auth_url: https://k/v3\n      user_id: u\n      password: pw\n"))
	if err != nil || s.region != "R3" {
		t.Fatalf("regions list: %v %v", s, err)
	}
}

// The CA bundle comes from the Secret or inline in clouds.yaml, and is
// what lets the driver talk to a cloud with a private CA.
func TestCABundle(t *testing.T) {
	s := newStub(t)
	tlsSrv := httptest.NewUnstartedServer(s.Srv.Config.Handler)
	tlsSrv.Config.ErrorLog = quietLog()
	tlsSrv.StartTLS()
	defer tlsSrv.Close()
	serveServer(s)
	caPEM := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: tlsSrv.Certificate().Raw}))
	// The stub's catalog points at its plain URL; only Keystone is reached
	// over TLS here, which is what the CA decides.
	yaml := strings.Replace(s.passwordYAML(), s.Srv.URL, tlsSrv.URL, 1)

	tests := []struct {
		name    string
		mut     func(*cloud.Config)
		wantTLS bool
	}{
		{"no CA", func(c *cloud.Config) {}, true},
		{"CA in Secret", func(c *cloud.Config) { c.Credentials["cacert"] = []byte(caPEM) }, false},
		{"CA inline in clouds.yaml", func(c *cloud.Config) {
			c.Credentials["clouds.yaml"] = []byte(yaml + "    cacert: |\n" + indent(caPEM, "      "))
		}, false},
		{"insecure", func(c *cloud.Config) { c.InsecureSkipTLSVerify = true }, false},
		{"verify false alone is not honoured", func(c *cloud.Config) {
			c.Credentials["clouds.yaml"] = []byte(yaml + "    verify: false\n")
		}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := s.provider(func(c *cloud.Config) {
				c.Credentials["clouds.yaml"] = []byte(yaml)
				tt.mut(c)
			})
			err := p.Authenticate(context.Background())
			if !tt.wantTLS {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			ce := wantClass(t, err, cloud.ClassTransient)
			if !strings.Contains(ce.Message, "TLS") {
				t.Fatalf("message %q does not say TLS", ce.Message)
			}
			if strings.Contains(tt.name, "verify false") && !strings.Contains(ce.Message, "insecureSkipTLSVerify") {
				t.Fatalf("message %q lacks the verify hint", ce.Message)
			}
		})
	}
}
