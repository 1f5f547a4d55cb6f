package huawei

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
)

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
	var body cloud.NovaServerBody
	if err := json.Unmarshal(r.body, &body); err != nil {
		return nil, p.transportError(cloud.OpGetServer, err)
	}
	return body.Readiness(cloud.OpGetServer)
}
