package fakecloud

import (
	"net/http"
	"strings"
	"sync"
)

// Each cloud dialect beyond OpenStack (Rackspace, Huawei, SCP) lives in its
// own files and plugs in here from an init function, so adding a dialect
// never edits the shared routing or error code.

// frontFunc serves the requests under a front's path prefix; rest is the
// path after the prefix ("" or starting with "/").
type frontFunc func(c *Cloud, w http.ResponseWriter, r *http.Request, rest string)

// errorWriterFunc writes a dialect's error body for status (used by
// injected faults and by the dialect itself).
type errorWriterFunc func(w http.ResponseWriter, status int, msg, retryAfter string)

var (
	frontsMu     sync.RWMutex
	extraFronts  = map[string]frontFunc{}
	errorWriters = map[dialect]errorWriterFunc{}
)

// registerFront mounts a dialect under prefix (e.g. "/rackspace").
func registerFront(prefix string, f frontFunc) {
	frontsMu.Lock()
	defer frontsMu.Unlock()
	extraFronts[prefix] = f
}

// registerErrorWriter sets the error body format of a dialect.
func registerErrorWriter(d dialect, f errorWriterFunc) {
	frontsMu.Lock()
	defer frontsMu.Unlock()
	errorWriters[d] = f
}

func (c *Cloud) routeExtra(w http.ResponseWriter, r *http.Request) bool {
	frontsMu.RLock()
	defer frontsMu.RUnlock()
	for prefix, f := range extraFronts {
		if rest, ok := strings.CutPrefix(r.URL.Path, prefix); ok && (rest == "" || rest[0] == '/') {
			f(c, w, r, rest)
			return true
		}
	}
	return false
}

func errorWriterFor(d dialect) (errorWriterFunc, bool) {
	frontsMu.RLock()
	defer frontsMu.RUnlock()
	f, ok := errorWriters[d]
	return f, ok
}
