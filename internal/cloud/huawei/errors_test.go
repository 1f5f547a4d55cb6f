package huawei

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
)

func TestHTTPErrorClassification(t *testing.T) {
	p := &Provider{s: &settings{mode: modeAKSK, microversion: "2.45", secrets: []string{"AKSECRETID", "sk-very-secret"}}}
	cases := []struct {
		name       string
		op         string
		status     int
		header     http.Header
		body       string
		class      cloud.ErrorClass
		message    string
		retryAfter time.Duration
	}{
		{name: "bad signature", op: cloud.OpAuthenticate, status: 401,
			body:  `{"error_code":"APIGW.0301","error_msg":"Incorrect IAM authentication information: verify aksk signature fail","request_id":"r"}`,
			class: cloud.ClassUnauthorized, message: "APIGW.0301: Incorrect IAM authentication information: verify aksk signature fail"},
		{name: "stale clock gets a hint", op: cloud.OpGetImage, status: 401,
			body:  `{"error_code":"APIGW.0301","error_msg":"Incorrect IAM authentication information: signature expired"}`,
			class: cloud.ClassUnauthorized, message: "signature expired (X-Sdk-Date must be within 15 minutes"},
		{name: "throttled with Retry-After", op: cloud.OpCreateImage, status: 429, header: http.Header{"Retry-After": {"3"}},
			body:  `{"error_code":"APIG.0308","error_msg":"The throttling threshold has been reached: policy user over ratelimit,limit:100,time:1 minute"}`,
			class: cloud.ClassRateLimited, message: "APIG.0308: The throttling threshold has been reached", retryAfter: 3 * time.Second},
		{name: "throttled without Retry-After", op: cloud.OpCreateImage, status: 429,
			body:  `{"error_code":"APIG.0308","error_msg":"The throttling threshold has been reached: policy user over ratelimit"}`,
			class: cloud.ClassRateLimited, message: "APIG.0308"},
		{name: "nested Huawei body", op: cloud.OpDeleteImage, status: 403,
			body:  `{"error":{"error_code":"IMG.0010","error_msg":"No permission to delete the image."}}`,
			class: cloud.ClassForbidden, message: "IMG.0010: No permission to delete the image."},
		{name: "IMS code/message", op: cloud.OpGetImage, status: 404,
			body:  `{"error":{"code":"IMG.0027","message":"The image does not exist."}}`,
			class: cloud.ClassNotFound, message: "IMG.0027: The image does not exist."},
		{name: "Nova busy", op: cloud.OpCreateImage, status: 409,
			body:  `{"conflictingRequest":{"code":409,"message":"Cannot 'createImage' instance x while it is in task_state image_uploading"}}`,
			class: cloud.ClassBusy, message: "Cannot 'createImage' instance x while it is in task_state image_uploading"},
		{name: "Nova wrong vm_state", op: cloud.OpCreateImage, status: 409,
			body:  `{"conflictingRequest":{"code":409,"message":"Cannot 'createImage' instance x while it is in vm_state error"}}`,
			class: cloud.ClassConflict, message: "vm_state error"},
		{name: "microversion refused gets a hint", op: cloud.OpCreateImage, status: 406,
			body:  `{"computeFault":{"code":406,"message":"Version 2.45 is not supported by the API."}}`,
			class: cloud.ClassInvalid, message: `set spec.computeMicroversion, e.g. "2.1"`},
		{name: "gateway 5xx", op: cloud.OpGetServer, status: 502, body: "<html><body>502 Bad Gateway</body></html>",
			class: cloud.ClassTransient, message: "502 Bad Gateway"},
		{name: "echoed credentials are scrubbed", op: cloud.OpAuthenticate, status: 401,
			body:  `{"error_code":"APIGW.0301","error_msg":"ak AKSECRETID with sk sk-very-secret rejected"}`,
			class: cloud.ClassUnauthorized, message: "ak [redacted] with sk [redacted] rejected"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := p.httpError(tc.op, tc.status, tc.header, []byte(tc.body))
			ce, ok := err.(*cloud.Error)
			if !ok {
				t.Fatalf("%T is not *cloud.Error", err)
			}
			if ce.Class != tc.class || ce.HTTPStatus != tc.status || ce.Op != tc.op {
				t.Errorf("class %s status %d op %s, want %s %d %s", ce.Class, ce.HTTPStatus, ce.Op, tc.class, tc.status, tc.op)
			}
			if !strings.Contains(ce.Message, tc.message) {
				t.Errorf("message %q does not contain %q", ce.Message, tc.message)
			}
			if ce.RetryAfter != tc.retryAfter {
				t.Errorf("RetryAfter %s, want %s", ce.RetryAfter, tc.retryAfter)
			}
			if strings.Contains(ce.Error(), "sk-very-secret") || strings.Contains(ce.Error(), "AKSECRETID") {
				t.Errorf("credential in %q", ce.Error())
			}
		})
	}
}
