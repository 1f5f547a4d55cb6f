package rackspace

import (
	"context"
	"net/http"
	"net/url"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
)

// readOK are the success codes of a GET: Rackspace documents 203
// Non-Authoritative Information next to 200.
var readOK = []int{http.StatusOK, http.StatusNonAuthoritativeInfo}

// GetServer reads a server's status and task_state, which decide whether
// a snapshot can start now.
func (p *Provider) GetServer(ctx context.Context, id string) (*cloud.Server, error) {
	if id == "" {
		return nil, cloud.Invalid(cloud.OpGetServer, "no server ID given")
	}
	res, err := p.call(ctx, cloud.OpGetServer, http.MethodGet, "servers/"+url.PathEscape(id), nil, nil, readOK...)
	if err != nil {
		return nil, err
	}
	var body cloud.NovaServerBody
	if err := p.decode(cloud.OpGetServer, res, &body); err != nil {
		return nil, err
	}
	s, err := body.Readiness(cloud.OpGetServer)
	if err == nil {
		rackspaceStage(s, body)
	}
	return s, err
}
