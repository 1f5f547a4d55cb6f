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
	var body cloud.NovaServerBody
	if err := p.getOne(ctx, cloud.OpGetServer, "server", id, &body); err != nil {
		return nil, err
	}
	s, err := body.Readiness(cloud.OpGetServer)
	if err == nil {
		rackspaceStage(s, body)
	}
	return s, err
}

// getOne reads the one <kind> named id (a server or an image) into v; an
// empty id is refused before any call.
func (p *Provider) getOne(ctx context.Context, op, kind, id string, v any) error {
	if id == "" {
		return cloud.Invalid(op, "no "+kind+" ID given")
	}
	res, err := p.call(ctx, op, http.MethodGet, kind+"s/"+url.PathEscape(id), nil, nil, readOK...)
	if err != nil {
		return err
	}
	return p.decode(op, res, v)
}
