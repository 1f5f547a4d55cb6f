package fakecloud

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
)

// Glance v2 image-property and member calls, with Glance's status codes:
// PATCH (v2.1 json-patch, 415 otherwise; public visibility 403 for a
// non-admin), tag PUT/DELETE (204; DELETE of an absent tag 404), members
// (403 unless the image is shared, 409 on a duplicate, a member sees only
// itself, the owner may not set a member's status), and DELETE of a
// protected image 403 (glance.go).

const glancePatchType = "application/openstack-images-v2.1-json-patch"

// glanceFlavour is what differs between the services speaking Glance's
// property and member protocol (OpenStack's Glance, Rackspace Cloud
// Images).
type glanceFlavour struct {
	// needShared: members need visibility shared, and only a shared
	// image lists them (Glance); Rackspace takes members on private images.
	needShared bool
	// visibilities a PATCH may set (public answers 403 everywhere).
	visibilities []string
	// auth checks the token and names the store's project it acts for.
	auth func(w http.ResponseWriter, r *http.Request) (token, bool)
}

func (c *Cloud) openStackGlance() glanceFlavour {
	return glanceFlavour{needShared: true, visibilities: []string{"private", "shared", "community"},
		auth: func(w http.ResponseWriter, r *http.Request) (token, bool) { return c.authenticate(w, r, dialectGlance) }}
}

// guard runs h once the flavour's auth accepts the token.
func (f glanceFlavour) guard(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if _, ok := f.auth(w, r); ok {
			h(w, r)
		}
	}
}

// glancePropsRoutes serves /v2/images/{id}/... beyond GET and DELETE;
// segs starts at the image ID. It reports false for paths it does not
// serve.
func (c *Cloud) glancePropsRoutes(w http.ResponseWriter, r *http.Request, segs []string) bool {
	return c.glancePropsRoutesAs(w, r, segs, c.openStackGlance())
}

// glancePropsRoutesAs is glancePropsRoutes for the service f.
func (c *Cloud) glancePropsRoutesAs(w http.ResponseWriter, r *http.Request, segs []string, f glanceFlavour) bool {
	id := segs[0]
	var op Op
	var h func(w http.ResponseWriter, r *http.Request, t token)
	switch {
	case len(segs) == 1 && r.Method == http.MethodPatch:
		op, h = OpUpdateImage, func(w http.ResponseWriter, r *http.Request, t token) { c.glancePatch(w, r, t, id, f) }
	case len(segs) == 3 && segs[1] == "tags" && (r.Method == http.MethodPut || r.Method == http.MethodDelete):
		op, h = OpImageTag, func(w http.ResponseWriter, r *http.Request, t token) { c.glanceTag(w, r, t, id, segs[2]) }
	case len(segs) == 2 && segs[1] == "members" && r.Method == http.MethodGet:
		op, h = OpListMembers, func(w http.ResponseWriter, r *http.Request, t token) { c.glanceListMembers(w, t, id, f) }
	case len(segs) == 2 && segs[1] == "members" && r.Method == http.MethodPost:
		op, h = OpAddMember, func(w http.ResponseWriter, r *http.Request, t token) { c.glanceAddMember(w, r, t, id, f) }
	case len(segs) == 3 && segs[1] == "members" && r.Method == http.MethodDelete:
		op, h = OpRemoveMember, func(w http.ResponseWriter, r *http.Request, t token) { c.glanceRemoveMember(w, t, id, segs[2]) }
	case len(segs) == 3 && segs[1] == "members" && r.Method == http.MethodPut:
		op, h = OpUpdateMember, func(w http.ResponseWriter, r *http.Request, t token) { c.glanceUpdateMember(w, r, t, id, segs[2]) }
	default:
		return false
	}
	img, _ := c.store.image(id)
	c.serve(w, r, call{op: op, serverID: img.ServerID, dialect: dialectGlance}, func(w http.ResponseWriter, r *http.Request) {
		t, ok := f.auth(w, r)
		if !ok {
			return
		}
		h(w, r, t)
	})
	return true
}

// glanceOwned reads the image for its owner: 404 when it does not exist,
// 403 when the token's project does not own it.
func (c *Cloud) glanceOwned(w http.ResponseWriter, t token, id string) bool {
	img, ok := c.store.image(id)
	switch {
	case !ok:
		writeError(w, dialectGlance, http.StatusNotFound, "No image found with ID "+id, "")
	case img.Owner != t.ProjectID:
		writeError(w, dialectGlance, http.StatusForbidden, "You are not permitted to modify image "+id+".", "")
	default:
		return true
	}
	return false
}

type jsonPatchOp struct {
	Op    string `json:"op"`
	Path  string `json:"path"`
	Value any    `json:"value"`
}

func (c *Cloud) glancePatch(w http.ResponseWriter, r *http.Request, t token, id string, f glanceFlavour) {
	if r.Header.Get("Content-Type") != glancePatchType {
		writeError(w, dialectGlance, http.StatusUnsupportedMediaType, "Unsupported Content-Type", "")
		return
	}
	var ops []jsonPatchOp
	if err := readJSONBody(r, &ops); err != nil {
		writeError(w, dialectGlance, http.StatusBadRequest, err.Error(), "")
		return
	}
	if !c.glanceOwned(w, t, id) {
		return
	}
	var status int
	var msg string
	img, err := c.store.updateImage(id, func(img *Image) error {
		for _, o := range ops {
			status, msg = applyPatch(img, o, f.visibilities)
			if status != 0 {
				return errors.New(msg)
			}
		}
		return nil
	})
	switch {
	case status != 0:
		writeError(w, dialectGlance, status, msg, "")
	case err != nil:
		writeError(w, dialectGlance, http.StatusNotFound, "No image found with ID "+id, "")
	default:
		writeJSON(w, http.StatusOK, glanceImageBody(img))
	}
}

