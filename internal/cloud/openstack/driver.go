// Package openstack is the cloud.Provider for OpenStack: Keystone v3
// (password or application credential from clouds.yaml), Nova createImage
// and Glance v2, with the Nova images proxy as an alternative poll API for
// clouds without a reachable Glance.
//
// gophercloud does the HTTP, token handling (one re-authentication on 401),
// and the Glance calls; what it does not do is hand-written, with the
// reason next to it: hermetic clouds.yaml parsing, catalog lookup without
// hidden version-discovery calls, the createImage response (ExtractImageID
// needs a header old clouds omit), Glance custom-property filters, and the
// Nova images proxy (gone from gophercloud v2).
//
// Configuration, all of it from the Cloud and its Secret (never from the
// process environment or files):
//   - clouds.yaml entry cloudName (or the only entry): auth_url, password or
//     application credential (v3applicationcredential), user/project scope,
//     region_name (or the first of regions), interface/endpoint_type.
//     Token, vendor-profile and non-v3 setups are refused in New.
//   - CA bundle: the Secret's "cacert" key, else an inline PEM in
//     clouds.yaml's cacert; a cacert file path is refused (the pod cannot
//     read it). Inline PEM cert/key give a client certificate.
//   - clouds.yaml "verify: false" is ignored: only the Cloud's
//     insecureSkipTLSVerify turns certificate checks off.
//   - Region, interface and identity URL on the Cloud win over clouds.yaml;
//     compute/image URLs replace the catalog (a {project_id} placeholder is
//     filled from projectID or the token's project).
//   - ComputeMicroversion pins createImage's microversion ("2.1" forces the
//     Location path); otherwise 2.45 is used when the cloud supports it.
//   - ImagePollAPI ComputeImages reads, finds and deletes images through
//     the Nova proxy instead of Glance.
package openstack

import (
	"context"
	"net/http"
	"sync/atomic"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
)

func init() {
	cloud.Register(cloud.OpenStack, New)
}

// Provider is one connection to one OpenStack project. It is safe for
// concurrent use; the token, the catalog and the negotiated microversion
// are shared by all callers for the Provider's lifetime.
type Provider struct {
	// Member calls finish in the call.
	cloud.NoJobs
	s          *settings
	httpClient http.Client

	// connectSem serialises the first authentication (a one-slot
	// semaphore rather than a mutex so that waiting respects ctx).
	connectSem chan struct{}
	sess       atomic.Pointer[session]

	mv microversionCache
}

var (
	_ cloud.Provider = (*Provider)(nil)
)

// New builds a Provider from cfg without calling the cloud: clouds.yaml,
// TLS and the other settings are checked here (errors of class Invalid),
// authentication happens on first use or in Authenticate.
func New(_ context.Context, cfg cloud.Config) (cloud.Provider, error) {
	// A redirect elsewhere would carry the token (or, on a 307 from
	// Keystone, the password) away: the client follows only same-host ones.
	s, hc, err := cloud.Setup(cfg, newSettings)
	if err != nil {
		return nil, err
	}
	return &Provider{
		s:          s,
		httpClient: *hc,
		connectSem: make(chan struct{}, 1),
		mv:         microversionCache{sem: make(chan struct{}, 1)},
	}, nil
}

// Capabilities: Nova reports task states and answers createImage on a
// busy or unsnapshottable server with 409 and the reason, and on an
// unknown one with 404; Glance (or the Nova proxy) keeps image metadata,
// which carries the idempotency key. Glance lists what changed since a
// time (updated_at=gte:), and so does the Nova proxy (changes-since).
func (p *Provider) Capabilities() cloud.Capabilities {
	return cloud.Capabilities{ImagesPerCall: p.imagesPerCall(), IdempotencyKey: cloud.KeyInMetadata, ServerTasks: true, CreateChecksServer: true,
		ChangeFeed: true, VolumeSnapshots: cloud.SnapshotsListed, Power: p.powerCapabilities(), Properties: p.propertySupport()}
}
