// Package scp is the cloud.Provider for Samsung Cloud Platform v2 Virtual
// Server: createImage is POST /v1/servers/{id}/images, images are polled,
// listed and deleted under /v1/images, and every request is signed with the
// account's access key (HMAC-SHA256, no token).
//
// The client is hand-written: Samsung's Go SDK
// (github.com/SamsungSDSCloud/terraform-sdk-samsungcloudplatformv2/v4) is
// not served by the Go module proxy, and the operator needs a signer and
// five small calls, not a generated client for the whole service.
//
// Facts and their sources are in docs/providers/scp.md; what the simulator
// could not confirm against the real cloud is marked there as unverified.
package scp

import (
	"context"
	"net/http"
	"time"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
)

func init() {
	cloud.Register(cloud.SamsungCloudPlatform, New)
}

// Provider is one signed connection to one SCP account. It holds no
// session state (HMAC needs no token); the endpoint it may read from the
// catalog is guarded. It is safe for concurrent use.
type Provider struct {
	// Images' volumes are not read yet (docs/providers/scp.md).
	cloud.NoVolumeSnapshots
	// Member calls finish in the call.
	cloud.NoJobs

	s    *settings
	http *http.Client
	// found is the endpoint read from the catalog, when there is one.
	found discovered
}

var _ cloud.Provider = (*Provider)(nil)

// New builds a Provider from cfg without calling the cloud. Missing keys, a
// malformed endpoint or API version are errors of class Invalid.
func New(_ context.Context, cfg cloud.Config) (cloud.Provider, error) {
	return newProvider(cfg, time.Now)
}

// newProvider takes the clock separately so that tests can sign with a
// fixed or skewed time.
func newProvider(cfg cloud.Config, now func() time.Time) (*Provider, error) {
	// Each hop is signed for its own URL, but a redirect to another host
	// is still not followed.
	s, hc, err := cloud.Setup(cfg, func(cfg cloud.Config) (*settings, error) { return newSettings(cfg, now()) })
	if err != nil {
		return nil, err
	}
	hc.Transport = &signer{base: hc.Transport, creds: s.creds, now: now}
	return &Provider{s: s, http: hc}, nil
}
