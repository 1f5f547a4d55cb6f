package fakecloud

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Rackspace fault bodies (Cloud Servers general-api-info/faults.rst):
// {"<faultName>":{"code":N,"message":"…","details":"…"}}. Rate limiting is
// done by Repose in front of the API and answers 413 overLimit with a
// Retry-After header and an absolute "retryAt" in the body, not Nova's
// relative "retryAfter".

// rackspaceRetryAtLayout is the body's retryAt format in the docs
// ("2010-08-01T00:00:00Z").
const rackspaceRetryAtLayout = "2006-01-02T15:04:05Z"

// rackspaceFaultName is the wrapper key per status; serverFault is the
// name of a 500 (computeFault for Cloud Servers, identityFault for
// Identity).
func rackspaceFaultName(status int, serverFault string) string {
	switch status {
	case http.StatusRequestEntityTooLarge, http.StatusTooManyRequests:
		return "overLimit"
	case http.StatusInternalServerError:
		return serverFault
	}
	if name := novaFaultName(status); name != "computeFault" {
		return name
	}
	return serverFault
}

// rackspaceErrorWriter writes a dialect's faults; registered per dialect
// from rackspace.go.
func rackspaceErrorWriter(serverFault string) errorWriterFunc {
	return func(w http.ResponseWriter, status int, msg, retryAfter string) {
		inner := map[string]any{"code": status, "message": msg}
		if status == http.StatusRequestEntityTooLarge || status == http.StatusTooManyRequests {
			inner["details"] = "Too many requests for this account; retry at the time in retryAt."
			if retryAfter != "" {
				w.Header().Set("Retry-After", retryAfter)
				if at, ok := rackspaceRetryAt(retryAfter, time.Now()); ok {
					inner["retryAt"] = at.UTC().Format(rackspaceRetryAtLayout)
				}
			}
		}
		writeJSON(w, status, map[string]any{rackspaceFaultName(status, serverFault): inner})
	}
}

// rackspaceRetryAt turns a Retry-After value (seconds or an HTTP date)
// into the absolute time the body's retryAt states. Seconds are rounded
// up so that retryAt is never earlier than Retry-After.
func rackspaceRetryAt(retryAfter string, now time.Time) (time.Time, bool) {
	v := strings.TrimSpace(retryAfter)
	if secs, err := strconv.Atoi(v); err == nil && secs >= 0 {
		return now.Add(time.Duration(secs) * time.Second).Truncate(time.Second).Add(time.Second), true
	}
	if t, err := http.ParseTime(v); err == nil {
		return t, true
	}
	return time.Time{}, false
}
