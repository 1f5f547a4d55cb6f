package fakecloud

import (
	"errors"
	"net/http"
)

// SCP's image properties and members: PUT /v1/images/{id}
// (ImageSetRequest: visibility private|shared, protected), and
// /v1/images/{id}/members[/{member}] whose members are accounts and need
// the image shared. The codes are the documented ones: 200 on PUT and
// POST, 204 on DELETE, 409 for a member already there. SCP documents no
// code for a member on an unshared image or for deleting a protected one:
// the simulator answers 403 and 409 (scpimages.go).

// scpPropsRoutes serves the paths under /v1/images/{id} besides GET and
// DELETE of the image; segs starts at the image ID.
func (c *Cloud) scpPropsRoutes(w http.ResponseWriter, r *http.Request, segs []string) bool {
	id := segs[0]
	var op Op
	var h http.HandlerFunc
	switch {
	case len(segs) == 1 && r.Method == http.MethodPut:
		op, h = OpUpdateImage, func(w http.ResponseWriter, r *http.Request) { c.scpSetImage(w, r, id) }
	case len(segs) == 2 && segs[1] == "members" && r.Method == http.MethodGet:
		op, h = OpListMembers, func(w http.ResponseWriter, r *http.Request) { c.scpListMembers(w, id) }
	case len(segs) == 2 && segs[1] == "members" && r.Method == http.MethodPost:
		op, h = OpAddMember, func(w http.ResponseWriter, r *http.Request) { c.scpAddMember(w, r, id) }
	case len(segs) == 3 && segs[1] == "members" && r.Method == http.MethodDelete:
		op, h = OpRemoveMember, func(w http.ResponseWriter, r *http.Request) { c.scpRemoveMember(w, id, segs[2]) }
	case len(segs) == 3 && segs[1] == "members" && r.Method == http.MethodPut:
		op, h = OpUpdateMember, func(w http.ResponseWriter, r *http.Request) { c.scpUpdateMember(w, r, id, segs[2]) }
	default:
		return false
	}
	img, _ := c.store.image(id)
	c.serve(w, r, call{op: op, serverID: img.ServerID, dialect: dialectSCP}, c.scpHandler(h))
	return true
}

func scpImageNotFound(w http.ResponseWriter, id string) {
	scpError(w, http.StatusNotFound, "scp-virtualserver.image.not-found", "Image "+id+" not found.")
}

func (c *Cloud) scpSetImage(w http.ResponseWriter, r *http.Request, id string) {
	var req struct {
		Visibility *string `json:"visibility"`
		Protected  *bool   `json:"protected"`
	}
	if err := readJSONBody(r, &req); err != nil {
		scpError(w, http.StatusBadRequest, "scp-virtualserver.request.invalid", err.Error())
		return
	}
	if req.Visibility != nil && *req.Visibility != "private" && *req.Visibility != "shared" {
		scpError(w, http.StatusBadRequest, "scp-virtualserver.request.invalid", "visibility: value is not a valid enumeration member; permitted: 'private', 'shared'")
		return
	}
	img, err := c.store.updateImage(id, func(img *Image) error {
		if req.Visibility != nil {
			img.Visibility = *req.Visibility
		}
		if req.Protected != nil {
			img.Protected = *req.Protected
		}
		return nil
	})
	if err != nil {
		scpImageNotFound(w, id)
		return
	}
	writeJSON(w, http.StatusOK, scpImageBody(img))
}

func scpMemberBody(id, member, status string) map[string]any {
	return map[string]any{"image_id": id, "member_id": member, "status": status,
		"created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z"}
}

func (c *Cloud) scpListMembers(w http.ResponseWriter, id string) {
	img, ok := c.store.image(id)
	if !ok {
		scpImageNotFound(w, id)
		return
	}
	out := []any{}
	for _, m := range img.members() {
		out = append(out, scpMemberBody(id, m, img.Members[m]))
	}
	writeJSON(w, http.StatusOK, map[string]any{"members": out})
}

func (c *Cloud) scpAddMember(w http.ResponseWriter, r *http.Request, id string) {
	var req struct {
		MemberID string `json:"member_id"`
	}
	if err := readJSONBody(r, &req); err != nil || req.MemberID == "" || len(req.MemberID) > 64 {
		scpError(w, http.StatusBadRequest, "scp-virtualserver.request.invalid", "member_id: 1 to 64 characters of letters, digits and '-'")
		return
	}
	_, err := c.store.updateImage(id, func(img *Image) error { return addMember(img, req.MemberID, true) })
	switch {
	case errors.Is(err, errNotShared):
		scpError(w, http.StatusForbidden, "scp-virtualserver.image.not-shared", "Image "+id+" is not shared: set its visibility to shared first.")
	case errors.Is(err, errDuplicateMember):
		scpError(w, http.StatusConflict, "scp-virtualserver.image-member.duplicated", "Member "+req.MemberID+" already exists for image "+id+".")
	case err != nil:
		scpImageNotFound(w, id)
	default:
		writeJSON(w, http.StatusOK, scpMemberBody(id, req.MemberID, "pending"))
	}
}

func (c *Cloud) scpRemoveMember(w http.ResponseWriter, id, member string) {
	if _, err := c.store.updateImage(id, func(img *Image) error { return removeMember(img, member) }); err != nil {
		scpError(w, http.StatusNotFound, "scp-virtualserver.image-member.not-found", "Member "+member+" not found for image "+id+".")
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (c *Cloud) scpUpdateMember(w http.ResponseWriter, r *http.Request, id, member string) {
	var req struct {
		Status string `json:"status"`
	}
	if err := readJSONBody(r, &req); err != nil || (req.Status != "pending" && req.Status != "accepted" && req.Status != "rejected") {
		scpError(w, http.StatusBadRequest, "scp-virtualserver.request.invalid", "status: one of pending, accepted, rejected")
		return
	}
	_, err := c.store.updateImage(id, func(img *Image) error {
		if _, ok := img.Members[member]; !ok {
			return errMemberNotFound
		}
		img.Members[member] = req.Status
		return nil
	})
	if err != nil {
		scpError(w, http.StatusNotFound, "scp-virtualserver.image-member.not-found", "Member "+member+" not found for image "+id+".")
		return
	}
	writeJSON(w, http.StatusOK, scpMemberBody(id, member, req.Status))
}
