package fakecloud

import (
	"net/http"
	"time"
)

// call is one request as a front has understood it: which operation it is,
// which server it concerns (for fault matching) and how errors look.
type call struct {
	op       Op
	serverID string
	dialect  dialect
}

// serve runs the cross-cutting part of every request: it is counted in the
// ledger, then a matching fault may delay it, fail it, or let it commit and
// lose the response; otherwise h answers normally.
func (c *Cloud) serve(w http.ResponseWriter, r *http.Request, k call, h http.HandlerFunc) {
	c.ledger.add(k.op)
	w.Header().Set("X-Openstack-Request-Id", "req-"+newUUID())
	f, ok := c.faults.take(k.op, k.serverID)
	if !ok {
		h(w, r)
		return
	}
	if f.Latency > 0 {
		t := time.NewTimer(f.Latency)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}
	switch {
	case f.DropResponse:
		// The operation really happens; only its answer is lost.
		h(&discardWriter{header: http.Header{}}, r)
		dropConnection(w)
	case f.Body != "":
		// A success answer the client cannot use (Fault.Body).
		status := f.Status
		if status == 0 {
			status = http.StatusOK
		}
		if f.RetryAfter != "" {
			w.Header().Set("Retry-After", f.RetryAfter)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(f.Body))
	case f.Status != 0:
		msg := f.Message
		if msg == "" {
			msg = defaultFaultMessage(f.Status)
		}
		if f.Status == http.StatusUnauthorized {
			c.setWWWAuthenticate(w)
		}
		writeError(w, k.dialect, f.Status, msg, f.RetryAfter)
	default:
		h(w, r)
	}
}

// dropConnection closes the client's connection without a byte of
// response, as when a proxy or the network dies after the backend acted.
func dropConnection(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			_ = conn.Close()
			return
		}
	}
	// No hijacking (e.g. HTTP/2): aborting the handler resets the stream
	// without sending the buffered response.
	panic(http.ErrAbortHandler)
}

// discardWriter swallows the response of an operation whose answer a
// fault drops.
type discardWriter struct{ header http.Header }

func (d *discardWriter) Header() http.Header         { return d.header }
func (d *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (d *discardWriter) WriteHeader(int)             {}

func (c *Cloud) setWWWAuthenticate(w http.ResponseWriter) {
	w.Header().Set("WWW-Authenticate", `Keystone uri="`+c.IdentityURL()+`"`)
}

// authenticate checks X-Auth-Token; on failure it answers 401 in the
// dialect's format and reports false.
func (c *Cloud) authenticate(w http.ResponseWriter, r *http.Request, d dialect) (token, bool) {
	t, ok := c.tokens.validate(r.Header.Get("X-Auth-Token"))
	if ok {
		return t, true
	}
	c.setWWWAuthenticate(w)
	writeError(w, d, http.StatusUnauthorized, "The request you have made requires authentication.", "")
	return token{}, false
}

// serveImage serves a GET (or, with del, a DELETE) of image id behind
// guard, the front's own checks. The call names the image's server, which
// fault rules may be keyed on.
func (c *Cloud) serveImage(w http.ResponseWriter, r *http.Request, d dialect, id string, del bool,
	guard func(http.HandlerFunc) http.HandlerFunc, get, remove func(http.ResponseWriter, string)) {
	img, _ := c.store.image(id)
	op, h := OpGetImage, get
	if del {
		op, h = OpDeleteImage, remove
	}
	c.serve(w, r, call{op: op, serverID: img.ServerID, dialect: d},
		guard(func(w http.ResponseWriter, _ *http.Request) { h(w, id) }))
}

// serveNotFound answers a path the front does not have, as OpenStack's
// services do.
func (c *Cloud) serveNotFound(w http.ResponseWriter, r *http.Request, d dialect) {
	c.serve(w, r, call{op: OpOther, dialect: d}, func(w http.ResponseWriter, _ *http.Request) {
		writeError(w, d, http.StatusNotFound, "The resource could not be found.", "")
	})
}

// serveLogin serves an identity front whose one route is the token
// request: a POST there is counted as OpAuth and answered by issue,
// anything else is the front's 404 with message notFound.
func (c *Cloud) serveLogin(w http.ResponseWriter, r *http.Request, d dialect, isTokens bool, issue http.HandlerFunc, notFound string) {
	if isTokens && r.Method == http.MethodPost {
		c.serve(w, r, call{op: OpAuth, dialect: d}, issue)
		return
	}
	c.serve(w, r, call{op: OpOther, dialect: d}, func(w http.ResponseWriter, _ *http.Request) {
		writeError(w, d, http.StatusNotFound, notFound, "")
	})
}
