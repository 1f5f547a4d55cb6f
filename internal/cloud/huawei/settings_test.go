package huawei

import (
	"context"
	"strings"
	"testing"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
	"github.com/serverimage-operator/serverimage-operator/internal/cloud/cloudtest"
)

const testYAML = `clouds:
  hw:
    auth:
      auth_url: https://iam.example.test/v3
      username: alice
      password: pw-S3cret!xyz
      user_domain_name: acme
    region_name: ap-southeast-3
`

func aksk(project, region string) cloud.Config {
	return cloud.Config{
		Provider:    cloud.HuaweiCloud,
		Credentials: map[string][]byte{"accessKey": []byte(" AK123 \n"), "secretKey": []byte("SK-s3cret\n")},
		ProjectID:   project, Region: region,
	}
}

func TestSettings(t *testing.T) {
	proj := strings.Repeat("a", 32)
	cases := []struct {
		name    string
		cfg     cloud.Config
		wantErr string
		check   func(t *testing.T, s *settings)
	}{
		{name: "AK/SK with region: default endpoints, trimmed keys", cfg: aksk(proj, "cn-north-4"), check: func(t *testing.T, s *settings) {
			if s.mode != modeAKSK || s.accessKey != "AK123" || s.secretKey != "SK-s3cret" {
				t.Errorf("keys %q %q", s.accessKey, s.secretKey)
			}
			if s.ecsURL != "https://ecs.cn-north-4.myhuaweicloud.com" || s.imsURL != "https://ims.cn-north-4.myhuaweicloud.com" {
				t.Errorf("endpoints %s %s", s.ecsURL, s.imsURL)
			}
			if s.microversion != "2.45" {
				t.Errorf("microversion %s", s.microversion)
			}
		}},
		{name: "AK/SK without project", cfg: aksk("", "cn-north-4"), wantErr: "spec.projectID is required"},
		{name: "AK/SK without region or endpoints", cfg: aksk(proj, ""), wantErr: "spec.region is required"},
		{name: "AK/SK with endpoint overrides needs no region", cfg: func() cloud.Config {
			c := aksk(proj, "")
			c.ComputeURL, c.ImageURL = "https://ecs.example.test/v2.1/"+proj, "https://ims.example.test/v2/"
			return c
		}(), check: func(t *testing.T, s *settings) {
			if s.ecsURL != "https://ecs.example.test" || s.imsURL != "https://ims.example.test" {
				t.Errorf("endpoints %s %s", s.ecsURL, s.imsURL)
			}
		}},
		{name: "secret key alone", cfg: cloud.Config{Credentials: map[string][]byte{"secretKey": []byte("x")}, ProjectID: proj, Region: "r"}, wantErr: "no accessKey"},
		{name: "both kinds of credentials", cfg: func() cloud.Config {
			c := aksk(proj, "cn-north-4")
			c.Credentials["clouds.yaml"] = []byte(testYAML)
			return c
		}(), wantErr: "keep one of them"},
		{name: "no credentials", cfg: cloud.Config{Credentials: map[string][]byte{}}, wantErr: "needs accessKey and secretKey"},
		{name: "bad region", cfg: aksk(proj, "cn north"), wantErr: "not a Huawei Cloud region"},
		{name: "bad microversion", cfg: func() cloud.Config { c := aksk(proj, "r1"); c.ComputeMicroversion = "latest"; return c }(), wantErr: "not of the form"},
		{name: "Nova images poll API", cfg: func() cloud.Config { c := aksk(proj, "r1"); c.ImagePollAPI = "ComputeImages"; return c }(), wantErr: "not supported"},
		{name: "clouds.yaml: token mode scoped by region name", cfg: cloud.Config{Credentials: map[string][]byte{"clouds.yaml": []byte(testYAML)}},
			check: func(t *testing.T, s *settings) {
				if s.mode != modeToken || s.region != "ap-southeast-3" || s.iam.scopeProjectName != "ap-southeast-3" || s.iam.domainName != "acme" {
					t.Errorf("%+v", s.iam)
				}
				if s.iamURL != "https://iam.example.test" || s.ecsURL != "https://ecs.ap-southeast-3.myhuaweicloud.com" {
					t.Errorf("endpoints %s %s", s.iamURL, s.ecsURL)
				}
			}},
		{name: "clouds.yaml: spec.projectID scopes by ID", cfg: cloud.Config{Credentials: map[string][]byte{"clouds.yaml": []byte(testYAML)}, ProjectID: proj},
			check: func(t *testing.T, s *settings) {
				if s.iam.scopeProjectID != proj || s.iam.scopeProjectName != "" {
					t.Errorf("%+v", s.iam)
				}
			}},
		{name: "clouds.yaml without account", cfg: cloud.Config{Credentials: map[string][]byte{"clouds.yaml": []byte(strings.Replace(testYAML, "user_domain_name: acme", "", 1))}},
			wantErr: "user_domain_name"},
		{name: "clouds.yaml with another auth type", cfg: cloud.Config{Credentials: map[string][]byte{"clouds.yaml": []byte("clouds:\n  hw:\n    auth_type: token\n" + testYAML[len("clouds:\n  hw:\n"):])}},
			wantErr: "auth_type"},
		{name: "clouds.yaml entry not found", cfg: cloud.Config{Credentials: map[string][]byte{"clouds.yaml": []byte(testYAML)}, CloudName: "other"},
			wantErr: `no entry "other"`},
		{name: "CA bundle that is not PEM", cfg: func() cloud.Config { c := aksk(proj, "r1"); c.Credentials["cacert"] = []byte("nope"); return c }(),
			wantErr: "CA bundle"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, err := newSettings(tc.cfg)
			if cloudtest.ExpectError(t, err, tc.wantErr) {
				if strings.Contains(err.Error(), "s3cret") || strings.Contains(err.Error(), "S3cret") {
					t.Errorf("secret in error: %v", err)
				}
				return
			}
			tc.check(t, s)
		})
	}
}

