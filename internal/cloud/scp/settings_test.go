package scp

import (
	"strings"
	"testing"
	"time"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
	"github.com/serverimage-operator/serverimage-operator/internal/cloud/cloudtest"
)

func creds(kv ...string) map[string][]byte {
	m := map[string][]byte{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = []byte(kv[i+1])
	}
	return m
}

func TestNewSettings(t *testing.T) {
	now := day(2026, time.November, 23)
	good := creds(keyAccessKey, "AKexample0123456789", keySecretKey, "SKexample-secret-key-0001")
	tests := []struct {
		name         string
		cfg          cloud.Config
		wantEndpoint string
		wantCatalog  string
		wantVersion  string
		wantAccount  string
		wantErr      string
	}{
		{
			name:         "region gives the public endpoint",
			cfg:          cloud.Config{Credentials: good, Region: "kr-west1"},
			wantEndpoint: "https://virtualserver.kr-west1.e.samsungsdscloud.com", wantVersion: "virtualserver 1.3",
		},
		{
			name:         "environment option",
			cfg:          cloud.Config{Credentials: good, Region: "kr-east1", Options: map[string]string{OptionEnv: "s"}},
			wantEndpoint: "https://virtualserver.kr-east1.s.samsungsdscloud.com", wantVersion: "virtualserver 1.3",
		},
		{
			name:         "compute override wins and loses a trailing /v1",
			cfg:          cloud.Config{Credentials: good, Region: "kr-west1", ComputeURL: "http://127.0.0.1:9/scp/virtualserver/v1/"},
			wantEndpoint: "http://127.0.0.1:9/scp/virtualserver", wantVersion: "virtualserver 1.3",
		},
		{
			name: "keys are trimmed, account ID kept",
			cfg: cloud.Config{Region: "kr-west1", Credentials: creds(keyAccessKey, " AKexample0123456789\n",
				keySecretKey, "SKexample-secret-key-0001\n", keyAccountID, "acct-42\n")},
			wantEndpoint: "https://virtualserver.kr-west1.e.samsungsdscloud.com", wantVersion: "virtualserver 1.3", wantAccount: "acct-42",
		},
		{
			name:         "API version in header form",
			cfg:          cloud.Config{Credentials: good, Region: "kr-west1", Options: map[string]string{OptionAPIVersion: "virtualserver 1.2"}},
			wantEndpoint: "https://virtualserver.kr-west1.e.samsungsdscloud.com", wantVersion: "virtualserver 1.2",
		},
		{name: "no keys", cfg: cloud.Config{Region: "kr-west1"}, wantErr: "no accessKey and secretKey"},
		{name: "no secret key", cfg: cloud.Config{Region: "kr-west1", Credentials: creds(keyAccessKey, "AK")}, wantErr: "no secretKey"},
		{name: "no region, no endpoint", cfg: cloud.Config{Credentials: good}, wantErr: "set spec.region (e.g. kr-west1), spec.endpoints.identity"},
		{name: "bad region", cfg: cloud.Config{Credentials: good, Region: "kr west1"}, wantErr: "not an SCP region"},
		{name: "bad env", cfg: cloud.Config{Credentials: good, Region: "kr-west1", Options: map[string]string{OptionEnv: "e.x"}}, wantErr: "environment"},
		{name: "endpoint not a URL", cfg: cloud.Config{Credentials: good, ComputeURL: "virtualserver.example"}, wantErr: "not an http(s) URL"},
		{
			name:        "identity URL: the endpoint comes from its catalog",
			cfg:         cloud.Config{Credentials: good, Region: "kr-west1", IdentityURL: "https://iam.e.samsungsdscloud.com/v1/"},
			wantCatalog: "https://iam.e.samsungsdscloud.com/v1/endpoints", wantVersion: "virtualserver 1.3",
		},
		{
			name:        "identity URL without a region",
			cfg:         cloud.Config{Credentials: good, IdentityURL: "https://iam.e.samsungsdscloud.com/v1"},
			wantCatalog: "https://iam.e.samsungsdscloud.com/v1/endpoints", wantVersion: "virtualserver 1.3",
		},
		{
			name:         "compute override wins over the catalog",
			cfg:          cloud.Config{Credentials: good, Region: "kr-west1", IdentityURL: "https://iam.e.samsungsdscloud.com/v1", ComputeURL: "https://vs.example"},
			wantEndpoint: "https://vs.example", wantVersion: "virtualserver 1.3",
		},
		{name: "identity URL not a URL", cfg: cloud.Config{Credentials: good, IdentityURL: "iam.e.samsungsdscloud.com"}, wantErr: "spec.endpoints.identity"},
		{name: "identity URL with a bad region", cfg: cloud.Config{Credentials: good, Region: "KR West", IdentityURL: "https://iam.e.samsungsdscloud.com/v1"}, wantErr: "not an SCP region"},
		{name: "image override refused", cfg: cloud.Config{Credentials: good, Region: "kr-west1", ImageURL: "https://x.example"}, wantErr: "spec.endpoints.image"},
		{name: "malformed API version", cfg: cloud.Config{Credentials: good, Region: "kr-west1", Options: map[string]string{OptionAPIVersion: "latest"}}, wantErr: "not of the form"},
		{name: "bad CA bundle", cfg: cloud.Config{Region: "kr-west1", Credentials: creds(keyAccessKey, "AK", keySecretKey, "SK", keyCACert, "nope")}, wantErr: "CA bundle"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := newSettings(tc.cfg, now)
			if cloudtest.ExpectError(t, err, tc.wantErr) {
				return
			}
			if s.endpoint != tc.wantEndpoint || s.catalogURL != tc.wantCatalog || s.apiVersion.header() != tc.wantVersion || s.creds.accountID != tc.wantAccount {
				t.Errorf("endpoint %q catalog %q version %q account %q", s.endpoint, s.catalogURL, s.apiVersion.header(), s.creds.accountID)
			}
			if strings.ContainsAny(s.creds.accessKey+s.creds.secretKey, " \n") {
				t.Errorf("keys not trimmed")
			}
		})
	}
}

