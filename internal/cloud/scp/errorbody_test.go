package scp

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
)

func TestErrorMessage(t *testing.T) {
	tests := []struct {
		name, body, want string
	}{
		{"errors with detail and code",
			`{"errors":[{"code":"scp-virtualserver.server.not-found","detail":"Server x not found."}]}`,
			"Server x not found. (scp-virtualserver.server.not-found)"},
		{"errors with a list of details",
			`{"errors":[{"detail":["name is too long","name has a dot"]}]}`,
			"name is too long; name has a dot"},
		{"several errors",
			`{"errors":[{"detail":"first"},{"message":"second"}]}`,
			"first; second"},
		{"numeric code left out",
			`{"errors":[{"code":409,"detail":"busy"}]}`,
			"busy"},
		{"documented validation list",
			`[{"loc":["body","image_name"],"msg":"string does not match regex","type_":"value_error.str.regex","ctx":{}}]`,
			"body.image_name: string does not match regex"},
		{"validation list under detail",
			`{"detail":[{"loc":["query","limit",0],"msg":"ensure this value is less than or equal to 1000"}]}`,
			"query.limit.0: ensure this value is less than or equal to 1000"},
		{"detail string",
			`{"detail":"Not authenticated"}`,
			"Not authenticated"},
		{"spring envelope with message",
			`{"timestamp":"2026-01-01T00:00:00.000+00:00","status":403,"error":"Forbidden","message":"Access Denied","path":"/v1/images"}`,
			"Access Denied"},
		{"spring envelope without message falls back to the reason",
			`{"timestamp":"2026-01-01T00:00:00.000+00:00","status":404,"error":"Not Found","message":"No message available","path":"/v1/images"}`,
			"Not Found"},
		{"keystone-style body via the shared parser",
			`{"error":{"code":401,"title":"Unauthorized","message":"bad token"}}`,
			"bad token"},
		{"html page", `<html><body><h1>502 Bad Gateway</h1></body></html>`, "502 Bad Gateway"},
		{"empty", ``, ""},
		{"whitespace runs collapse", `{"errors":[{"detail":"a\n\n  b"}]}`, "a b"},
	}
	for _, tc := range tests {
		if got := errorMessage([]byte(tc.body)); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
	long := `{"errors":[{"detail":"` + strings.Repeat("é", 400) + `"}]}`
	if got := errorMessage([]byte(long)); len(got) > maxMessageLen+len("…") || !strings.HasSuffix(got, "…") {
		t.Errorf("long message not bounded: %d bytes", len(got))
	}
}

func TestHTTPErrorClasses(t *testing.T) {
	tests := []struct {
		status    int
		header    http.Header
		body      string
		wantClass cloud.ErrorClass
		wantRetry time.Duration
	}{
		{status: 400, body: `[{"loc":["body"],"msg":"bad"}]`, wantClass: cloud.ClassInvalid},
		{status: 401, body: `{"errors":[{"detail":"signature"}]}`, wantClass: cloud.ClassUnauthorized},
		{status: 403, wantClass: cloud.ClassForbidden},
		{status: 404, wantClass: cloud.ClassNotFound},
		{status: 409, body: `{"errors":[{"detail":"Server is being resized"}]}`, wantClass: cloud.ClassBusy},
		{status: 409, body: `{"errors":[{"detail":"Server x is in vm_state error"}]}`, wantClass: cloud.ClassConflict},
		{status: 429, header: http.Header{"Retry-After": {"7"}}, wantClass: cloud.ClassRateLimited, wantRetry: 7 * time.Second},
		{status: 503, wantClass: cloud.ClassTransient},
	}
	for _, tc := range tests {
		e := httpError("createImage", tc.status, tc.header, []byte(tc.body))
		if e.Class != tc.wantClass || e.HTTPStatus != tc.status || e.RetryAfter != tc.wantRetry || e.Message == "" {
			t.Errorf("%d %s: %+v", tc.status, tc.body, e)
		}
	}
}
