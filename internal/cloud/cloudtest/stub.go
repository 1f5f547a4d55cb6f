package cloudtest

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// Stub is the part of a driver's hand-written test cloud that does not
// depend on the cloud's API: it records every request, refuses any outside
// /identity/ whose token the identity service did not hand out, and serves
// the rest from the handlers a test registers.
type Stub struct {
	T   *testing.T
	Srv *httptest.Server
	Log RequestLog
	mux *http.ServeMux
}

// NewStub starts a Stub that closes with the test. valid decides whether a
// token was handed out; unauthorized is the cloud's 401 body.
func NewStub(t *testing.T, valid func(token string) bool, unauthorized string) *Stub {
	t.Helper()
	s := &Stub{T: t, mux: http.NewServeMux()}
	s.Srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.Log.Record(r)
		if !strings.HasPrefix(r.URL.Path, "/identity/") && !valid(r.Header.Get("X-Auth-Token")) {
			WriteJSON(w, http.StatusUnauthorized, unauthorized)
			return
		}
		s.mux.ServeHTTP(w, r)
	}))
	t.Cleanup(s.Srv.Close)
	return s
}

// Handle registers h for a ServeMux pattern.
func (s *Stub) Handle(pattern string, h http.HandlerFunc) { s.mux.HandleFunc(pattern, h) }

// Requests returns the recorded requests whose path has the prefix.
func (s *Stub) Requests(pathPrefix string) []Request { return s.Log.Requests(pathPrefix) }

// WriteJSON answers with status and a JSON body given as text, so that a
// test serves exactly the bytes a cloud is documented to send.
func WriteJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}
