package fakecloud

import (
	"encoding/json"
	"fmt"
	"net/http"
)

// dialect selects the error body format of the service that answers.
type dialect int

const (
	dialectKeystone dialect = iota
	dialectNova
	dialectGlance
	// Further dialects register their error format (fronts.go) and use
	// their own constants: dialectRackspace = 10, dialectHuawei = 20,
	// dialectSCP = 30.
)

// novaFaultName is Nova's wrapper key for an error status (nova/api/
// openstack/wsgi.py); statuses without a name are "computeFault".
func novaFaultName(status int) string {
	switch status {
	case 400:
		return "badRequest"
	case 401:
		return "unauthorized"
	case 403:
		return "forbidden"
	case 404:
		return "itemNotFound"
	case 405:
		return "badMethod"
	case 409:
		return "conflictingRequest"
	case 413, 429:
		return "overLimit"
	case 415:
		return "badMediaType"
	case 501:
		return "notImplemented"
	case 503:
		return "serviceUnavailable"
	}
	return "computeFault"
}

// writeError answers with status and msg in the dialect's error format.
// retryAfter, when set, goes to the Retry-After header and, for Nova
// overLimit faults, into the body as well.
func writeError(w http.ResponseWriter, d dialect, status int, msg, retryAfter string) {
	if f, ok := errorWriterFor(d); ok {
		f(w, status, msg, retryAfter)
		return
	}
	if retryAfter != "" {
		w.Header().Set("Retry-After", retryAfter)
	}
	var body any
	switch {
	case d == dialectNova && status == http.StatusUnauthorized:
		// Nova's 401s come from keystonemiddleware in front of it, in
		// Keystone's error shape, not as a Nova fault.
		body = map[string]any{"error": map[string]any{
			"code": status, "title": http.StatusText(status), "message": msg,
		}}
	case d == dialectKeystone:
		body = map[string]any{"error": map[string]any{
			"code": status, "title": http.StatusText(status), "message": msg,
		}}
	case d == dialectGlance:
		body = map[string]any{
			"code":    fmt.Sprintf("%d %s", status, http.StatusText(status)),
			"title":   http.StatusText(status),
			"message": msg,
		}
	default:
		inner := map[string]any{"code": status, "message": msg}
		if retryAfter != "" && (status == 413 || status == 429) {
			inner["retryAfter"] = retryAfter
		}
		body = map[string]any{novaFaultName(status): inner}
	}
	writeJSON(w, status, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
