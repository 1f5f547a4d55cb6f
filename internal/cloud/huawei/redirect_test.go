package huawei

import (
	"context"
	"strings"
	"testing"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
	"github.com/serverimage-operator/serverimage-operator/internal/cloud/drivertest"
)

// TestRedirectsDoNotCarryCredentialsAway (token mode): an IAM endpoint
// that redirects the login elsewhere (a 307 resends the password) and an
// IMS endpoint that redirects elsewhere (the X-Auth-Token header is copied
// to any target) must reach nobody else.
func TestRedirectsDoNotCarryCredentialsAway(t *testing.T) {
	sim := newSim(t)
	getImage := func(p cloud.Provider) error { _, err := p.GetImage(context.Background(), "x"); return err }
	drivertest.CheckRedirectsDoNotCarryCredentialsAway(t, []drivertest.RedirectCase{
		{
			Name: "IAM login",
			Provider: func(t *testing.T, front string) cloud.Provider {
				cfg := tokenConfig(sim)
				cfg.Credentials = map[string][]byte{"clouds.yaml": []byte(strings.ReplaceAll(sim.HuaweiCloudsYAML("hw"), sim.HuaweiIAMURL(), front))}
				return newProvider(t, cfg)
			},
			Call: getImage,
		},
		{
			Name: "IMS call with a token",
			Provider: func(t *testing.T, front string) cloud.Provider {
				cfg := tokenConfig(sim)
				cfg.ImageURL = front
				return newProvider(t, cfg)
			},
			Call: getImage,
		},
	})
}
