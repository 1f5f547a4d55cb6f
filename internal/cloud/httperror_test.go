package cloud

import (
	"errors"
	"net/http"
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
