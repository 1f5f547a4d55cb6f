package fakecloud

import (
	"errors"
	"net/http"
	"strings"
)

// The block-storage front: Cinder v3's snapshot GET and DELETE under
// /volume/v3/{project_id}, in Nova's fault format (Cinder shares it).

func init() {
	registerFront("/volume", (*Cloud).cinderRoutes)
}

func (c *Cloud) cinderRoutes(w http.ResponseWriter, r *http.Request, rest string) {
	segs := strings.Split(strings.Trim(rest, "/"), "/")
	get, del := r.Method == http.MethodGet, r.Method == http.MethodDelete
	if len(segs) != 4 || segs[0] != "v3" || segs[1] != c.opts.ProjectID || segs[2] != "snapshots" || !(get || del) {
		c.serveNotFound(w, r, dialectNova)
		return
	}
	id := segs[3]
	op := OpGetVolumeSnapshot
	if del {
		op = OpDeleteVolumeSnapshot
	}
	c.serve(w, r, call{op: op, dialect: dialectNova}, func(w http.ResponseWriter, r *http.Request) {
		if _, ok := c.authenticate(w, r, dialectNova); !ok {
			return
		}
		if del {
			c.cinderDelete(w, id)
			return
		}
		snap, ok := c.store.volumeSnapshot(id)
		if !ok {
			writeError(w, dialectNova, http.StatusNotFound, "Snapshot "+id+" could not be found.", "")
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"snapshot": map[string]any{
			"id": snap.ID, "name": snap.Name, "status": snap.Status, "size": snap.SizeGiB,
			"volume_id": snap.VolumeID, "metadata": map[string]string{}, "description": nil,
		}})
	})
}

func (c *Cloud) cinderDelete(w http.ResponseWriter, id string) {
	found, err := c.store.deleteVolumeSnapshot(id)
	var busy errSnapshotNotDeletable
	switch {
	case !found:
		writeError(w, dialectNova, http.StatusNotFound, "Snapshot "+id+" could not be found.", "")
	case errors.As(err, &busy):
		writeError(w, dialectNova, http.StatusBadRequest, err.Error(), "")
	default:
		w.WriteHeader(http.StatusAccepted)
	}
}
