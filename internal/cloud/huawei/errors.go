package huawei

import (
	"net/http"
	"regexp"
	"slices"
	"strings"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
)

// huaweiCode matches Huawei's error codes: APIGW.0301 (API gateway:
// signature, clock, permissions), APIG.0308 (throttling), IMG.xxxx (IMS),
// Ecs.xxxx, IAM.xxxx. They are what support and the docs search on, so
// they are kept in front of the message.
var huaweiCode = regexp.MustCompile(`^[A-Za-z]+\.[0-9]+$`)

// httpError classifies an error response once. The body may be Huawei's
// {"error_code","error_msg"} (top level or nested), a Nova fault or a
// Keystone error; cloud.ParseErrorBody reads them all.
func (p *Provider) httpError(op string, status int, header http.Header, body []byte) error {
	e := cloud.NewHTTPError(op, status, header, body, nil)
	b := cloud.ParseErrorBody(body)
	if huaweiCode.MatchString(b.Code) && !strings.HasPrefix(e.Message, b.Code) {
		if e.Message == "" {
			e.Message = b.Code
		} else {
			e.Message = b.Code + ": " + e.Message
		}
	}
	switch {
	case status == http.StatusUnauthorized && p.s.mode == modeAKSK && strings.Contains(strings.ToLower(e.Message), "expired"):
		e.Message += " (X-Sdk-Date must be within 15 minutes of the gateway's clock: check the operator host's time)"
	case status == http.StatusNotAcceptable && op == cloud.OpCreateImage:
		e.Message += " (the compute microversion " + p.s.microversion + " is not accepted; set spec.computeMicroversion, e.g. \"2.1\")"
	}
	return p.scrub(e)
}

// transportError classifies a failure without a response.
func (p *Provider) transportError(op string, err error) error {
	return p.scrub(cloud.NewTransportError(op, err))
}

// scrub keeps credentials, and the IAM token, out of errors even if a
// cloud echoes them.
func (p *Provider) scrub(e *cloud.Error) error {
	// Clip: appending to the shared settings slice could write into its
	// spare capacity from several goroutines at once.
	return cloud.Scrub(e, append(slices.Clip(p.s.secrets), p.tokens.current())...)
}
