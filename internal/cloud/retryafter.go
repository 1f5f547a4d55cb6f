package cloud

import (
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// maxRetryAfterSeconds keeps a bogus header from overflowing a Duration.
const maxRetryAfterSeconds = 1 << 32

// ParseRetryAfter reads a Retry-After value in either of its two forms,
// delta-seconds ("120") or an HTTP-date ("Wed, 21 Oct 2015 07:28:00 GMT"),
// relative to now. A date in the past means "now" (zero, true). ok is false
// when v is empty or unreadable.
func ParseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	// Nova copies the header into the body's retryAfter as a string, and
	// some proxies send fractions; both are seconds.
	if secs, err := strconv.ParseFloat(v, 64); err == nil {
		if secs < 0 || math.IsNaN(secs) {
			return 0, false
		}
		secs = math.Min(secs, maxRetryAfterSeconds)
		return time.Duration(secs * float64(time.Second)), true
	}
	return ParseRetryAt(v, now)
}

// ParseRetryAt reads an absolute retry time: RFC 3339 as in Rackspace's
// body retryAt ("2010-08-01T00:00:00Z"), or any HTTP-date form.
func ParseRetryAt(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		if t, err = http.ParseTime(v); err != nil {
			return 0, false
		}
	}
	d := t.Sub(now)
	if d < 0 {
		return 0, true
	}
	// The same bound as the seconds form: a date centuries ahead would
	// otherwise saturate the Duration, and the caller's jitter on top of
	// it would overflow into a negative requeue (never retried).
	return min(d, maxRetryAfterSeconds*time.Second), true
}

// RetryAfterOf returns the wait an error response asks for. The header is
// the standard and wins; the body's retryAfter and then retryAt are read
// only when the header is absent or unreadable. Zero means "not said".
func RetryAfterOf(h http.Header, b ErrorBody, now time.Time) time.Duration {
	if d, ok := ParseRetryAfter(h.Get("Retry-After"), now); ok {
		return d
	}
	if d, ok := ParseRetryAfter(b.RetryAfter, now); ok {
		return d
	}
	if d, ok := ParseRetryAt(b.RetryAt, now); ok {
		return d
	}
	return 0
}
