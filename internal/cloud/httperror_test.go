package cloud

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestClassifyStatus(t *testing.T) {
	tests := []struct {
		status int
		msg    string
		want   ErrorClass
	}{
		{400, "", ClassInvalid},
		{401, "", ClassUnauthorized},
		{403, "Policy doesn't allow", ClassForbidden},
		{404, "", ClassNotFound},
		{405, "", ClassInvalid},
		{406, "Version 2.99 is not supported by the API", ClassInvalid},
		{408, "", ClassTransient},
		{409, "Cannot 'createImage' instance x while it is in task_state image_snapshot", ClassBusy},
		{409, "Cannot 'createImage' instance x while it is in vm_state error", ClassConflict},
		{409, "vm_state isn't ACTIVE, STOPPED, PAUSED, SUSPENDED", ClassConflict},
		{409, "Build in progress", ClassBusy},
		{409, "", ClassBusy},
		{410, "", ClassNotFound},
		{413, "", ClassRateLimited},
		{415, "", ClassInvalid},
		{422, "", ClassInvalid},
		{429, "", ClassRateLimited},
		{500, "", ClassTransient},
		{501, "", ClassTransient},
		{502, "", ClassTransient},
		{503, "", ClassTransient},
		{504, "", ClassTransient},
		{302, "", ClassTransient},
		// A wrong task state is a busy server, whether the cloud says 409
		// (Nova) or 400 (seed 002's /v2 cloud); a wrong vm_state is a
		// conflict.
		{409, "Cannot 'start' instance x while it is in task_state image_uploading", ClassBusy},
		{400, "task_state is invalid (internal error)", ClassBusy},
		{409, "Cannot 'stop' instance x while it is in vm_state stopped", ClassConflict},
		{400, "invalid project_id", ClassInvalid},
	}
	for _, tt := range tests {
		if got := ClassifyStatus(tt.status, tt.msg); got != tt.want {
			t.Errorf("ClassifyStatus(%d, %q) = %s, want %s", tt.status, tt.msg, got, tt.want)
		}
	}
}

func TestNewHTTPError(t *testing.T) {
	cause := errors.New("unexpected response")
	tests := []struct {
		name      string
		status    int
		header    http.Header
		body      string
		wantClass ErrorClass
		wantMsg   string
		wantRetry time.Duration
	}{
		{
			name: "nova busy", status: 409,
			body:      `{"conflictingRequest": {"code": 409, "message": "Cannot 'createImage' instance 1 while it is in task_state image_uploading"}}`,
			wantClass: ClassBusy, wantMsg: "Cannot 'createImage' instance 1 while it is in task_state image_uploading",
		},
		{
			name: "nova wrong state", status: 409,
			body:      `{"conflictingRequest": {"code": 409, "message": "Cannot 'createImage' instance 1 while it is in vm_state error"}}`,
			wantClass: ClassConflict, wantMsg: "Cannot 'createImage' instance 1 while it is in vm_state error",
		},
		{
			name: "keystone 401", status: 401,
			body:      `{"error": {"code": 401, "title": "Unauthorized", "message": "The request you have made requires authentication."}}`,
			wantClass: ClassUnauthorized, wantMsg: "The request you have made requires authentication.",
		},
		{
			name: "rackspace 413 with Retry-After header", status: 413,
			header:    http.Header{"Retry-After": {"30"}},
			body:      `{"overLimit": {"code": 413, "message": "OverLimit Retry...", "retryAfter": "30"}}`,
			wantClass: ClassRateLimited, wantMsg: "OverLimit Retry...", wantRetry: 30 * time.Second,
		},
		{
			name: "429 with body retryAfter only", status: 429,
			body:      `{"overLimit": {"code": 429, "message": "rate limited", "retryAfter": "12"}}`,
			wantClass: ClassRateLimited, wantMsg: "rate limited", wantRetry: 12 * time.Second,
		},
		{
			name: "503 text body", status: 503, header: http.Header{"Content-Type": {"text/plain"}},
			body:      "503 Service Unavailable\n\nThe server is currently unavailable. Please try again at a later time.",
			wantClass: ClassTransient, wantMsg: "The server is currently unavailable. Please try again at a later time.",
		},
		{
			name: "details used when message is empty", status: 400,
			body:      `{"badRequest": {"code": 400, "message": "", "details": "name is too long"}}`,
			wantClass: ClassInvalid, wantMsg: "name is too long",
		},
		{name: "no body", status: 500, wantClass: ClassTransient},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := NewHTTPError("createImage", tt.status, tt.header, []byte(tt.body), cause)
			if e.Class != tt.wantClass || e.Message != tt.wantMsg || e.RetryAfter != tt.wantRetry ||
				e.HTTPStatus != tt.status || e.Op != "createImage" {
				t.Errorf("got %+v", e)
			}
			if !errors.Is(e, cause) {
				t.Error("cause not wrapped")
			}
		})
	}
}

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

