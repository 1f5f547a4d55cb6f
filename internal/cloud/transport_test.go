package cloud

import (
	"crypto/tls"
	"encoding/pem"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud/cloudtest"
)

type wrapper struct{ inner http.RoundTripper }

func (w wrapper) RoundTrip(r *http.Request) (*http.Response, error) { return w.inner.RoundTrip(r) }

type configurableWrapper struct{ wrapper }

func (w configurableWrapper) WithTLSClientConfig(cfg *tls.Config) http.RoundTripper {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.TLSClientConfig = cfg
	return configurableWrapper{wrapper{t}}
}

func TestTLSConfigAndTransport(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(204) }))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	defer srv.Close()
	caPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})

	if cfg, err := TLSConfig(nil, false); cfg != nil || err != nil {
		t.Fatalf("defaults must give nil config, got %v %v", cfg, err)
	}
	if _, err := TLSConfig([]byte("not pem"), false); err == nil {
		t.Fatal("garbage CA accepted")
	}

	get := func(rt http.RoundTripper) error {
		resp, err := (&http.Client{Transport: rt}).Get(srv.URL)
		if err == nil {
			_ = resp.Body.Close()
		}
		return err
	}
	withCA, err := TLSConfig(caPEM, false)
	if err != nil {
		t.Fatal(err)
	}
	insecure, _ := TLSConfig(nil, true)

	tests := []struct {
		name    string
		base    http.RoundTripper
		cfg     *tls.Config
		wantErr error
		wantOK  bool
	}{
		{name: "default transport, CA bundle", cfg: withCA, wantOK: true},
		{name: "default transport, insecure", cfg: insecure, wantOK: true},
		{name: "default transport, no settings", wantOK: false},
		{name: "http.Transport base, CA bundle", base: http.DefaultTransport.(*http.Transport).Clone(), cfg: withCA, wantOK: true},
		{name: "configurable wrapper", base: configurableWrapper{}, cfg: withCA, wantOK: true},
		{name: "opaque wrapper without settings is kept", base: wrapper{http.DefaultTransport}, wantOK: false},
		{name: "opaque wrapper with settings is refused", base: wrapper{http.DefaultTransport}, cfg: withCA, wantErr: ErrTransportNotConfigurable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rt, err := HTTPTransport(tt.base, tt.cfg)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("HTTPTransport err = %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			if got := get(rt) == nil; got != tt.wantOK {
				t.Errorf("request succeeded = %v, want %v", got, tt.wantOK)
			}
		})
	}
	// The HTTP/2 setup may give DefaultTransport a TLS config of its own;
	// what must never leak into it is a Cloud's trust settings.
	if c := http.DefaultTransport.(*http.Transport).TLSClientConfig; c != nil && (c.RootCAs != nil || c.InsecureSkipVerify) {
		t.Error("http.DefaultTransport was modified")
	}
}

// TestTransportKeepsConnectionsForConcurrentWorkers: rounds of 16
// concurrent requests to one host (the workers of a busy operator) reuse
// their connections instead of opening new ones each round, as Go's
// default of two idle connections per host would make them.
func TestTransportKeepsConnectionsForConcurrentWorkers(t *testing.T) {
	var mu sync.Mutex
	conns := 0
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		time.Sleep(20 * time.Millisecond) // keep the 16 requests overlapping
		w.WriteHeader(http.StatusNoContent)
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			mu.Lock()
			conns++
			mu.Unlock()
		}
	}
	srv.Start()
	defer srv.Close()
	rt, err := HTTPTransport(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	c := &http.Client{Transport: rt}
	const workers, rounds = 16, 5
	for range rounds {
		cloudtest.Concurrently(t, workers, func(int) error {
			resp, err := c.Get(srv.URL)
			if err != nil {
				return err
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
			return nil
		})
	}
	mu.Lock()
	defer mu.Unlock()
	if conns > workers+workers/2 {
		t.Errorf("%d connections for %d rounds of %d concurrent requests; want them reused (at most about %d)", conns, rounds, workers, workers)
	}
}
