package fakecloud

import (
	"maps"
	"net/http"
	"testing"
)

func TestLedger(t *testing.T) {
	c, tok := newLoggedInCloud(t, Options{})
	s := c.AddServer(Server{})
	c.InjectFault(Fault{Op: OpCreateImage, Status: 503})
	createImage(t, c, tok, s.ID, "faulted", "", nil)        // faulted
	createImage(t, c, "bad-token", s.ID, "unauth", "", nil) // 401
	createImage(t, c, tok, "nope", "missing", "", nil)      // 404
	id := imageIDOf(t, createImage(t, c, tok, s.ID, "ok", "", nil))
	do(t, http.MethodGet, c.ImageURL()+"/v2/images/"+id, tok, nil)
	do(t, http.MethodGet, c.ComputeURL()+"/images/"+id, tok, nil)
	do(t, http.MethodGet, c.ImageURL()+"/v2/images", tok, nil)
	do(t, http.MethodGet, c.ComputeURL()+"/images/detail", tok, nil)
	do(t, http.MethodDelete, c.ImageURL()+"/v2/images/"+id, tok, nil)
	do(t, http.MethodGet, c.ComputeURL()+"/servers/"+s.ID, tok, nil)
	do(t, http.MethodGet, c.URL()+"/compute/v2.1/", "", nil)
	do(t, http.MethodGet, c.URL()+"/nowhere", "", nil)

	want := map[Op]int{
		OpAuth: 1, OpCreateImage: 4, OpGetImage: 2, OpListImages: 2, OpDeleteImage: 1,
		OpGetServer: 1, OpVersions: 1, OpOther: 1,
	}
	got := c.Ledger()
	if !maps.Equal(got, want) {
		t.Errorf("ledger %v, want %v", got, want)
	}
	for op, n := range want {
		if c.Calls(op) != n {
			t.Errorf("Calls(%s) = %d", op, c.Calls(op))
		}
	}
	got[OpAuth] = 99 // a copy: the cloud's counts are not affected
	if c.Calls(OpAuth) != 1 {
		t.Error("Ledger returned the live map")
	}
	c.ResetLedger()
	if len(c.Ledger()) != 0 || c.Calls(OpCreateImage) != 0 {
		t.Errorf("after reset %v", c.Ledger())
	}
}
