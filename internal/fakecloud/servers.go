package fakecloud

import (
	"strings"
	"time"
)

// statusVMStates pairs the Nova statuses whose vm_state has another name.
var statusVMStates = map[string]string{
	"SHUTOFF":       "stopped",
	"BUILD":         "building",
	"VERIFY_RESIZE": "resized",
	"RESCUE":        "rescued",
	"SOFT_DELETED":  "soft-delete",
}

// vmStateFor maps a Nova status to the vm_state behind it.
func vmStateFor(status string) string {
	status = strings.ToUpper(status)
	switch status {
	case "ACTIVE", "RESIZE", "MIGRATING", "REBOOT", "HARD_REBOOT", "PASSWORD", "REBUILD":
		return "active"
	}
	if vm, ok := statusVMStates[status]; ok {
		return vm
	}
	return strings.ToLower(status)
}

// statusFor maps a vm_state to the Nova status shown for it.
func statusFor(vmState string) string {
	for status, vm := range statusVMStates {
		if vm == vmState {
			return status
		}
	}
	return strings.ToUpper(vmState)
}

func normalizeServer(s Server) Server {
	if s.Status == "" && s.VMState == "" {
		s.Status = "ACTIVE"
	}
	if s.Status == "" {
		s.Status = statusFor(s.VMState)
	}
	s.Status = strings.ToUpper(s.Status)
	if s.VMState == "" {
		s.VMState = vmStateFor(s.Status)
	}
	return s
}

func (st *store) addServer(s Server) Server {
	st.mu.Lock()
	defer st.mu.Unlock()
	if s.ID == "" {
		s.ID = newUUID()
	}
	if s.Name == "" {
		s.Name = "server-" + shortID(s.ID)
	}
	rec := &serverRec{Server: normalizeServer(s), created: st.now().UTC(), imageRef: newUUID()}
	if old, ok := st.servers[s.ID]; ok {
		rec.created, rec.imageRef, rec.snapshot, rec.failNext = old.created, old.imageRef, old.snapshot, old.failNext
	}
	rec.failNext += st.pendingFail[s.ID]
	delete(st.pendingFail, s.ID)
	st.servers[s.ID] = rec
	return st.serverView(rec, st.clock.read(st.now()))
}

// shortID is the leading part of an ID, for default names.
func shortID(id string) string {
	if len(id) > 8 {
		return id[:8]
	}
	return id
}

// setServer replaces the server's state; fields left empty keep their
// derived defaults (VMState follows Status). An unknown ID adds the server.
func (st *store) setServer(s Server) {
	st.mu.Lock()
	rec, ok := st.servers[s.ID]
	if !ok {
		st.mu.Unlock()
		st.addServer(s)
		return
	}
	defer st.mu.Unlock()
	if s.Name == "" {
		s.Name = rec.Name
	}
	if s.Status == "" && s.VMState == "" {
		s.Status = rec.Status
	}
	rec.Server = normalizeServer(s)
}

// deleteServer removes a server. Snapshots still in progress for it are
// aborted, and as Nova does on a failed snapshot their images are deleted.
func (st *store) deleteServer(id string) {
	st.mu.Lock()
	defer st.mu.Unlock()
	delete(st.servers, id)
	delete(st.pendingFail, id)
	lnow := st.clock.read(st.now())
	for iid, r := range st.images {
		if r.life == nil || r.img.ServerID != id {
			continue
		}
		if p := r.life.phaseAt(lnow); p.status == StatusQueued || p.status == StatusSaving {
			delete(st.images, iid)
		}
	}
}

func (st *store) failNextSnapshot(serverID string) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if rec, ok := st.servers[serverID]; ok {
		rec.failNext++
		return
	}
	st.pendingFail[serverID]++
}

// serverView is the server as the API shows it now: the task state of a
// running snapshot shows through unless a test pinned one.
func (st *store) serverView(rec *serverRec, lnow time.Duration) Server {
	st.settlePower(rec)
	s := rec.Server
	if s.TaskState == "" && rec.snapshot != "" {
		if ir, ok := st.images[rec.snapshot]; ok && ir.life != nil {
			s.TaskState = ir.life.phaseAt(lnow).task
		}
	}
	return powerTask(s, rec)
}

// serverInfo is a server's API view plus the details only fronts render.
type serverInfo struct {
	Server
	Created  time.Time
	ImageRef string
}

func (st *store) server(id string) (serverInfo, bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	rec, ok := st.servers[id]
	if !ok {
		return serverInfo{}, false
	}
	return serverInfo{
		Server:   st.serverView(rec, st.clock.read(st.now())),
		Created:  rec.created,
		ImageRef: rec.imageRef,
	}, true
}
