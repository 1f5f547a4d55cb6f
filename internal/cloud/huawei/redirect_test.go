package huawei

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
)

// TestRedirectsDoNotCarryCredentialsAway (token mode): an IAM endpoint
// that redirects the login elsewhere (a 307 resends the password) and an
// IMS endpoint that redirects elsewhere (the X-Auth-Token header is copied
// to any target) must reach nobody else.
func TestRedirectsDoNotCarryCredentialsAway(t *testing.T) {
	sim := newSim(t)
	var mu sync.Mutex
	var stolen []string
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		stolen = append(stolen, r.Method+" "+r.URL.Path+" token="+r.Header.Get("X-Auth-Token")+" body="+string(body))
		mu.Unlock()
	}))
	t.Cleanup(other.Close)
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+r.URL.Path, http.StatusTemporaryRedirect)
	}))
	t.Cleanup(front.Close)

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
			mu.Lock()
			defer mu.Unlock()
			if len(stolen) != 0 {
				t.Errorf("the other host received %q", stolen)
			}
		})
	}
}
