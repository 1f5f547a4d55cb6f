package rackspace

import (
	"fmt"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
)

// Every failure leaves the driver through one of these, classified once
// into *cloud.Error by the shared helpers and scrubbed of credentials.

// fail classifies a failure without an HTTP status (connection, TLS,
// timeout, undecodable body).
func (p *Provider) fail(op string, err error) error {
	if err == nil {
		return nil
	}
	return p.scrub(cloud.NewTransportError(op, err))
}

// httpError classifies an error response: the status, the fault body's
// message and the wait a 413 asks for (Retry-After first, then the body's
// retryAt).
func (p *Provider) httpError(op, method, rel string, res *response) error {
	cause := fmt.Errorf("%s %s: unexpected HTTP status %d", method, rel, res.status)
	return p.scrub(cloud.NewHTTPError(op, res.status, res.header, res.body, cause))
}

// reauthFailed explains a 401 whose re-authentication failed: the class
// and status are Identity's, the operation is the one that needed it.
func reauthFailed(op string, err error) error {
	return cloud.ReauthFailed(op, cloud.AsError(cloud.OpAuthenticate, err), err)
}

// scrub keeps the API key and password out of errors even if a proxy or
// the cloud echoes the request.
func (p *Provider) scrub(e *cloud.Error) error { return cloud.Scrub(e, p.s.secrets...) }
