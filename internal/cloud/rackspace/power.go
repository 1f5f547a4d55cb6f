package rackspace

import (
	"context"
	"net/http"
	"net/url"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
)

// StopServer and StartServer send os-stop and os-start: 202, no body.
// Cloud Servers stops an ACTIVE or ERROR server and starts a SHUTOFF one,
// and answers 409 otherwise.
func (p *Provider) StopServer(ctx context.Context, id string) error  { return p.power(ctx, false, id) }
func (p *Provider) StartServer(ctx context.Context, id string) error { return p.power(ctx, true, id) }

func (p *Provider) power(ctx context.Context, start bool, id string) error {
	op, action := cloud.NovaPowerAction(start)
	if id == "" {
		return cloud.Invalid(op, "no server ID given")
	}
	_, err := p.call(ctx, op, http.MethodPost, "servers/"+url.PathEscape(id)+"/action", nil, map[string]any{action: nil}, http.StatusAccepted)
	return err
}

// rackspaceStage: Rackspace documents image_pending_upload as "finished
// taking the snapshot", packaging it for upload, so the server's task
// carries the capture signal earlier than the image's status (its images
// API says SAVING for the whole build).
func rackspaceStage(s *cloud.Server, body cloud.NovaServerBody) {
	task := ""
	if body.Server.TaskState != nil {
		task = *body.Server.TaskState
	}
	_, s.Snapshot = cloud.NovaPower(body.Server.Status, task, true)
}

// powerCapabilities: os-start during the upload is undocumented; Nova's
// code, which Cloud Servers runs, refuses it until the task clears.
func powerCapabilities() cloud.PowerCapabilities {
	return cloud.PowerCapabilities{Capture: cloud.CaptureAtServerUpload, StartAfter: cloud.StartAfterTaskClears}
}
