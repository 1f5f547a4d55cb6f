package scp

import (
	"context"
	"strings"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
)

// scpServer is the part of GET /v1/servers/{id} this driver reads. The
// answer is the server object itself, not wrapped (ServerShowResponse in
// the SDK's openapi.yaml, API version 1.0): id, name, state ("ACTIVE" in
// the example; Samsung's Terraform provider starts and stops servers
// between ACTIVE and SHUTOFF and treats ERROR as failure). There is no
// task_state: a server busy with another task is only seen as a 409 on
// create, unless its state names the task.
type scpServer struct {
	ID    string  `json:"id"`
	Name  string  `json:"name"`
	State *string `json:"state"`
}

// serverStates sorts the states this driver knows. The state enum is not
// published; the names are Nova's server statuses (SCP's virtual server
// runs on OpenStack) plus the -ING names of SCP's v1 console.
var (
	// busyStates end on their own: wait, then create.
	busyStates = map[string]bool{
		"BUILD": true, "BUILDING": true, "CREATING": true, "REBOOT": true, "HARD_REBOOT": true,
		"RESIZE": true, "REVERT_RESIZE": true, "MIGRATING": true, "REBUILD": true, "PASSWORD": true,
		"STARTING": true, "STOPPING": true, "RESTARTING": true, "EDITING": true,
	}
	// refusedStates need a person (or never change): no image can be
	// taken until the server is fixed.
	refusedStates = map[string]bool{
		"ERROR": true, "DELETED": true, "SOFT_DELETED": true, "SHELVED": true, "SHELVED_OFFLOADED": true,
		"RESCUE": true, "VERIFY_RESIZE": true, "TERMINATING": true, "TERMINATED": true,
	}
)

// GetServer reads the server's state.
func (p *Provider) GetServer(ctx context.Context, id string) (*cloud.Server, error) {
	srv, err := getOne(ctx, p, cloud.OpGetServer, "server", id, func(s scpServer) string { return s.ID })
	if err != nil {
		return nil, err
	}
	state := ""
	if srv.State != nil {
		state = *srv.State
	}
	s := serverOf(srv.ID, state)
	scpPower(s)
	return s, nil
}

// serverOf maps an SCP state onto the boundary's readiness:
//   - snapshottable states (RUNNING, STOPPED...) are idle;
//   - busy states (a transition under way) are busy, so the reconciler
//     waits;
//   - refused states cannot be imaged;
//   - a state this driver does not know is idle, so that createImage is
//     tried and SCP's own answer (409 or 202) decides rather than this
//     guess.
//
// The raw state is kept for messages either way.
func serverOf(id, state string) *cloud.Server {
	s := strings.ToUpper(strings.TrimSpace(state))
	out := &cloud.Server{ID: id, Status: s, Readiness: cloud.ServerIdle}
	switch {
	case refusedStates[s]:
		out.Readiness = cloud.ServerCannotBeImaged
	case busyStates[s]:
		out.Readiness = cloud.ServerBusy
	}
	return out
}
