package fakecloud

import (
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"unicode/utf8"
)

// scpTime is the timestamp format of SCP's examples.
const scpTime = "2006-01-02T15:04:05Z"

func (c *Cloud) scpGetServer(w http.ResponseWriter, id string) {
	s, ok := c.store.server(id)
	if !ok {
		scpError(w, http.StatusNotFound, "scp-virtualserver.server.not-found", fmt.Sprintf("Server %s not found.", id))
		return
	}
	writeJSON(w, http.StatusOK, c.scpServerBody(s))
}

// scpServerBody renders a server as ServerShowResponse: the object itself,
// not wrapped. "state" is the Nova status; SCP shows no task state, so a
// server busy with a snapshot still reads ACTIVE and only createImage's
// 409 tells.
func (c *Cloud) scpServerBody(s serverInfo) map[string]any {
	created := s.Created.UTC().Format(scpTime)
	return map[string]any{
		"id":                      s.ID,
		"name":                    s.Name,
		"state":                   s.Status,
		"account_id":              c.opts.ProjectID,
		"created_at":              created,
		"modified_at":             created,
		"created_by":              defaultUserID,
		"disk_config":             "MANUAL",
		"image_id":                s.ImageRef,
		"locked":                  false,
		"metadata":                map[string]string{},
		"addresses":               []any{},
		"security_groups":         []any{},
		"volumes":                 []any{},
		"server_type":             map[string]any{"id": "s1v1m2", "name": "s1v1m2"},
		"auto_scaling_group_id":   nil,
		"keypair_name":            nil,
		"launch_configuration_id": nil,
		"server_group_id":         nil,
		"vpc_id":                  nil,
	}
}

// scpImageNameRule is the image name rule of SCP's POST /v1/images, which
// the simulator applies to server images too (the driver assumes the same).
var scpImageNameRule = regexp.MustCompile(`^[a-zA-Z0-9_ -]*$`)

// scpCreateImage is POST /v1/servers/{id}/images: the body has one field,
// image_name; others are ignored (the schema does not forbid them).
func (c *Cloud) scpCreateImage(w http.ResponseWriter, r *http.Request, serverID string) {
	var body map[string]any
	if err := readJSONBody(r, &body); err != nil || body == nil {
		scpValidation(w, []string{"body"}, "value is not a valid dict", "type_error.dict")
		return
	}
	v, present := body["image_name"]
	name, isString := v.(string)
	switch {
	case !present:
		scpValidation(w, []string{"body", "image_name"}, "field required", "value_error.missing")
		return
	case !isString:
		scpValidation(w, []string{"body", "image_name"}, "str type expected", "type_error.str")
		return
	case utf8.RuneCountInString(name) < 1:
		scpValidation(w, []string{"body", "image_name"}, "ensure this value has at least 1 characters", "value_error.any_str.min_length")
		return
	case utf8.RuneCountInString(name) > 255:
		scpValidation(w, []string{"body", "image_name"}, "ensure this value has at most 255 characters", "value_error.any_str.max_length")
		return
	case !scpImageNameRule.MatchString(name):
		scpValidation(w, []string{"body", "image_name"}, `string does not match regex "^[a-zA-Z0-9-_ ]*$"`, "value_error.str.regex")
		return
	}
	img, err := c.store.createSnapshot(snapshotRequest{ServerID: serverID, Name: name, UserID: defaultUserID, Project: c.opts.ProjectName})
	var conflict *stateConflict
	switch {
	case errors.Is(err, errServerNotFound):
		scpError(w, http.StatusNotFound, "scp-virtualserver.server.not-found", fmt.Sprintf("Server %s not found.", serverID))
		return
	case errors.As(err, &conflict):
		// SCP's wording for this 409 is not published; the simulator names
		// the Nova attribute that refused, as Nova does.
		scpError(w, http.StatusConflict, "scp-virtualserver.server.invalid-state", fmt.Sprintf(
			"Server %s cannot create an image while it is in %s %s.", serverID, conflict.Attr, conflict.State))
		return
	case err != nil:
		scpError(w, http.StatusInternalServerError, "scp-virtualserver.internal-error", err.Error())
		return
	}
	writeJSON(w, http.StatusAccepted, map[string]string{"image_id": img.ID})
}
