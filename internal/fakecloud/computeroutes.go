package fakecloud

import (
	"encoding/json"
	"net/http"
)

// computeFront is what differs between the Nova-shaped compute fronts
// (Nova, Rackspace, Huawei ECS); the routes and the images proxy are
// Nova's for all of them.
type computeFront struct {
	dialect dialect
	// guard checks the token the front's way before h runs.
	guard func(nr novaReq, h func(http.ResponseWriter, *http.Request, novaReq)) http.HandlerFunc
	// getServer renders GET servers/{id}.
	getServer func(w http.ResponseWriter, nr novaReq, id string)
	// createImage serves the one server action simulated.
	createImage func(w http.ResponseWriter, nr novaReq, serverID string, raw json.RawMessage)
	// unknown answers an unreadable action body or any other action.
	unknown func(w http.ResponseWriter, action map[string]json.RawMessage, err error)
}

// computeResource routes a request below the project's compute URL: servers
// (GET, action) and the images proxy (list, GET, DELETE).
func (c *Cloud) computeResource(w http.ResponseWriter, r *http.Request, f computeFront, nr novaReq, segs []string) {
	get, del, post := r.Method == http.MethodGet, r.Method == http.MethodDelete, r.Method == http.MethodPost
	switch {
	case len(segs) == 2 && segs[0] == "servers" && get:
		c.serveGetServer(w, r, f, nr, segs[1])
	case len(segs) == 3 && segs[0] == "servers" && segs[2] == "action" && post:
		c.serveServerAction(w, r, f, nr, segs[1])
	case (len(segs) == 1 || (len(segs) == 2 && segs[1] == "detail")) && segs[0] == "images" && get:
		detail := len(segs) == 2
		c.serve(w, r, call{op: OpListImages, serverID: lastSegment(r.URL.Query().Get("server")), dialect: f.dialect},
			f.guard(nr, func(w http.ResponseWriter, r *http.Request, nr novaReq) { c.novaListImages(w, r, nr, detail) }))
	case len(segs) == 2 && segs[0] == "images" && (get || del):
		img, _ := c.store.image(segs[1])
		op, h := OpGetImage, c.novaGetImage
		if del {
			op, h = OpDeleteImage, c.novaDeleteImage
		}
		c.serve(w, r, call{op: op, serverID: img.ServerID, dialect: f.dialect},
			f.guard(nr, func(w http.ResponseWriter, _ *http.Request, nr novaReq) { h(w, nr, segs[1]) }))
	default:
		c.serveNotFound(w, r, f.dialect)
	}
}

func (c *Cloud) serveGetServer(w http.ResponseWriter, r *http.Request, f computeFront, nr novaReq, id string) {
	c.serve(w, r, call{op: OpGetServer, serverID: id, dialect: f.dialect},
		f.guard(nr, func(w http.ResponseWriter, _ *http.Request, nr novaReq) { f.getServer(w, nr, id) }))
}

// serveServerAction reads the body first, because the action decides the
// op the call is counted as, then serves it through the front's guard.
func (c *Cloud) serveServerAction(w http.ResponseWriter, r *http.Request, f computeFront, nr novaReq, serverID string) {
	action, err := readServerAction(r)
	if raw, ok := action["createImage"]; ok && err == nil {
		c.serve(w, r, call{op: OpCreateImage, serverID: serverID, dialect: f.dialect},
			f.guard(nr, func(w http.ResponseWriter, _ *http.Request, nr novaReq) { f.createImage(w, nr, serverID, raw) }))
		return
	}
	if err == nil && c.serveNovaPower(w, r, f, nr, serverID, action) {
		return
	}
	c.serve(w, r, call{op: OpOther, serverID: serverID, dialect: f.dialect},
		f.guard(nr, func(w http.ResponseWriter, _ *http.Request, _ novaReq) { f.unknown(w, action, err) }))
}