// applyPatch applies one v2.1 json-patch operation to the paths the
// simulator keeps, and says which status Glance answers when it refuses.
func applyPatch(img *Image, o jsonPatchOp, visibilities []string) (int, string) {
	if o.Op != "replace" && o.Op != "add" {
		return http.StatusBadRequest, "Unsupported op " + o.Op
	}
	switch o.Path {
	case "/visibility":
		v, _ := o.Value.(string)
		switch {
		case v == "public":
			return http.StatusForbidden, "You are not authorized to complete publicize_image action."
		case slices.Contains(visibilities, v):
			img.Visibility = v
		default:
			return http.StatusBadRequest, "Invalid value '" + v + "' for visibility"
		}
	case "/protected":
		v, ok := o.Value.(bool)
		if !ok {
			return http.StatusBadRequest, "Invalid value for protected: not a boolean"
		}
		img.Protected = v
	case "/tags":
		list, ok := o.Value.([]any)
		if !ok {
			return http.StatusBadRequest, "Invalid value for tags: not an array"
		}
		img.Tags = nil
		for _, x := range list {
			s, _ := x.(string)
			addTag(img, s)
		}
	default:
		return http.StatusForbidden, "Attribute '" + o.Path[1:] + "' is read-only or not kept by the simulator."
	}
	return 0, ""
}

func (c *Cloud) glanceTag(w http.ResponseWriter, r *http.Request, t token, id, tag string) {
	tag, _ = url.PathUnescape(tag)
	if !c.glanceOwned(w, t, id) {
		return
	}
	_, err := c.store.updateImage(id, func(img *Image) error {
		if r.Method == http.MethodPut {
			addTag(img, tag)
			return nil
		}
		return removeTag(img, tag)
	})
	if errors.Is(err, errTagNotFound) {
		writeError(w, dialectGlance, http.StatusNotFound, "Tag "+tag+" not found", "")
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func glanceMemberBody(id, project, status string) map[string]any {
	return map[string]any{"image_id": id, "member_id": project, "status": status,
		"created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z", "schema": "/v2/schemas/member"}
}

func (c *Cloud) glanceListMembers(w http.ResponseWriter, t token, id string, f glanceFlavour) {
	img, ok := c.store.image(id)
	if !ok {
		writeError(w, dialectGlance, http.StatusNotFound, "No image found with ID "+id, "")
		return
	}
	if f.needShared && img.visibility() != "shared" {
		writeError(w, dialectGlance, http.StatusForbidden, "Only shared images have members.", "")
		return
	}
	out := []any{}
	for _, m := range img.members() {
		// A member sees only itself.
		if img.Owner == t.ProjectID || m == t.ProjectID {
			out = append(out, glanceMemberBody(id, m, img.Members[m]))
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"members": out, "schema": "/v2/schemas/members"})
}

func (c *Cloud) glanceAddMember(w http.ResponseWriter, r *http.Request, t token, id string, f glanceFlavour) {
	var body struct {
		Member string `json:"member"`
	}
	if err := readJSONBody(r, &body); err != nil || body.Member == "" {
		writeError(w, dialectGlance, http.StatusBadRequest, "Member to be added not specified", "")
		return
	}
	if !c.glanceOwned(w, t, id) {
		return
	}
	_, err := c.store.updateImage(id, func(img *Image) error { return addMember(img, body.Member, f.needShared) })
	switch {
	case errors.Is(err, errNotShared):
		writeError(w, dialectGlance, http.StatusForbidden, "Not allowed to create members for image "+id+".", "")
	case errors.Is(err, errDuplicateMember):
		writeError(w, dialectGlance, http.StatusConflict, "Member "+body.Member+" is duplicated for image "+id, "")
	case err != nil:
		writeError(w, dialectGlance, http.StatusNotFound, "No image found with ID "+id, "")
	default:
		writeJSON(w, http.StatusOK, glanceMemberBody(id, body.Member, "pending"))
	}
}

func (c *Cloud) glanceRemoveMember(w http.ResponseWriter, t token, id, project string) {
	if !c.glanceOwned(w, t, id) {
		return
	}
	if _, err := c.store.updateImage(id, func(img *Image) error { return removeMember(img, project) }); err != nil {
		writeError(w, dialectGlance, http.StatusNotFound, "Member "+project+" not found for image "+id, "")
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// glanceUpdateMember is the consumer's answer: only the member itself may
// set its status (the owner gets 403, anyone else 404).
func (c *Cloud) glanceUpdateMember(w http.ResponseWriter, r *http.Request, t token, id, project string) {
	var body struct {
		Status string `json:"status"`
	}
	if err := readJSONBody(r, &body); err != nil || body.Status == "" {
		writeError(w, dialectGlance, http.StatusBadRequest, "Status not specified", "")
		return
	}
	switch body.Status {
	case "pending", "accepted", "rejected":
	default:
		writeError(w, dialectGlance, http.StatusBadRequest, "Status "+body.Status+" is not valid", "")
		return
	}
	img, ok := c.store.image(id)
	_, member := img.Members[project]
	switch {
	case ok && img.Owner == t.ProjectID:
		writeError(w, dialectGlance, http.StatusForbidden, "You are not permitted to modify 'status' on this image member.", "")
		return
	case !ok || !member || project != t.ProjectID:
		writeError(w, dialectGlance, http.StatusNotFound, "Member "+project+" not found for image "+id, "")
		return
	}
	_, _ = c.store.updateImage(id, func(img *Image) error {
		img.Members[project] = body.Status
		return nil
	})
	writeJSON(w, http.StatusOK, glanceMemberBody(id, project, body.Status))
}
