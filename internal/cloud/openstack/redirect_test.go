package openstack

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
	"github.com/serverimage-operator/serverimage-operator/internal/fakecloud"
)

// redirectingFront answers every request with a redirect to another
// server, which records whatever reaches it.
type redirectingFront struct {
	front, other *httptest.Server
	mu           sync.Mutex
	stolen       []string
}

func newRedirectingFront(t *testing.T, status int) *redirectingFront {
	t.Helper()
	r := &redirectingFront{}
	r.other = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.stolen = append(r.stolen, req.Method+" "+req.URL.Path+" token="+req.Header.Get("X-Auth-Token")+" body="+string(body))
		r.mu.Unlock()
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(r.other.Close)
	r.front = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		http.Redirect(w, req, r.other.URL+req.URL.Path, status)
	}))
	t.Cleanup(r.front.Close)
	return r
}

func (r *redirectingFront) received() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.stolen...)
}

// TestRedirectsDoNotCarryCredentialsAway: an identity endpoint that
// redirects the token request elsewhere (a 307 resends the body, password
// included), and a compute endpoint that redirects elsewhere (the token
// header is copied to any target), get neither.
func TestRedirectsDoNotCarryCredentialsAway(t *testing.T) {
	sim := newFake(t, fakecloud.Options{Password: "pw-never-elsewhere-42"})
	srv := sim.AddServer(fakecloud.Server{})
	tests := []struct {
		name string
		// point sends one service to the redirecting front.
		point func(cfg *cloud.Config, front string)
		call  func(p cloud.Provider) error
	}{
		{
			name:  "token request",
			point: func(cfg *cloud.Config, front string) { cfg.IdentityURL = front + "/identity/v3" },
			call:  func(p cloud.Provider) error { return p.Authenticate(context.Background()) },
		},
		{
			name:  "compute call",
			point: func(cfg *cloud.Config, front string) { cfg.ComputeURL = front + "/compute/v2.1" },
			call:  func(p cloud.Provider) error { _, err := p.GetServer(context.Background(), srv.ID); return err },
		},
		{
			name:  "image call",
			point: func(cfg *cloud.Config, front string) { cfg.ImageURL = front + "/image" },
			call:  func(p cloud.Provider) error { _, err := p.GetImage(context.Background(), "x"); return err },
		},
	}
	for _, tc := range tests {
		for _, status := range []int{http.StatusFound, http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
			t.Run(tc.name+"/"+http.StatusText(status), func(t *testing.T) {
				r := newRedirectingFront(t, status)
				p := fakeProvider(t, sim, sim.CloudsYAML("fake"), func(cfg *cloud.Config) { tc.point(cfg, r.front.URL) })
				err := tc.call(p)
				if err == nil {
					t.Fatal("a redirect to another host was followed to success")
				}
				if !strings.Contains(err.Error(), "HTTP 3") {
					t.Errorf("the error does not show the redirect status: %v", err)
				}
				if got := r.received(); len(got) != 0 {
					t.Errorf("the other host received %q", got)
				}
			})
		}
	}
}