func TestNewReturnsInvalidErrors(t *testing.T) {
	_, err := New(context.Background(), aksk("", "r1"))
	if cloud.ClassOf(err) != cloud.ClassInvalid {
		t.Fatalf("got %v, want class Invalid", err)
	}
}

func TestTrimComputeSuffix(t *testing.T) {
	for in, want := range map[string]string{
		"https://ecs.x":                     "https://ecs.x",
		"https://ecs.x/v2.1":                "https://ecs.x",
		"https://ecs.x/v2":                  "https://ecs.x",
		"https://ecs.x/v2.1/{project_id}":   "https://ecs.x",
		"https://ecs.x/v2/" + hex32:         "https://ecs.x",
		"https://proxy.x/v2/ecs":            "https://proxy.x/v2/ecs",
		"https://proxy.x/huawei/ecs/v2.1":   "https://proxy.x/huawei/ecs",
		"https://proxy.x/v2.1/not-a-projct": "https://proxy.x/v2.1/not-a-projct",
	} {
		if got := trimComputeSuffix(in); got != want {
			t.Errorf("trimComputeSuffix(%q) = %q, want %q", in, got, want)
		}
	}
}

const hex32 = "0123456789abcdef0123456789abcdef"

func TestParseCloudsYAMLDoesNotEchoValues(t *testing.T) {
	_, err := parseCloudsYAML([]byte("clouds:\n  hw:\n    auth:\n      password: [pw-S3cret!xyz\n"), "")
	if err == nil || strings.Contains(err.Error(), "S3cret") {
		t.Errorf("error %v", err)
	}
	_, err = parseCloudsYAML([]byte("clouds:\n  a: {}\n  b: {}\n"), "")
	if err == nil || !strings.Contains(err.Error(), "set spec.cloudName") {
		t.Errorf("error %v", err)
	}
}
