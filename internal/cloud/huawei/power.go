package huawei

import (
	"context"
	"net/http"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
)

// StopServer and StartServer send ECS's native os-stop (SOFT, the
// documented default) and os-start actions (NovaStopServer and
// NovaStartServer in Huawei's SDK). The answer has no body and its code
// is not stated (the bare-metal twin of the page says 204, the OpenStack
// action 202), so both pass.
func (p *Provider) StopServer(ctx context.Context, id string) error {
	return p.nativeAction(ctx, false, id)
}
func (p *Provider) StartServer(ctx context.Context, id string) error {
	return p.nativeAction(ctx, true, id)
}

func (p *Provider) nativeAction(ctx context.Context, start bool, id string) error {
	op, action := cloud.NovaPowerAction(start)
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
