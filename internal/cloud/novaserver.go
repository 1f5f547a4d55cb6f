package cloud

import (
	"encoding/json"
	"strings"
)

// NovaServer is the readiness of a server described the Nova way (status and
// OS-EXT-STS:task_state), which the OpenStack, Rackspace and Huawei ECS APIs
// all use. Any task state means busy: Nova refuses createImage while one is
// set and clears it when the task ends. Of the statuses, Nova images ACTIVE,
// SHUTOFF, PAUSED and SUSPENDED servers (STOPPED is ECS's SHUTOFF).
func NovaServer(id, status, taskState string) *Server {
	s := &Server{ID: id, Status: status}
	if taskState != "" {
		s.Status = status + " (task_state " + taskState + ")"
	}
	switch {
	case taskState != "":
		s.Readiness = ServerBusy
	case novaImageable[strings.ToUpper(status)]:
		s.Readiness = ServerIdle
	default:
		s.Readiness = ServerCannotBeImaged
	}
	return s
}

var novaImageable = map[string]bool{"ACTIVE": true, "SHUTOFF": true, "STOPPED": true, "PAUSED": true, "SUSPENDED": true}

// NovaServerBody is the answer of GET servers/{id} on the Nova-shaped APIs,
// the part the drivers read.
type NovaServerBody struct {
	Server struct {
		ID     string `json:"id"`
		Status string `json:"status"`
		// TaskState is null when the server is idle.
		TaskState *string `json:"OS-EXT-STS:task_state"`
		// Image is "" for a server booted from a volume (power.go).
		Image json.RawMessage `json:"image"`
	} `json:"server"`
}

// Readiness is the server's readiness (see NovaServer), or a Malformed
// error of op when the answer holds no server.
func (b NovaServerBody) Readiness(op string) (*Server, error) {
	if b.Server.ID == "" {
		return nil, Malformed(op, "the server response has no server object")
	}
	task := ""
	if b.Server.TaskState != nil {
		task = *b.Server.TaskState
	}
	s := NovaServer(b.Server.ID, b.Server.Status, task)
	b.setPower(s, task)
	return s, nil
}
