package openstack

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
	"github.com/serverimage-operator/serverimage-operator/internal/cloud/cloudtest"
)

func serveServer(s *stub) {
	s.Handle("GET /compute/v2.1/proj1/servers/{id}", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, fmt.Sprintf(`{"server":{"id":%q,"status":"ACTIVE","OS-EXT-STS:task_state":null}}`, r.PathValue("id")))
	})
}

func TestRegistered(t *testing.T) {
	s := newStub(t)
	p, err := cloud.New(context.Background(), s.config())
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := p.(*Provider); !ok {
		t.Fatalf("cloud.New gave %T", p)
	}
}

func TestNewDoesNotCallTheCloud(t *testing.T) {
	s := newStub(t)
	s.provider()
	s.provider(func(c *cloud.Config) { c.Credentials["clouds.yaml"] = []byte(s.appCredYAML()) })
	if n := s.allRequests(); n != 0 {
		t.Fatalf("New made %d requests", n)
	}
}

func TestAuthenticate(t *testing.T) {
	for _, tt := range []struct {
		name string
		yaml func(*stub) string
	}{
		{"password", (*stub).passwordYAML},
		{"application credential", (*stub).appCredYAML},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := newStub(t)
			serveServer(s)
			p := s.provider(func(c *cloud.Config) { c.Credentials["clouds.yaml"] = []byte(tt.yaml(s)) })
			ctx := context.Background()
			if err := p.Authenticate(ctx); err != nil {
				t.Fatal(err)
			}
			if err := p.Authenticate(ctx); err != nil {
				t.Fatal(err)
			}
			if _, err := p.GetServer(ctx, "srv1"); err != nil {
				t.Fatal(err)
			}
			if n := s.auths.Load(); n != 1 {
				t.Fatalf("token requested %d times, want 1 (cached)", n)
			}
		})
	}
}

func TestAuthenticateWrongPassword(t *testing.T) {
	s := newStub(t)
	s.setPassword("something-else")
	p := s.provider()
	err := p.Authenticate(context.Background())
	ce := wantClass(t, err, cloud.ClassUnauthorized)
	if ce.HTTPStatus != 401 || ce.Message != "The request you have made requires authentication." || ce.Op != "authenticate" {
		t.Fatalf("got %+v", ce)
	}
	assertNoSecret(t, err, stubPassword)
	// Not cached: a fixed password works on the next call.
	s.setPassword(stubPassword)
	if err := p.Authenticate(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func assertNoSecret(t *testing.T, err error, secret string) {
	t.Helper()
	for e := err; e != nil; e = errors.Unwrap(e) {
		for _, text := range []string{e.Error(), fmt.Sprintf("%+v", e), fmt.Sprintf("%#v", e)} {
			if strings.Contains(text, secret) {
				t.Fatalf("secret found in error text %q", text)
			}
		}
	}
}

func TestLazyAuthIsSharedByConcurrentCalls(t *testing.T) {
	s := newStub(t)
	serveServer(s)
	s.Handle("POST /compute/v2.1/proj1/servers/{id}/action", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, 202, `{"image_id":"img"}`)
	})
	p := s.provider()
	cloudtest.Concurrently(t, 40, func(i int) error {
		if i%2 == 0 {
			_, err := p.GetServer(context.Background(), fmt.Sprint("s", i))
			return err
		}
		_, err := p.CreateImage(context.Background(), cloud.CreateImageRequest{ServerID: "s", Name: "n"})
		return err
	})
	if n := s.auths.Load(); n != 1 {
		t.Fatalf("authenticated %d times, want 1", n)
	}
	if n := len(s.Requests("/compute/v2.1/")) - 40; n != 1 {
		t.Fatalf("version document read %d times, want 1", n)
	}
}

// withExpiredToken is a Provider that has authenticated once and whose
// token the cloud has since dropped.
func withExpiredToken(t *testing.T) (*stub, *Provider) {
	t.Helper()
	s := newStub(t)
	serveServer(s)
	p := s.provider()
	if _, err := p.GetServer(context.Background(), "a"); err != nil {
		t.Fatal(err)
	}
	s.expireTokens()
	return s, p
}

func TestReauthenticatesOnceOn401(t *testing.T) {
	s, p := withExpiredToken(t)
	if _, err := p.GetServer(context.Background(), "a"); err != nil {
		t.Fatalf("expired token not renewed: %v", err)
	}
	if n := s.auths.Load(); n != 2 {
		t.Fatalf("authenticated %d times, want 2", n)
	}
}

func TestSecond401IsUnauthorized(t *testing.T) {
	s := newStub(t)
	s.Handle("GET /compute/v2.1/proj1/servers/{id}", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, 401, `{"unauthorized":{"code":401,"message":"Token not valid for this project."}}`)
	})
	p := s.provider()
	_, err := p.GetServer(context.Background(), "a")
	ce := wantClass(t, err, cloud.ClassUnauthorized)
	if ce.Message != "Token not valid for this project." || ce.Op != "getServer" {
		t.Fatalf("got %+v", ce)
	}
	if n := s.auths.Load(); n != 2 {
		t.Fatalf("authenticated %d times, want 2 (first + exactly one renewal)", n)
	}
}

func TestReauthRejected(t *testing.T) {
	s, p := withExpiredToken(t)
	s.setPassword("rotated")
	_, err := p.GetServer(context.Background(), "a")
	ce := wantClass(t, err, cloud.ClassUnauthorized)
	if !strings.Contains(ce.Message, "re-authentication failed") || !strings.Contains(ce.Message, "requires authentication") {
		t.Fatalf("message %q", ce.Message)
	}
	assertNoSecret(t, err, stubPassword)
}

func TestTokenNearExpiryIsRenewedBeforeUse(t *testing.T) {
	s := newStub(t)
	serveServer(s)
	s.expiresIn = time.Minute // inside tokenRefreshMargin
	p := s.provider()
	ctx := context.Background()
	for range 2 {
		if _, err := p.GetServer(ctx, "a"); err != nil {
			t.Fatal(err)
		}
	}
	if n := s.auths.Load(); n != 2 {
		t.Fatalf("authenticated %d times, want 2 (renewal before the second call)", n)
	}
	// Authenticate renews too rather than vouching for a dying token.
	if err := p.Authenticate(ctx); err != nil {
		t.Fatal(err)
	}
	if n := s.auths.Load(); n != 3 {
		t.Fatalf("authenticated %d times, want 3", n)
	}
}

func TestAuthenticateCancelled(t *testing.T) {
	s := newStub(t)
	p := s.provider()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := p.Authenticate(ctx)
	ce := wantClass(t, err, cloud.ClassTransient)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("context.Canceled not in chain: %+v", ce)
	}
}
