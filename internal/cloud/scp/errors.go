package scp

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
)

// httpError classifies an error response. The message is the cloud's own
// (errorMessage), falling back to the reason phrase; the class follows the
// shared status table, where a 409 counts as "busy" unless the cloud says
// vm_state.
func httpError(op string, status int, h http.Header, body []byte) *cloud.Error {
	msg := errorMessage(body)
	if msg == "" {
		msg = http.StatusText(status)
	}
	if h == nil {
		h = http.Header{}
	}
	return &cloud.Error{
		Class:      cloud.ClassifyStatus(status, msg),
		Op:         op,
		HTTPStatus: status,
		Message:    msg,
		// SCP documents no Retry-After; the header is honoured if a
		// gateway sends it, and body hints are read the shared way.
		RetryAfter: cloud.RetryAfterOf(h, cloud.ParseErrorBody(body), time.Now()),
	}
}

// unauthenticatedHint explains a 404 that the credential check showed to
// be an authentication failure.
const unauthenticatedHint = "SCP answers requests it cannot authenticate with HTTP 404: check the Secret's accessKey, secretKey and accountId, and spec.endpoints.compute"

// checkNotFound tells a real 404 from an authentication failure: SCP's
// gateway has been seen answering unauthenticated requests with 404, and
// taking that for "the image is gone" would fail a healthy image. A cheap
// signed list call decides: if it fails too, the 404 was about us, not
// about the resource. Errors other than 404 pass through unchanged.
func (p *Provider) checkNotFound(ctx context.Context, op string, err error) error {
	var ce *cloud.Error
	if !errors.As(err, &ce) || ce.HTTPStatus != http.StatusNotFound {
		return err
	}
	probeErr := p.probe(ctx, op)
	if probeErr == nil {
		return err
	}
	pe := cloud.AsError(op, probeErr)
	switch pe.HTTPStatus {
	case http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound:
		return &cloud.Error{
			Class:      cloud.ClassUnauthorized,
			Op:         op,
			HTTPStatus: ce.HTTPStatus,
			Message:    fmt.Sprintf("%s; the credential check failed as well (HTTP %d: %s): %s", ce.Message, pe.HTTPStatus, pe.Message, unauthenticatedHint),
			Err:        err,
		}
	}
	// The check could not run (outage, rate limit): do not decide yet.
	return &cloud.Error{
		Class:      pe.Class,
		Op:         op,
		HTTPStatus: pe.HTTPStatus,
		Message:    fmt.Sprintf("HTTP 404 (%s) could not be confirmed: %s", ce.Message, pe.Message),
		RetryAfter: pe.RetryAfter,
		Err:        err,
	}
}

// probe is the cheapest signed call there is: one image of the list.
func (p *Provider) probe(ctx context.Context, op string) error {
	var page imageList
	if err := p.call(ctx, op, http.MethodGet, "/v1/images", url.Values{"limit": {"1"}}, nil, &page); err != nil {
		return err
	}
	if page.Images == nil {
		return cloud.Invalid(op, "the endpoint answered the image list with something else: is it the SCP virtual server endpoint?")
	}
	return nil
}

// scrub keeps the keys out of an error even if a gateway echoes them.
func (p *Provider) scrub(e *cloud.Error) error {
	return cloud.Scrub(e, p.s.creds.secretKey, p.s.creds.accessKey)
}
