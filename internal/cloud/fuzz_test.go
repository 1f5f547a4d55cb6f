package cloud

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// Fuzz targets for the parsers every driver runs on what a cloud sends
// back: error bodies, Retry-After in all its forms, the Location header.
// Seeds are in testdata/fuzz/<target>; `make fuzz` runs each target
// briefly. The invariants are the promises the reconcilers rely on.

// fuzzNow is a fixed "now" so that a failing input replays identically.
var fuzzNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// maxWait is the longest wait any parser may return: longer ones are
// clamped (and a wait this long plus 10 % jitter still fits a Duration).
const maxWait = time.Duration(maxRetryAfterSeconds) * time.Second

func FuzzParseErrorBody(f *testing.F) {
	f.Fuzz(func(t *testing.T, body []byte) {
		b := ParseErrorBody(body)
		for name, v := range map[string]string{"Message": b.Message, "Details": b.Details} {
			if len(v) > maxMessageLen+len("…") {
				t.Errorf("%s is %d bytes, over the bound", name, len(v))
			}
			if strings.ContainsAny(v, "\n\r\t") || v != strings.TrimSpace(v) {
				t.Errorf("%s %q is not one trimmed line", name, v)
			}
			if utf8.Valid(body) && !utf8.ValidString(v) {
				t.Errorf("%s %q is not valid UTF-8 although the body was", name, v)
			}
		}
	})
}

func FuzzParseRetryAfter(f *testing.F) {
	f.Fuzz(func(t *testing.T, v string) {
		for name, parse := range map[string]func(string, time.Time) (time.Duration, bool){
			"ParseRetryAfter": ParseRetryAfter, "ParseRetryAt": ParseRetryAt,
		} {
			d, ok := parse(v, fuzzNow)
			if d < 0 || d > maxWait {
				t.Errorf("%s(%q) = %s, outside [0, %s]", name, v, d, maxWait)
			}
			if !ok && d != 0 {
				t.Errorf("%s(%q) = %s without ok", name, v, d)
			}
		}
	})
}

func FuzzRetryAfterOf(f *testing.F) {
	f.Fuzz(func(t *testing.T, header, bodyAfter, bodyAt string) {
		h := http.Header{}
		h.Set("Retry-After", header)
		d := RetryAfterOf(h, ErrorBody{RetryAfter: bodyAfter, RetryAt: bodyAt}, fuzzNow)
		if d < 0 || d > maxWait {
			t.Errorf("RetryAfterOf(%q, %q, %q) = %s, outside [0, %s]", header, bodyAfter, bodyAt, d, maxWait)
		}
		// The header wins whenever it is readable.
		if hd, ok := ParseRetryAfter(header, fuzzNow); ok && d != hd {
			t.Errorf("header %q says %s but %s was used", header, hd, d)
		}
	})
}

func FuzzImageIDFromLocation(f *testing.F) {
	f.Fuzz(func(t *testing.T, loc, id string) {
		got, err := ImageIDFromLocation(loc)
		if err == nil && (got == "" || strings.EqualFold(got, "images")) {
			t.Errorf("ImageIDFromLocation(%q) = %q without error", loc, got)
		}
		// An ID put in a Location the way a cloud does comes back intact.
		if id == "" || strings.EqualFold(id, "images") {
			return
		}
		for _, base := range []string{"http://glance.example:9292/v2/images/", "/v2/123456/images/", "http://127.0.0.1:9292//images/"} {
			loc := base + url.PathEscape(id)
			if got, err := ImageIDFromLocation(loc); err != nil || got != id {
				t.Errorf("ImageIDFromLocation(%q) = %q, %v; want %q", loc, got, err, id)
			}
		}
	})
}

func FuzzNewHTTPError(f *testing.F) {
	f.Fuzz(func(t *testing.T, status int, body []byte, retryAfter string) {
		h := http.Header{}
		if retryAfter != "" {
			h.Set("Retry-After", retryAfter)
		}
		e := NewHTTPError("fuzz", status, h, body, nil)
		switch e.Class {
		case ClassTransient, ClassRateLimited, ClassBusy, ClassConflict, ClassUnauthorized, ClassForbidden, ClassNotFound, ClassInvalid:
		default:
			t.Fatalf("status %d: unknown class %q", status, e.Class)
		}
		if e.HTTPStatus != status || e.Op != "fuzz" {
			t.Errorf("status %d op %q recorded as %d %q", status, "fuzz", e.HTTPStatus, e.Op)
		}
		if status == http.StatusConflict && e.Class != ClassBusy && e.Class != ClassConflict {
			t.Errorf("409 classified %s", e.Class)
		}
		if e.RetryAfter < 0 || e.RetryAfter > maxWait {
			t.Errorf("RetryAfter %s outside [0, %s]", e.RetryAfter, maxWait)
		}
		if len(e.Error()) > 3*maxMessageLen {
			t.Errorf("error text is %d bytes: a huge body must not end up in a condition", len(e.Error()))
		}
	})
}
