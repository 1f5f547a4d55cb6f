package fakecloud

import (
	"net/http"
	"slices"
	"testing"
)

// TestGlanceImagePropertiesAndMembers walks the Glance calls the operator
// uses to keep an image's properties and members, with Glance's codes.
func TestGlanceImagePropertiesAndMembers(t *testing.T) {
	c := newTestCloud(t, Options{})
	tok := login(t, c)
	img := c.AddImage(Image{Name: "golden"})
	base := c.ImageURL() + "/v2/images/" + img.ID
	patch := "Content-Type: " + glancePatchType
	const consumer = "0f0e0d0c0b0a09080706050403020100"

	steps := []struct {
		name, method, url string
		body              any
		headers           []string
		want              int
	}{
		{"patch needs the json-patch media type", http.MethodPatch, base, []any{}, nil, 415},
		{"public is admin-only", http.MethodPatch, base, []any{map[string]any{"op": "replace", "path": "/visibility", "value": "public"}}, []string{patch}, 403},
		{"members need shared", http.MethodPost, base + "/members", map[string]any{"member": consumer}, nil, 403},
		{"listing members needs shared", http.MethodGet, base + "/members", nil, nil, 403},
		{"shared and protected", http.MethodPatch, base, []any{
			map[string]any{"op": "replace", "path": "/visibility", "value": "shared"},
			map[string]any{"op": "replace", "path": "/protected", "value": true}}, []string{patch}, 200},
		{"tag added", http.MethodPut, base + "/tags/golden", nil, nil, 204},
		{"tag added again", http.MethodPut, base + "/tags/golden", nil, nil, 204},
		{"absent tag deleted", http.MethodDelete, base + "/tags/nightly", nil, nil, 404},
		{"member added", http.MethodPost, base + "/members", map[string]any{"member": consumer}, nil, 200},
		{"duplicate member", http.MethodPost, base + "/members", map[string]any{"member": consumer}, nil, 409},
		{"the owner cannot accept for the member", http.MethodPut, base + "/members/" + consumer, map[string]any{"status": "accepted"}, nil, 403},
		{"accept without a status", http.MethodPut, base + "/members/" + consumer, map[string]any{}, nil, 400},
		{"protected image delete", http.MethodDelete, base, nil, nil, 403},
		{"member removed", http.MethodDelete, base + "/members/" + consumer, nil, nil, 204},
		{"absent member removed", http.MethodDelete, base + "/members/" + consumer, nil, nil, 404},
		{"unprotected", http.MethodPatch, base, []any{map[string]any{"op": "replace", "path": "/protected", "value": false}}, []string{patch}, 200},
		{"deleted", http.MethodDelete, base, nil, nil, 204},
	}
	for _, s := range steps {
		r := do(t, s.method, s.url, tok, s.body, s.headers...)
		if r.status != s.want {
			t.Fatalf("%s: %s %s answered %d %s, want %d", s.name, s.method, s.url, r.status, r.raw, s.want)
		}
		if s.name == "tag added again" {
			got := do(t, http.MethodGet, base, tok, nil)
			tags, _ := got.body["tags"].([]any)
			if got.str("visibility") != "shared" || got.body["protected"] != true || len(tags) != 1 || tags[0] != "golden" {
				t.Fatalf("image after the changes: %s", got.raw)
			}
		}
	}
	if c.Calls(OpAddMember) != 3 || c.Calls(OpImageTag) != 3 {
		t.Errorf("ledger: %d addMember, %d imageTag calls", c.Calls(OpAddMember), c.Calls(OpImageTag))
	}
}

// TestGlanceMemberAcceptsOwnShare: only the member itself sets its status
// (the simulator's one project plays the consumer of an image another
// project owns).
func TestGlanceMemberAcceptsOwnShare(t *testing.T) {
	c := newTestCloud(t, Options{})
	tok := login(t, c)
	img := c.AddImage(Image{Name: "theirs", Owner: "another-project", ImageProps: ImageProps{Visibility: "shared", Members: map[string]string{c.ProjectID(): "pending"}}})
	base := c.ImageURL() + "/v2/images/" + img.ID
	if r := do(t, http.MethodPut, base+"/members/"+c.ProjectID(), tok, map[string]any{"status": "accepted"}); r.status != 200 || r.str("status") != "accepted" {
		t.Fatalf("accept answered %d %s", r.status, r.raw)
	}
	if r := do(t, http.MethodPut, base+"/members/someone-else", tok, map[string]any{"status": "accepted"}); r.status != 404 {
		t.Errorf("accepting for another member answered %d, want 404", r.status)
	}
	r := do(t, http.MethodGet, base+"/members", tok, nil)
	ms, _ := r.body["members"].([]any)
	if len(ms) != 1 || dig(ms[0], "status") != "accepted" {
		t.Errorf("the member sees %s", r.raw)
	}
	if got, _ := c.Image(img.ID); !slices.Contains(got.members(), c.ProjectID()) {
		t.Errorf("members %v", got.Members)
	}
}
