package fakecloud

import (
	"encoding/json"
	"fmt"
	"net/http"
)

// ECS front: the native OpenStack API of Huawei Cloud ECS,
// /huawei/ecs/v2.1/{project_id}/servers/{id} (GET) and .../action (POST
// createImage), plus the /v2/{project_id} form without microversions. It
// answers like the Nova front (same server bodies, microversions, 409s),
// behind the gateway, with ECS's tighter name limit.

// huaweiMaxNameBytes: ECS wants image names "less than 243 bytes".
const huaweiMaxNameBytes = 242

// huaweiMaxMetadataBytes: metadata items "less than 255 bytes" (read as
// per key and per value).
const huaweiMaxMetadataBytes = 254

func (c *Cloud) huaweiECSRoutes(w http.ResponseWriter, r *http.Request, path string) {
	segs := huaweiSegments(path)
	if len(segs) < 4 || (segs[0] != "v2.1" && segs[0] != "v2") || segs[2] != "servers" {
		c.huaweiECSNotFound(w, r)
		return
	}
	nr := novaReq{legacy: segs[0] == "v2", project: segs[1], base: c.HuaweiECSURL() + "/" + segs[0] + "/" + segs[1]}
	serverID := segs[3]
	front := computeFront{dialect: dialectHuaweiECS, guard: c.huaweiECSHandler, getServer: c.novaGetServer, createImage: c.huaweiCreateImage,
		unknown: func(w http.ResponseWriter, _ map[string]json.RawMessage, _ error) {
			writeError(w, dialectHuaweiECS, http.StatusBadRequest, "Malformed request body or unsupported action", "")
		}}
	switch {
	case len(segs) == 4 && r.Method == http.MethodGet:
		c.serveGetServer(w, r, front, nr, serverID)
	case len(segs) == 5 && segs[4] == "action" && r.Method == http.MethodPost:
		c.serveServerAction(w, r, front, nr, serverID)
	default:
		c.huaweiECSNotFound(w, r)
	}
}

func (c *Cloud) huaweiECSNotFound(w http.ResponseWriter, r *http.Request) {
	c.serve(w, r, call{op: OpOther, dialect: dialectHuaweiECS}, func(w http.ResponseWriter, r *http.Request) {
		writeHuaweiGatewayError(w, http.StatusNotFound, "APIGW.0101", "The API does not exist or has not been published in the environment", "")
	})
}

// huaweiECSHandler runs the gateway, then Nova's own checks: the project
// in the URL must be the caller's, and the microversion must be in range.
func (c *Cloud) huaweiECSHandler(nr novaReq, h func(http.ResponseWriter, *http.Request, novaReq)) http.HandlerFunc {
	return c.huaweiGateway(func(w http.ResponseWriter, r *http.Request, caller huaweiCaller) {
		nr.tok = caller.tok
		if nr.tok.ID == "" {
			nr.tok = token{UserID: defaultUserID, UserName: c.opts.Username, ProjectID: caller.projectID, ProjectName: c.opts.Region}
		}
		if nr.project != caller.projectID {
			writeError(w, dialectHuaweiECS, http.StatusBadRequest, fmt.Sprintf(
				"Malformed request URL: URL's project_id '%s' doesn't match Context's project_id '%s'", nr.project, caller.projectID), "")
			return
		}
		if c.negotiate(w, r, &nr, dialectHuaweiECS) {
			h(w, r, nr)
		}
	})
}

// huaweiCreateImage is Nova's createImage with ECS's byte limits.
func (c *Cloud) huaweiCreateImage(w http.ResponseWriter, nr novaReq, serverID string, raw json.RawMessage) {
	var peek struct {
		Name     any               `json:"name"`
		Metadata map[string]string `json:"metadata"`
	}
	_ = json.Unmarshal(raw, &peek)
	if name, ok := peek.Name.(string); ok && len(name) > huaweiMaxNameBytes {
		writeError(w, dialectHuaweiECS, http.StatusBadRequest, fmt.Sprintf(
			"Invalid input for field/attribute name. The image name is %d bytes; it must be greater than 0 and less than 243 bytes.", len(name)), "")
		return
	}
	for k, v := range peek.Metadata {
		if len(k) > huaweiMaxMetadataBytes || len(v) > huaweiMaxMetadataBytes {
			writeError(w, dialectHuaweiECS, http.StatusBadRequest, fmt.Sprintf(
				"Invalid input for field/attribute metadata. Item %q must be less than 255 bytes.", k), "")
			return
		}
	}
	name, meta, bad := validateCreateImage(raw)
	if bad != "" {
		writeError(w, dialectHuaweiECS, http.StatusBadRequest, bad, "")
		return
	}
	img, err := c.store.createSnapshot(snapshotRequest{
		ServerID: serverID, Name: name, Metadata: meta,
		UserID: nr.tok.UserID, UserName: nr.tok.UserName, Project: nr.tok.ProjectName,
		MaxProperties: glancePropertyQuota,
	})
	if writeNovaCreateFailure(w, dialectHuaweiECS, serverID, err) {
		return
	}
	if nr.minor >= 45 {
		writeJSON(w, http.StatusAccepted, map[string]string{"image_id": img.ID})
		return
	}
	w.Header().Set("Location", c.HuaweiIMSURL()+"/v2/images/"+img.ID)
	w.WriteHeader(http.StatusAccepted)
}
