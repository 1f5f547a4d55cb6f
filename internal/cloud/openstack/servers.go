package openstack

import (
	"context"
	"net/url"

	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/servers"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
)

// novaServer is the part of a server this driver reads. gophercloud's
// servers.Server is not used: it decodes far more (addresses, flavor,
// image) and fails on clouds that shape those differently.
type novaServer struct {
	ID     string `json:"id"`
	Status string `json:"status"`
	// TaskState is null when the server is idle.
	TaskState *string `json:"OS-EXT-STS:task_state"`
}

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
	var srv novaServer
	if err := servers.Get(ctx, s.compute, url.PathEscape(id)).ExtractInto(&srv); err != nil {
		return nil, p.fail(cloud.OpGetServer, err)
	}
	if srv.ID == "" {
		return nil, cloud.Malformed(cloud.OpGetServer, "the server response has no server object")
	}
	task := ""
	if srv.TaskState != nil {
		task = *srv.TaskState
	}
	return cloud.NovaServer(srv.ID, srv.Status, task), nil
}