func TestParseErrorBody(t *testing.T) {
	tests := []struct {
		name string
		body string
		want ErrorBody
	}{
		{
			name: "nova itemNotFound",
			body: `{"itemNotFound": {"code": 404, "message": "Instance 7c1f could not be found."}}`,
			want: ErrorBody{Name: "itemNotFound", Code: "404", Message: "Instance 7c1f could not be found."},
		},
		{
			name: "nova conflictingRequest task_state",
			body: `{"conflictingRequest": {"code": 409, "message": "Cannot 'createImage' instance 7c1f while it is in task_state image_snapshot"}}`,
			want: ErrorBody{Name: "conflictingRequest", Code: "409", Message: "Cannot 'createImage' instance 7c1f while it is in task_state image_snapshot"},
		},
		{
			name: "public cloud badRequest, keys in other order",
			body: `{"badRequest": {"message": "There is no such action: None", "code": 400}}`,
			want: ErrorBody{Name: "badRequest", Code: "400", Message: "There is no such action: None"},
		},
		{
			name: "rackspace overLimit with details, retryAfter and retryAt",
			body: `{"overLimit": {"code": 413, "message": "OverLimit Retry...", "details": "Error Details...", "retryAfter": "60", "retryAt": "2010-08-01T00:00:00Z"}}`,
			want: ErrorBody{Name: "overLimit", Code: "413", Message: "OverLimit Retry...", Details: "Error Details...", RetryAfter: "60", RetryAt: "2010-08-01T00:00:00Z"},
		},
		{
			name: "numeric retryAfter",
			body: `{"overLimit": {"code": 429, "message": "This request was rate-limited.", "retryAfter": 30}}`,
			want: ErrorBody{Name: "overLimit", Code: "429", Message: "This request was rate-limited.", RetryAfter: "30"},
		},
		{
			name: "keystone error uses title as name",
			body: `{"error": {"code": 401, "title": "Unauthorized", "message": "The request you have made requires authentication."}}`,
			want: ErrorBody{Name: "Unauthorized", Code: "401", Message: "The request you have made requires authentication."},
		},
		{
			name: "glance webob json with html breaks",
			body: `{"message": "No image found with ID 5a3b<br /><br />\n\n\n", "code": "404 Not Found", "title": "Not Found"}`,
			want: ErrorBody{Name: "Not Found", Code: "404 Not Found", Message: "No image found with ID 5a3b"},
		},
		{
			name: "glance text body drops the status line",
			body: "404 Not Found\n\nNo image found with ID 5a3b\n\n   ",
			want: ErrorBody{Message: "No image found with ID 5a3b"},
		},
		{
			name: "glance html page",
			body: "<html>\n <head>\n  <title>409 Conflict</title>\n </head>\n <body>\n  <h1>409 Conflict</h1>\n  Image 5a3b is protected &amp; cannot be deleted.<br /><br />\n\n\n </body>\n</html>",
			want: ErrorBody{Message: "Image 5a3b is protected & cannot be deleted."},
		},
		{
			name: "nginx page keeps the status line",
			body: "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>",
			want: ErrorBody{Message: "502 Bad Gateway nginx"},
		},
		{
			name: "status line alone is kept",
			body: "503 Service Unavailable",
			want: ErrorBody{Message: "503 Service Unavailable"},
		},
		{
			name: "huawei flat",
			body: `{"error_code": "Ecs.0114", "error_msg": "The server does not exist."}`,
			want: ErrorBody{Code: "Ecs.0114", Message: "The server does not exist."},
		},
		{
			name: "api-sig errors list",
			body: `{"errors": [{"status": 409, "title": "Conflict", "detail": "There was a conflict when trying to complete your request."}]}`,
			want: ErrorBody{Name: "Conflict", Code: "409", Message: "There was a conflict when trying to complete your request."},
		},
		{
			name: "plain error string",
			body: `{"error": "invalid_grant"}`,
			want: ErrorBody{Message: "invalid_grant"},
		},
		{
			name: "top-level retryAfter next to a wrapped fault",
			body: `{"overLimit": {"code": 413, "message": "slow down"}, "retryAfter": "5"}`,
			want: ErrorBody{Name: "overLimit", Code: "413", Message: "slow down", RetryAfter: "5"},
		},
		{name: "empty", body: "  \n", want: ErrorBody{}},
		{name: "truncated json is text", body: `{"itemNotFound": {"code": 40`, want: ErrorBody{Message: `{"itemNotFound": {"code": 40`}},
		{name: "json without message", body: `{"foo": {"bar": 1}}`, want: ErrorBody{Message: `{"foo": {"bar": 1}}`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ParseErrorBody([]byte(tt.body))
			if got != tt.want {
				t.Errorf("ParseErrorBody() =\n %+v\nwant\n %+v", got, tt.want)
			}
		})
	}
}

func TestParseErrorBodyBoundsMessage(t *testing.T) {
	long := strings.Repeat("é", maxMessageLen)
	got := ParseErrorBody([]byte(`{"message": "` + long + `"}`)).Message
	if len(got) > maxMessageLen+len("…") {
		t.Fatalf("message not bounded: %d bytes", len(got))
	}
	if !strings.HasSuffix(got, "…") || strings.ContainsRune(got, '\uFFFD') {
		t.Fatalf("message cut badly: %q", got[len(got)-10:])
	}
}
