package openstack

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
	"github.com/serverimage-operator/serverimage-operator/internal/cloud/cloudtest"
	"github.com/serverimage-operator/serverimage-operator/internal/fakecloud"
)

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
				r := cloudtest.NewRedirectingFront(t, status)
				p := fakeProvider(t, sim, sim.CloudsYAML("fake"), func(cfg *cloud.Config) { tc.point(cfg, r.URL) })
				err := tc.call(p)
				if err == nil {
					t.Fatal("a redirect to another host was followed to success")
				}
				if !strings.Contains(err.Error(), "HTTP 3") {
					t.Errorf("the error does not show the redirect status: %v", err)
				}
				if got := r.Received(); len(got) != 0 {
					t.Errorf("the other host received %q", got)
				}
			})
		}
	}
}