func TestNewRejectsWithClassInvalid(t *testing.T) {
	_, err := New(t.Context(), cloud.Config{Provider: cloud.SamsungCloudPlatform, Region: "kr-west1"})
	if cloud.ClassOf(err) != cloud.ClassInvalid {
		t.Fatalf("New without keys: %v (class %q)", err, cloud.ClassOf(err))
	}
}

func TestAPIVersionWarnings(t *testing.T) {
	now := day(2026, time.January, 15)
	tests := []struct {
		option   string
		wantWarn string // "" for no warning
	}{
		{"", ""},
		{"1.3", ""},
		{"1.2", ""},
		{"1.1", "stops being supported on 2026-05-31"},
		{"virtualserver 1.0", "support ended on 2025-12-31"},
		{"1.4", "not known to this operator"},
	}
	for _, tc := range tests {
		v, err := parseAPIVersion(tc.option)
		if err != nil {
			t.Fatalf("%q: %v", tc.option, err)
		}
		w := v.warnings(now)
		switch {
		case tc.wantWarn == "" && len(w) != 0:
			t.Errorf("%q: unexpected warnings %v", tc.option, w)
		case tc.wantWarn != "" && (len(w) != 1 || !strings.Contains(w[0], tc.wantWarn)):
			t.Errorf("%q: warnings %v, want one containing %q", tc.option, w, tc.wantWarn)
		}
	}
	// After its date 1.1 is reported as ended too.
	v, _ := parseAPIVersion("1.1")
	if w := v.warnings(day(2026, time.November, 23)); len(w) != 1 || !strings.Contains(w[0], "support ended on 2026-05-31") {
		t.Errorf("1.1 after its date: %v", w)
	}
}

func TestProviderWarnings(t *testing.T) {
	p, err := newProvider(cloud.Config{
		Region:      "kr-west1",
		Credentials: creds(keyAccessKey, "AKexample0123456789", keySecretKey, "SKexample-secret-key-0001"),
		Options:     map[string]string{OptionAPIVersion: "1.0"},
	}, func() time.Time { return day(2026, time.November, 23) })
	if err != nil {
		t.Fatal(err)
	}
	if w := p.Capabilities().Warnings; len(w) != 1 || !strings.Contains(w[0], "virtualserver 1.0") {
		t.Errorf("warnings %v", w)
	}
}
