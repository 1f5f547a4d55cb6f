package openstack

import (
	"context"
	"testing"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
	"github.com/serverimage-operator/serverimage-operator/internal/cloud/drivertest"
	"github.com/serverimage-operator/serverimage-operator/internal/fakecloud"
)

// TestRedirectsDoNotCarryCredentialsAway: an identity endpoint that
// redirects the token request elsewhere (a 307 resends the body, password
// included), and a compute or image endpoint that redirects elsewhere (the
// token header is copied to any target), get neither.
func TestRedirectsDoNotCarryCredentialsAway(t *testing.T) {
	sim := newFake(t, fakecloud.Options{Password: "pw-never-elsewhere-42"})
	srv := sim.AddServer(fakecloud.Server{})
	// pointing sends one service to the redirecting front.
	pointing := func(point func(cfg *cloud.Config, front string)) func(t *testing.T, front string) cloud.Provider {
		return func(t *testing.T, front string) cloud.Provider {
			return fakeProvider(t, sim, sim.CloudsYAML("fake"), func(cfg *cloud.Config) { point(cfg, front) })
		}
	}
	drivertest.CheckRedirectsDoNotCarryCredentialsAway(t, []drivertest.RedirectCase{
		{
			Name:     "token request",
			Provider: pointing(func(cfg *cloud.Config, front string) { cfg.IdentityURL = front + "/identity/v3" }),
			Call:     func(p cloud.Provider) error { return p.Authenticate(context.Background()) },
		},
		{
			Name:     "compute call",
			Provider: pointing(func(cfg *cloud.Config, front string) { cfg.ComputeURL = front + "/compute/v2.1" }),
			Call:     func(p cloud.Provider) error { _, err := p.GetServer(context.Background(), srv.ID); return err },
		},
		{
			Name:     "image call",
			Provider: pointing(func(cfg *cloud.Config, front string) { cfg.ImageURL = front + "/image" }),
			Call:     func(p cloud.Provider) error { _, err := p.GetImage(context.Background(), "x"); return err },
		},
	})
}
