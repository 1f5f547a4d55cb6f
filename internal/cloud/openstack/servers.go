package openstack

import (
	"context"
	"net/url"

	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/servers"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
)

// GetServer reads a server's status and task_state. It sends no
// microversion header: both fields exist from 2.1 on.
func (p *Provider) GetServer(ctx context.Context, id string) (*cloud.Server, error) {
	if id == "" {
		return nil, cloud.Invalid(cloud.OpGetServer, "no server ID given")
	}
	s, err := p.session(ctx)
	if err != nil {
		return nil, err
	}
	// gophercloud's servers.Server is not decoded: it reads far more
	// (addresses, flavor, image) and fails on clouds that shape those
	// differently.
	var body cloud.NovaServerBody
	if err := servers.Get(ctx, s.compute, url.PathEscape(id)).ExtractIntoStructPtr(&body, ""); err != nil {
		return nil, p.fail(cloud.OpGetServer, err)
	}
	return body.Readiness(cloud.OpGetServer)
}
