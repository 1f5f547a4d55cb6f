package fakecloud

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"
)

// Power actions, counted like the other operations.
const (
	OpStopServer  Op = "stopServer"  // os-stop action, SCP POST /v1/servers/{id}/stop
	OpStartServer Op = "startServer" // os-start action, SCP POST /v1/servers/{id}/start
)

// Nova's power task states, shown while a stop or a start is under way.
const (
	TaskPoweringOff = "powering-off"
	TaskPoweringOn  = "powering-on"
)

// defaultPowerFor is how long a stop or a start takes when Options.PowerFor
// is not set.
const defaultPowerFor = 100 * time.Millisecond

// powerTransition is a stop or start under way: the server shows task
// until done (wall time), then status target.
type powerTransition struct {
	task, target string
	done         time.Time
}

// PowerCalls are the stops and starts a server was sent, in order ("stop",
// "start"), accepted or not: what tests check "never stopped twice" with.
func (c *Cloud) PowerCalls(serverID string) []string {
	c.store.mu.Lock()
	defer c.store.mu.Unlock()
	return append([]string(nil), c.store.powerLog[serverID]...)
}

// powerAction is Nova's stop/start check (compute/api.py): the vm_state
// must allow it (stop: active or error; start: stopped) and no task may
// run, a snapshot's upload among them. Accepted, the server shows the
// powering task for Options.PowerFor and then its new status.
func (st *store) powerAction(id string, start bool) error {
	st.mu.Lock()
	defer st.mu.Unlock()
	rec, ok := st.servers[id]
	if !ok {
		return errServerNotFound
	}
	if st.powerLog == nil {
		st.powerLog = map[string][]string{}
	}
	verb, allowed, task, target := "stop", map[string]bool{"active": true, "error": true}, TaskPoweringOff, "SHUTOFF"
	if start {
		verb, allowed, task, target = "start", map[string]bool{"stopped": true}, TaskPoweringOn, "ACTIVE"
	}
	st.powerLog[id] = append(st.powerLog[id], verb)
	view := st.serverView(rec, st.clock.read(st.now()))
	if !allowed[view.VMState] {
		return &stateConflict{Attr: "vm_state", State: view.VMState}
	}
	if view.TaskState != "" {
		return &stateConflict{Attr: "task_state", State: view.TaskState}
	}
	rec.power = &powerTransition{task: task, target: target, done: st.now().Add(st.powerFor)}
	return nil
}

// settlePower ends a transition whose time is up; the caller holds st.mu.
func (st *store) settlePower(rec *serverRec) {
	if rec.power == nil || st.now().Before(rec.power.done) {
		return
	}
	rec.Status, rec.VMState = rec.power.target, vmStateFor(rec.power.target)
	rec.power = nil
}

// powerTask is the task state of a transition under way, shown unless a
// snapshot's or a test's shows.
func powerTask(s Server, rec *serverRec) Server {
	if s.TaskState == "" && rec.power != nil {
		s.TaskState = rec.power.task
	}
	return s
}

// novaImageField is a server's "image": "" for one booted from a volume,
// the image's reference otherwise.
func novaImageField(s serverInfo, nr novaReq) any {
	if s.VolumeBacked {
		return ""
	}
	return map[string]any{"id": s.ImageRef, "links": []any{
		map[string]any{"rel": "bookmark", "href": nr.base + "/images/" + s.ImageRef},
	}}
}

// writeNovaPowerFailure answers a refused os-stop/os-start the way dialect
// d does: 404, 409 naming the state; seed 002's /v2 cloud answers a wrong
// task state with 400 "task_state is invalid (internal error)".
func writeNovaPowerFailure(w http.ResponseWriter, d dialect, legacy bool, serverID, verb string, err error) {
	var conflict *stateConflict
	if errors.As(err, &conflict) && legacy && d == dialectNova && conflict.Attr == "task_state" {
		writeError(w, d, http.StatusBadRequest, "task_state is invalid (internal error)", "")
		return
	}
	writeNovaActionFailure(w, d, serverID, verb, fmt.Sprintf("Instance %s could not be found.", serverID), err)
}

// serveNovaPower serves os-stop and os-start on the Nova-shaped fronts
// (Nova, Rackspace: 202; Huawei ECS's native action answers 204 here, the
// code its bare-metal twin documents). It reports whether the action was
// one of them.
func (c *Cloud) serveNovaPower(w http.ResponseWriter, r *http.Request, f computeFront, nr novaReq, serverID string, action map[string]json.RawMessage) bool {
	_, stop := action["os-stop"]
	_, start := action["os-start"]
	if !stop && !start {
		return false
	}
	op, verb := OpStopServer, "stop"
	if start {
		op, verb = OpStartServer, "start"
	}
	c.serve(w, r, call{op: op, serverID: serverID, dialect: f.dialect},
		f.guard(nr, func(w http.ResponseWriter, _ *http.Request, nr novaReq) {
			if err := c.store.powerAction(serverID, start); err != nil {
				writeNovaPowerFailure(w, f.dialect, nr.legacy, serverID, verb, err)
				return
			}
			code := http.StatusAccepted
			if f.dialect == dialectHuaweiECS {
				code = http.StatusNoContent
			}
			w.WriteHeader(code)
		}))
	return true
}

// scpPower is POST /v1/servers/{id}/stop|start: 202, no body.
func (c *Cloud) scpPower(w http.ResponseWriter, serverID string, start bool) {
	err := c.store.powerAction(serverID, start)
	var conflict *stateConflict
	switch {
	case errors.Is(err, errServerNotFound):
		scpError(w, http.StatusNotFound, "scp-virtualserver.server.not-found", fmt.Sprintf("Server %s not found.", serverID))
	case errors.As(err, &conflict):
		scpError(w, http.StatusConflict, "scp-virtualserver.server.invalid-state", fmt.Sprintf(
			"Server %s cannot change its power while it is in %s %s.", serverID, conflict.Attr, conflict.State))
	case err != nil:
		scpError(w, http.StatusInternalServerError, "scp-virtualserver.internal-error", err.Error())
	default:
		w.WriteHeader(http.StatusAccepted)
	}
}
