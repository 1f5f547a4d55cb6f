package openstack

import (
	"errors"
	"net/http"
	"strings"

	"github.com/gophercloud/gophercloud/v2"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
)

// fail classifies err, once, into *cloud.Error for op. gophercloud's
// error types are read here and nowhere else:
//   - ErrUnexpectedResponseCode carries status, headers and body;
//   - ErrErrorAfterReauthentication unwraps to the retried request's
//     failure (a second 401 is therefore ClassUnauthorized);
//   - ErrUnableToReauthenticate does not unwrap: the Keystone answer to the
//     renewal (ErrReauth) is what explains it.
func (p *Provider) fail(op string, err error) error {
	if err == nil {
		return nil
	}
	var ce *cloud.Error
	if errors.As(err, &ce) {
		return ce
	}
	var e *cloud.Error
	var reauth *gophercloud.ErrUnableToReauthenticate
	if errors.As(err, &reauth) && reauth.ErrReauth != nil {
		e = cloud.ReauthFailed(op, classify(op, reauth.ErrReauth), err)
	} else {
		e = classify(op, err)
	}
	return p.scrub(e)
}

func classify(op string, err error) *cloud.Error {
	if status, header, body, ok := responseOf(err); ok {
		return cloud.NewHTTPError(op, status, header, body, err)
	}
	return cloud.NewTransportError(op, err)
}

// responseOf finds an HTTP error response in err's chain. gophercloud
// returns ErrUnexpectedResponseCode by value; the pointer form is accepted
// too in case a wrapper takes its address.
func responseOf(err error) (int, http.Header, []byte, bool) {
	var v gophercloud.ErrUnexpectedResponseCode
	if errors.As(err, &v) {
		return v.Actual, v.ResponseHeader, v.Body, true
	}
	var ptr *gophercloud.ErrUnexpectedResponseCode
	if errors.As(err, &ptr) && ptr != nil {
		return ptr.Actual, ptr.ResponseHeader, ptr.Body, true
	}
	return 0, nil, nil, false
}

// scrub keeps credentials out of errors even if a cloud echoes them, and
// adds the hint for a TLS failure on a cloud whose clouds.yaml asked for
// no verification (which is not honoured).
func (p *Provider) scrub(e *cloud.Error) error {
	if e != nil && p.s.verifyOff && e.HTTPStatus == 0 && strings.HasPrefix(e.Message, "TLS error") {
		e.Message += ` (clouds.yaml says "verify: false", which the operator ignores: set the Cloud's insecureSkipTLSVerify to skip certificate checks)`
	}
	return cloud.Scrub(e, p.s.secrets...)
}
