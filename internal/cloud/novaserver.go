package cloud

import "strings"

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
