package cloud

import (
	"strings"
	"testing"
)

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
