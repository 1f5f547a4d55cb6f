package huawei

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
)

// ecsServer is the part of a native (Nova-style) ECS server the driver
// reads.
type ecsServer struct {
	ID     string `json:"id"`
	Status string `json:"status"`
	// TaskState is null when the server is idle.
	TaskState *string `json:"OS-EXT-STS:task_state"`
}

// serverURL is {ecs}/v2.1/{project_id}/servers/{id}[/suffix...].
func (p *Provider) serverURL(ctx context.Context, id string, suffix ...string) (string, error) {
	project, err := p.projectID(ctx)
	if err != nil {
		return "", err
	}
	u := p.s.ecsURL + "/v2.1/" + url.PathEscape(project) + "/servers/" + url.PathEscape(id)
	for _, s := range suffix {
		u += "/" + s
	}
	return u, nil
}

// GetServer reads the server's status and task_state through the native
// OpenStack API of ECS.
func (p *Provider) GetServer(ctx context.Context, id string) (*cloud.Server, error) {
	if id == "" {
		return nil, cloud.Invalid(cloud.OpGetServer, "no server ID given")
	}
	u, err := p.serverURL(ctx, id)
	if err != nil {
		return nil, err
	}
	r, err := p.do(ctx, request{op: cloud.OpGetServer, method: http.MethodGet, url: u, ok: []int{http.StatusOK}})
	if err != nil {
		return nil, err
	}
	var body struct {
		Server ecsServer `json:"server"`
	}
	if err := json.Unmarshal(r.body, &body); err != nil {
		return nil, p.transportError(cloud.OpGetServer, err)
	}
	if body.Server.ID == "" {
		return nil, cloud.Malformed(cloud.OpGetServer, "the server response has no server object")
	}
	task := ""
	if body.Server.TaskState != nil {
		task = *body.Server.TaskState
	}
	return cloud.NovaServer(body.Server.ID, body.Server.Status, task), nil
}
