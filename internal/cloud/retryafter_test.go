package cloud

import (
	"net/http"
	"testing"
	"time"
)

var retryNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func TestParseRetryAfter(t *testing.T) {
	tests := []struct {
		in     string
		want   time.Duration
		wantOK bool
	}{
		{"120", 120 * time.Second, true},
		{" 5 ", 5 * time.Second, true},
		{"0", 0, true},
		{"1.5", 1500 * time.Millisecond, true},
		{"Sun, 01 Mar 2026 12:00:30 GMT", 30 * time.Second, true}, // IMF-fixdate
		{"Sunday, 01-Mar-26 12:01:00 GMT", time.Minute, true},     // RFC 850
		{"Sun Mar  1 12:00:10 2026", 10 * time.Second, true},      // asctime
		{"2026-03-01T12:02:00Z", 2 * time.Minute, true},           // RFC 3339, as in retryAt
		{"Sun, 01 Mar 2026 11:00:00 GMT", 0, true},                // past: now
		{"-3", 0, false},
		{"", 0, false},
		{"soon", 0, false},
		{"99999999999999999999", maxRetryAfterSeconds * time.Second, true},
	}
	for _, tt := range tests {
		got, ok := ParseRetryAfter(tt.in, retryNow)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("ParseRetryAfter(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.wantOK)
		}
	}
}

func TestRetryAfterOf(t *testing.T) {
	tests := []struct {
		name   string
		header string
		body   ErrorBody
		want   time.Duration
	}{
		{"header seconds wins over body", "7", ErrorBody{RetryAfter: "60"}, 7 * time.Second},
		{"header http-date", "Sun, 01 Mar 2026 12:01:00 GMT", ErrorBody{}, time.Minute},
		{"body retryAfter when no header", "", ErrorBody{RetryAfter: "60"}, time.Minute},
		{"unreadable header falls back to body", "later", ErrorBody{RetryAfter: "3"}, 3 * time.Second},
		{"body retryAt", "", ErrorBody{RetryAt: "2026-03-01T12:00:45Z"}, 45 * time.Second},
		{"retryAfter beats retryAt", "", ErrorBody{RetryAfter: "1", RetryAt: "2026-03-01T12:00:45Z"}, time.Second},
		{"nothing said", "", ErrorBody{}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			if tt.header != "" {
				h.Set("Retry-After", tt.header)
			}
			if got := RetryAfterOf(h, tt.body, retryNow); got != tt.want {
				t.Errorf("RetryAfterOf() = %v, want %v", got, tt.want)
			}
		})
	}
}
