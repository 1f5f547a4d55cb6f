package fakecloud

import (
	"encoding/json"
	"net/http"
)

// Cloud Servers API v2 under /rackspace/{region}/servers/v2/{tenant}. It is
// Nova's v2 API without microversions, so the request validation, the 409
// semantics and the images proxy (GET/DELETE images/{id}, images/detail
// filters and pagination, the ACTIVE|SAVING|ERROR|DELETED|UNKNOWN mapping)
// are the Nova front's, called with a 2.1 request context; what differs is
// here: the token check, the metadata limit, the createImage answer and
// the fault format.

// rackspaceMaxImageMeta is the default absolute limit maxImageMeta.
const rackspaceMaxImageMeta = 40

// rackspaceUnauthorized is Repose's answer to a missing or invalid token
// (wording modelled, not re-checked against the real service).
const rackspaceUnauthorized = "No valid token provided. Please use the 'X-Auth-Token' header with a valid token."

func (c *Cloud) rackspaceServersRoutes(w http.ResponseWriter, r *http.Request, region string, segs []string) {
	if len(segs) < 2 {
		c.serveNotFound(w, r, dialectRackspace)
		return
	}
	tenant, segs := segs[0], segs[1:]
	// Same request context as Nova's legacy /v2/{project_id}: base 2.1
	// behaviour, no microversion headers read or sent.
	nr := novaReq{minor: 1, legacy: true, project: tenant, base: c.RackspaceComputeURL(region)}
	c.computeResource(w, r, computeFront{dialect: dialectRackspace, guard: c.rackspaceHandler, getServer: c.rackspaceGetServer, createImage: c.rackspaceCreateImage,
		unknown: func(w http.ResponseWriter, action map[string]json.RawMessage, err error) {
			writeUnknownAction(w, dialectRackspace, action, err)
		}}, nr, segs)
}

// rackspaceHandler checks the token before h runs: it must be valid and
// issued for the tenant in the path (a Keystone token of the OpenStack
// front is for another project and is refused too).
func (c *Cloud) rackspaceHandler(nr novaReq, h func(http.ResponseWriter, *http.Request, novaReq)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		tok, ok := c.tokens.validate(r.Header.Get("X-Auth-Token"))
		if !ok || tok.ProjectID != nr.project {
			writeError(w, dialectRackspace, http.StatusUnauthorized, rackspaceUnauthorized, "")
			return
		}
		nr.tok = tok
		w.Header().Set("X-Compute-Request-Id", "req-"+newUUID())
		h(w, r, nr)
	}
}

func (c *Cloud) rackspaceGetServer(w http.ResponseWriter, nr novaReq, id string) {
	s, ok := c.store.server(id)
	if !ok {
		writeError(w, dialectRackspace, http.StatusNotFound, "Instance could not be found", "")
		return
	}
	body := c.novaServerBody(s, nr)
	body["rax-bandwidth:bandwidth"] = []any{}
	writeJSON(w, http.StatusOK, map[string]any{"server": body})
}

// rackspaceCreateImage answers 202 with the image URL in Location and an
// empty body, as the API reference shows. More metadata than maxImageMeta
// is refused the way Nova without microversions refuses it (the request's
// items counted against the metadata_items quota, before the server is
// looked up): 403 "Image metadata limit exceeded". The API reference lists
// 413 for createImage as well, which Repose uses for rate limiting; which
// of the two the live service sends for this case is not verified.
func (c *Cloud) rackspaceCreateImage(w http.ResponseWriter, nr novaReq, serverID string, raw json.RawMessage) {
	name, meta, bad := validateCreateImage(raw)
	if bad != "" {
		writeError(w, dialectRackspace, http.StatusBadRequest, bad, "")
		return
	}
	if len(meta) > rackspaceMaxImageMeta {
		writeError(w, dialectRackspace, http.StatusForbidden, "Image metadata limit exceeded", "")
		return
	}
	img, err := c.store.createSnapshot(snapshotRequest{
		ServerID: serverID, Name: name, Metadata: meta,
		UserID: nr.tok.UserID, UserName: nr.tok.UserName, Project: nr.tok.ProjectName,
		// The request limit above keeps the image far below any property
		// quota of Cloud Images, so none is modelled.
	})
	if writeNovaCreateFailure(w, dialectRackspace, serverID, err) {
		return
	}
	w.Header().Set("Location", nr.base+"/images/"+img.ID)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", "0")
	w.WriteHeader(http.StatusAccepted)
}
