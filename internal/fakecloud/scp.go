package fakecloud

import (
	"net/http"
	"strings"
)

// Samsung Cloud Platform v2 Virtual Server front, mounted at
// /scp/virtualserver (SCPURL): the part of the API an image needs, over the
// shared store, with the gateway's HMAC signature check in front.
//
//	GET    /v1/servers/{id}          server, unwrapped, with "state"
//	POST   /v1/servers/{id}/images   {"image_name"} → 202 {"image_id"}
//	GET    /v1/images/{id}           Glance-shaped image
//	DELETE /v1/images/{id}           204
//	GET    /v1/images                name, status, visibility, … limit, marker, sort
//	GET    /v1/pending-images        images still being built
//
// The real API runs on its own host per region
// (virtualserver.{region}.{env}.samsungsdscloud.com); here it shares the
// simulator's host under a path prefix, which the driver reaches through
// its endpoint override.

// dialectSCP selects SCP's error format (scperrors.go).
const dialectSCP dialect = 30

// scpPrefix is where the front is mounted; the service name follows it so
// that the paths read like the real host's.
const (
	scpPrefix  = "/scp"
	scpService = "/virtualserver"
)

func init() {
	registerFront(scpPrefix, func(c *Cloud, w http.ResponseWriter, r *http.Request, rest string) {
		c.scpRoutes(w, r, rest)
	})
	registerErrorWriter(dialectSCP, scpWriteFault)
}

// SCPURL is the virtual server endpoint, the Cloud's compute override for
// provider SamsungCloudPlatform (paths below it start with /v1).
func (c *Cloud) SCPURL() string { return c.url + scpPrefix + scpService }

func (c *Cloud) scpRoutes(w http.ResponseWriter, r *http.Request, rest string) {
	if c.scpCatalogRoute(w, r, rest) {
		return
	}
	rest, ok := strings.CutPrefix(rest, scpService+"/v1/")
	var segs []string
	if ok {
		segs = strings.Split(strings.Trim(rest, "/"), "/")
	}
	get, post, del := r.Method == http.MethodGet, r.Method == http.MethodPost, r.Method == http.MethodDelete
	switch {
	case len(segs) == 2 && segs[0] == "servers" && get:
		c.serve(w, r, call{op: OpGetServer, serverID: segs[1], dialect: dialectSCP},
			c.scpHandler(func(w http.ResponseWriter, r *http.Request) { c.scpGetServer(w, segs[1]) }))
	case len(segs) == 3 && segs[0] == "servers" && segs[2] == "images" && post:
		c.serve(w, r, call{op: OpCreateImage, serverID: segs[1], dialect: dialectSCP},
			c.scpHandler(func(w http.ResponseWriter, r *http.Request) { c.scpCreateImage(w, r, segs[1]) }))
	case len(segs) == 3 && segs[0] == "servers" && (segs[2] == "stop" || segs[2] == "start") && post:
		c.serve(w, r, call{op: map[bool]Op{true: OpStartServer, false: OpStopServer}[segs[2] == "start"], serverID: segs[1], dialect: dialectSCP},
			c.scpHandler(func(w http.ResponseWriter, r *http.Request) { c.scpPower(w, segs[1], segs[2] == "start") }))
	case len(segs) == 1 && segs[0] == "images" && get:
		c.serve(w, r, call{op: OpListImages, dialect: dialectSCP}, c.scpHandler(c.scpListImages))
	case len(segs) == 1 && segs[0] == "pending-images" && get:
		c.serve(w, r, call{op: OpListImages, dialect: dialectSCP}, c.scpHandler(c.scpListPendingImages))
	case len(segs) == 2 && segs[0] == "images" && (get || del):
		c.serveImage(w, r, dialectSCP, segs[1], del, c.scpHandler, c.scpGetImage, c.scpDeleteImage)
	case len(segs) >= 2 && segs[0] == "images" && c.scpPropsRoutes(w, r, segs[1:]):
	default:
		c.serve(w, r, call{op: OpOther, dialect: dialectSCP}, c.scpHandler(func(w http.ResponseWriter, r *http.Request) {
			scpError(w, http.StatusNotFound, "scp-virtualserver.resource.not-found", "The requested resource was not found: "+r.Method+" "+r.URL.Path)
		}))
	}
}

// scpHandler runs the gateway's checks (signature, then API version)
// before h.
func (c *Cloud) scpHandler(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !c.scpAuthenticate(w, r) {
			return
		}
		if !scpCheckAPIVersion(w, r) {
			return
		}
		h(w, r)
	}
}
