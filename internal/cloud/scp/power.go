package scp

import (
	"context"
	"net/http"
	"net/url"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
)

// StopServer is POST /v1/servers/{id}/stop: 202, no body, no job; the
// server's state then moves ACTIVE → SHUTOFF.
func (p *Provider) StopServer(ctx context.Context, id string) error {
	return p.powerAction(ctx, cloud.OpStopServer, id, "stop")
}

// StartServer is POST /v1/servers/{id}/start: SHUTOFF → ACTIVE.
func (p *Provider) StartServer(ctx context.Context, id string) error {
	return p.powerAction(ctx, cloud.OpStartServer, id, "start")
}

func (p *Provider) powerAction(ctx context.Context, op, id, verb string) error {
	if id == "" {
		return cloud.Invalid(op, "no server ID given")
	}
	if err := p.call(ctx, op, http.MethodPost, "/v1/servers/"+url.PathEscape(id)+"/"+verb, nil, nil, nil); err != nil {
		return p.checkNotFound(ctx, op, err)
	}
	return nil
}

// scpPower maps the state field: ACTIVE and SHUTOFF are the two ends of a
// stop and a start (Samsung's Terraform provider waits for them).
func scpPower(s *cloud.Server) {
	switch s.Status {
	case "ACTIVE", "RUNNING":
		s.Power = cloud.PowerRunning
	case "SHUTOFF", "STOPPED":
		s.Power = cloud.PowerStopped
	default:
		s.Power = cloud.PowerOther
	}
}

// powerCapabilities: a server shows only its state, no task, so neither
// the capture nor the end of it is visible before the image is active.
func powerCapabilities() cloud.PowerCapabilities {
	return cloud.PowerCapabilities{Capture: cloud.CaptureAtActive, StartAfter: cloud.StartAfterActive}
}
