package cloud

import (
	"crypto/tls"
	"fmt"
	"net/http"
	"net/url"
)

// UserAgent lets cloud operators tell the operator's traffic apart. The
// OpenStack driver prepends it to gophercloud's own.
const UserAgent = "serverimage-operator"

// NewHTTPClient is the client every driver starts from: cfg's transport
// carrying tlsCfg (see HTTPTransport), cfg's timeout per request (or
// DefaultRequestTimeout), and redirects only to the same host (see
// SameHostRedirects). A driver that signs requests wraps its Transport.
// The error is the driver's own to return from its Factory: Invalid, as a
// configuration that cannot work.
func NewHTTPClient(cfg Config, tlsCfg *tls.Config) (*http.Client, error) {
	rt, err := HTTPTransport(cfg.Transport, tlsCfg)
	if err != nil {
		return nil, Invalid(OpAuthenticate, err.Error())
	}
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = DefaultRequestTimeout
	}
	return &http.Client{Transport: rt, Timeout: timeout, CheckRedirect: SameHostRedirects}, nil
}

// CheckHTTPURL refuses an endpoint override that is not an absolute
// http(s) URL, before any request could go to it.
func CheckHTTPURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%q is not an http(s) URL", raw)
	}
	return nil
}
