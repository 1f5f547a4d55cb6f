// Package rackspace is the cloud.Provider for Rackspace Cloud Servers API
// v2 (cloud-apis.md §1): Rackspace Identity v2.0 with an API key (or a
// password), the cloudServersOpenStack endpoint of the service catalog,
// createImage with the image ID in the Location header, and the images
// API of Cloud Servers (the Nova v2 images proxy) for polling, finding
// again and deleting.
//
// The HTTP is hand-written with net/http rather than gophercloud: there is
// no RAX-KSKEY authentication in gophercloud v2, its
// servers.CreateImageResult.ExtractImageID fails without the
// X-OpenStack-Nova-API-Version header that Cloud Servers never sends, and
// v2 dropped the compute images package. What would remain of gophercloud
// is JSON over HTTP for five calls, which is shorter and easier to follow
// written out than adapted.
package rackspace

import (
	"context"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
)

func init() {
	cloud.Register(cloud.Rackspace, New)
}

// Provider is one connection to one Rackspace account in one region. It is
// safe for concurrent use; the token is shared by all callers.
type Provider struct {
	// Images hold no Cloud Block Storage volumes (docs/providers/rackspace.md).
	cloud.NoVolumeSnapshots
	// Member calls finish in the call.
	cloud.NoJobs
	s  *settings
	hc http.Client

	// authSem serialises authentication (a one-slot semaphore rather than
	// a mutex so that waiting respects ctx): many reconciles that find the
	// token expired cause one identity call, not one each.
	authSem chan struct{}
	sess    atomic.Pointer[session]

	now func() time.Time
}

var _ cloud.Provider = (*Provider)(nil)

// New builds a Provider from cfg without calling the cloud: the Secret and
// the Cloud's settings are checked here (errors of class Invalid);
// authentication happens on first use or in Authenticate.
func New(_ context.Context, cfg cloud.Config) (cloud.Provider, error) {
	s, hc, err := cloud.Setup(cfg, newSettings)
	if err != nil {
		return nil, err
	}
	// A redirect would resend the token (or the credentials) to wherever
	// it points; the API never redirects, so none is followed.
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &Provider{
		s:       s,
		hc:      *hc,
		authSem: make(chan struct{}, 1),
		now:     time.Now,
	}, nil
}
