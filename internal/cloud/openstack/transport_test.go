package openstack

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
)

func TestConfigTransportAndTimeout(t *testing.T) {
	s := newStub(t)
	s.Handle("GET /compute/v2.1/proj1/servers/{id}", func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("id") == "slow" {
			select {
			case <-time.After(2 * time.Second):
			case <-r.Context().Done():
			}
		}
		writeJSON(w, 200, `{"server":{"id":"x","status":"ACTIVE"}}`)
	})
	var seen atomic.Int32
	p := s.provider(func(c *cloud.Config) {
		c.Timeout = 200 * time.Millisecond
		c.Transport = roundTripperFunc(func(r *http.Request) (*http.Response, error) {
			seen.Add(1)
			return http.DefaultTransport.RoundTrip(r)
		})
	})
	ctx := context.Background()
	if _, err := p.GetServer(ctx, "fast"); err != nil {
		t.Fatal(err)
	}
	if seen.Load() != 2 { // token + server
		t.Fatalf("Config.Transport saw %d requests, want 2", seen.Load())
	}
	_, err := p.GetServer(ctx, "slow")
	ce := wantClass(t, err, cloud.ClassTransient)
	if !strings.HasPrefix(ce.Message, "timeout") || ce.HTTPStatus != 0 {
		t.Fatalf("got %+v", ce)
	}
}

func TestConnectionRefusedIsTransient(t *testing.T) {
	s := newStub(t)
	cfg := s.config()
	s.Srv.Close()
	p, err := New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	err = p.Authenticate(context.Background())
	ce := wantClass(t, err, cloud.ClassTransient)
	if !strings.HasPrefix(ce.Message, "connection error") || ce.Op != "authenticate" {
		t.Fatalf("got %+v", ce)
	}
}
