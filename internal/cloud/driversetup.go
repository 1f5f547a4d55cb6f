package cloud

import (
	"crypto/tls"
	"net/http"
)

// Setup is how every driver's Factory starts: read builds its settings
// from cfg, then the HTTP client for them is made (see NewHTTPClient).
// Either error is Invalid, a configuration that cannot work, found before
// any request is sent.
func Setup[S interface{ TLS() *tls.Config }](cfg Config, read func(Config) (S, error)) (S, *http.Client, error) {
	s, err := read(cfg)
	if err != nil {
		return s, nil, Invalid(OpAuthenticate, err.Error())
	}
	hc, err := NewHTTPClient(cfg, s.TLS())
	return s, hc, err
}
