package cloud

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net/http"
	"strings"
)

// TLSConfigurer is implemented by a Config.Transport that wraps another
// round tripper (a metrics or logging wrapper) and can rebuild its inner
// transport with a TLS configuration. Without it, a wrapper cannot be given
// a Cloud's CA bundle, and HTTPTransport refuses rather than silently
// checking certificates against the wrong roots.
type TLSConfigurer interface {
	WithTLSClientConfig(cfg *tls.Config) http.RoundTripper
}

// ErrTransportNotConfigurable is returned by HTTPTransport when TLS settings
// are asked for and the base transport cannot take them.
var ErrTransportNotConfigurable = errors.New("the configured HTTP transport cannot take TLS settings (CA bundle or insecureSkipTLSVerify)")

// TLSConfig builds the client TLS configuration for a Cloud: the system
// roots plus caPEM when given (so a private CA for one endpoint does not
// break others signed by a public CA), and certificate checks off only on
// explicit request. It returns nil when nothing differs from the defaults.
func TLSConfig(caPEM []byte, insecure bool) (*tls.Config, error) {
	if len(caPEM) == 0 && !insecure {
		return nil, nil
	}
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if len(caPEM) > 0 {
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(caPEM) {
			return nil, errors.New("the CA bundle holds no PEM certificate")
		}
		cfg.RootCAs = pool
	}
	// #nosec G402 -- only on the Cloud's explicit insecureSkipTLSVerify.
	cfg.InsecureSkipVerify = insecure
	return cfg, nil
}

// MaxIdleConnsPerHost is how many idle connections a driver keeps to one
// cloud endpoint: enough for all the workers of a busy operator.
const MaxIdleConnsPerHost = 64

// HTTPTransport returns the round tripper a driver should use: base (or a
// copy of http.DefaultTransport when base is nil) carrying tlsCfg. A nil
// tlsCfg leaves base untouched. base is never modified: an *http.Transport
// is cloned, a TLSConfigurer asked for a new round tripper.
func HTTPTransport(base http.RoundTripper, tlsCfg *tls.Config) (http.RoundTripper, error) {
	if base == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.TLSClientConfig = tlsCfg
		// Every worker and the poller talk to the same few hosts at once.
		// Go keeps two idle connections per host by default: the others
		// are closed after each request and the next one pays a new TCP
		// and TLS handshake.
		t.MaxIdleConnsPerHost = MaxIdleConnsPerHost
		return t, nil
	}
	if tlsCfg == nil {
		return base, nil
	}
	switch b := base.(type) {
	case *http.Transport:
		t := b.Clone()
		t.TLSClientConfig = mergeTLS(t.TLSClientConfig, tlsCfg)
		return t, nil
	case TLSConfigurer:
		return b.WithTLSClientConfig(tlsCfg), nil
	}
	return nil, ErrTransportNotConfigurable
}

// mergeTLS lays the Cloud's settings over a base transport's own TLS
// configuration (client certificates, server name) instead of dropping it.
func mergeTLS(base, over *tls.Config) *tls.Config {
	if base == nil {
		return over
	}
	out := base.Clone()
	if over.RootCAs != nil {
		out.RootCAs = over.RootCAs
	}
	if over.InsecureSkipVerify {
		out.InsecureSkipVerify = true
	}
	if out.MinVersion < over.MinVersion {
		out.MinVersion = over.MinVersion
	}
	return out
}

// SameHostRedirects is an http.Client CheckRedirect that follows a
// redirect only to the same host, never from https to http. Go copies
// custom headers such as X-Auth-Token to any redirect target, and resends
// a POST body (a password) on 307/308: a redirect elsewhere would hand the
// token or the credentials to another server. A refused redirect is
// returned as it came, so the driver reports its status.
func SameHostRedirects(req *http.Request, via []*http.Request) error {
	if len(via) == 0 {
		return nil
	}
	first := via[0].URL
	switch {
	case len(via) >= 10:
		return errors.New("stopped after 10 redirects")
	case !strings.EqualFold(req.URL.Host, first.Host):
		return http.ErrUseLastResponse
	case first.Scheme == "https" && req.URL.Scheme != "https":
		return http.ErrUseLastResponse
	}
	return nil
}
