package huawei

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
	"github.com/serverimage-operator/serverimage-operator/internal/cloud/cloudtest"
)

// TestRedirectsDoNotCarryCredentialsAway (token mode): an IAM endpoint
// that redirects the login elsewhere (a 307 resends the password) and an
// IMS endpoint that redirects elsewhere (the X-Auth-Token header is copied
// to any target) must reach nobody else.
func TestRedirectsDoNotCarryCredentialsAway(t *testing.T) {
	sim := newSim(t)
	front := cloudtest.NewRedirectingFront(t, http.StatusTemporaryRedirect)

	tests := []struct {
		name string
		cfg  func() cloud.Config
	}{
		{"IAM login", func() cloud.Config {
			cfg := tokenConfig(sim)
			cfg.Credentials = map[string][]byte{"clouds.yaml": []byte(strings.ReplaceAll(sim.HuaweiCloudsYAML("hw"), sim.HuaweiIAMURL(), front.URL))}
			return cfg
		}},
		{"IMS call with a token", func() cloud.Config {
			cfg := tokenConfig(sim)
			cfg.ImageURL = front.URL
			return cfg
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := newProvider(t, tc.cfg())
			if _, err := p.GetImage(context.Background(), "x"); err == nil {
				t.Fatal("a redirect to another host was followed to success")
			}
			if got := front.Received(); len(got) != 0 {
				t.Errorf("the other host received %q", got)
			}
		})
	}
}
