package huawei

import (
	"context"
	"net/http"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
)

// StopServer sends the native os-stop action (SOFT, the documented
// default). The answer has no body; its code is not stated (the bare-metal
// twin of the page says 204, the OpenStack action 202), so both pass.
func (p *Provider) StopServer(ctx context.Context, id string) error {
	return p.powerAction(ctx, cloud.OpStopServer, "os-stop", id)
}

// StartServer sends the native os-start action.
func (p *Provider) StartServer(ctx context.Context, id string) error {
	return p.powerAction(ctx, cloud.OpStartServer, "os-start", id)
}

func (p *Provider) powerAction(ctx context.Context, op, action, id string) error {
	if id == "" {
		return cloud.Invalid(op, "no server ID given")
	}
	u, err := p.serverURL(ctx, id, "action")
	if err != nil {
		return err
	}
	_, err = p.do(ctx, request{op: op, method: http.MethodPost, url: u,
		body: map[string]any{action: map[string]any{}},
		ok:   []int{http.StatusAccepted, http.StatusNoContent}})
	return err
}

// powerCapabilities: IMS publishes no task sequence for an image build,
// and its manual warns against starting a stopped ECS while a full-ECS
// image is made from it: the start waits for active, which is also the
// first capture signal.
func powerCapabilities() cloud.PowerCapabilities {
	return cloud.PowerCapabilities{Capture: cloud.CaptureAtActive, StartAfter: cloud.StartAfterActive}
}
