package scp

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
)

// stubProvider serves each request with answer (by method and path) from
// an httptest server, for the response shapes the simulator does not
// produce. It does not check signatures: that is the simulator's job.
func stubProvider(t *testing.T, answer func(w http.ResponseWriter, r *http.Request)) (cloud.Provider, *atomic.Int32) {
	t.Helper()
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		answer(w, r)
	}))
	t.Cleanup(srv.Close)
	p, err := New(context.Background(), cloud.Config{
		Credentials: creds(keyAccessKey, "AKexample0123456789", keySecretKey, "SKexample-secret-key-0001"),
		ComputeURL:  srv.URL,
	})
	if err != nil {
		t.Fatal(err)
	}
	return p, &calls
}

func reply(status int, body string) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}
}

const springNotFound = `{"timestamp":"2026-01-01T00:00:00.000+00:00","status":404,"error":"Not Found","message":"No message available","path":"/v1/images"}`

func TestNotFoundIsConfirmed(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		// list answers GET /v1/images (the credential check); other
		// requests get 404.
		list      func(http.ResponseWriter, *http.Request)
		wantClass cloud.ErrorClass
		wantMsg   string
	}{
		{name: "list works: a real 404", list: reply(200, `{"images":[]}`), wantClass: cloud.ClassNotFound, wantMsg: "Image gone"},
		{name: "list 404s too: unauthenticated", list: reply(404, springNotFound), wantClass: cloud.ClassUnauthorized, wantMsg: "SCP answers requests it cannot authenticate with HTTP 404"},
		{name: "list 401s: unauthenticated", list: reply(401, `{"errors":[{"detail":"bad signature"}]}`), wantClass: cloud.ClassUnauthorized, wantMsg: "bad signature"},
		{name: "list unavailable: undecided", list: reply(503, `{"errors":[{"detail":"down"}]}`), wantClass: cloud.ClassTransient, wantMsg: "could not be confirmed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, _ := stubProvider(t, func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/v1/images" {
					tc.list(w, r)
					return
				}
				reply(404, `{"errors":[{"detail":"Image gone"}]}`)(w, r)
			})
			_, err := p.GetImage(ctx, "img-1")
			if cloud.ClassOf(err) != tc.wantClass || !strings.Contains(err.Error(), tc.wantMsg) {
				t.Fatalf("GetImage: %v (class %s), want %s with %q", err, cloud.ClassOf(err), tc.wantClass, tc.wantMsg)
			}
			err = p.DeleteImage(ctx, "img-1")
			if tc.wantClass == cloud.ClassNotFound {
				if err != nil {
					t.Errorf("DeleteImage of a gone image: %v", err)
				}
			} else if cloud.ClassOf(err) != tc.wantClass {
				t.Errorf("DeleteImage: %v", err)
			}
		})
	}
}

func TestAuthenticateAnswers(t *testing.T) {
	tests := []struct {
		name      string
		answer    func(http.ResponseWriter, *http.Request)
		wantClass cloud.ErrorClass
		wantMsg   string
	}{
		{name: "ok", answer: reply(200, `{"images":[{"id":"a","name":"b","status":"active"}]}`)},
		{name: "404 means unauthenticated (or a wrong endpoint)", answer: reply(404, springNotFound), wantClass: cloud.ClassUnauthorized, wantMsg: "HTTP 404: Not Found: SCP answers"},
		{name: "403", answer: reply(403, `{"errors":[{"detail":"no permission"}]}`), wantClass: cloud.ClassForbidden, wantMsg: "no permission"},
		{name: "200 that is not an image list", answer: reply(200, `{"hello":"world"}`), wantClass: cloud.ClassInvalid, wantMsg: "is it the SCP virtual server endpoint"},
		{name: "200 HTML", answer: reply(200, `<html>hi</html>`), wantClass: cloud.ClassTransient, wantMsg: "malformed JSON"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, _ := stubProvider(t, tc.answer)
			err := p.Authenticate(context.Background())
			if tc.wantClass == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if cloud.ClassOf(err) != tc.wantClass || !strings.Contains(err.Error(), tc.wantMsg) {
				t.Fatalf("%v (class %s), want %s with %q", err, cloud.ClassOf(err), tc.wantClass, tc.wantMsg)
			}
		})
	}
}

func TestCreateImageAnswers(t *testing.T) {
	tests := []struct {
		name      string
		answer    func(http.ResponseWriter, *http.Request)
		wantID    string
		wantClass cloud.ErrorClass
	}{
		{name: "202 with image_id", answer: reply(202, `{"image_id":"70a599e0-31e7-49b7-b260-868f441e862b"}`), wantID: "70a599e0-31e7-49b7-b260-868f441e862b"},
		{name: "200 with image_id is fine too", answer: reply(200, `{"image_id":"x1"}`), wantID: "x1"},
		{name: "202 without image_id: look it up", answer: reply(202, `{}`), wantClass: cloud.ClassTransient},
		{name: "400 validation list", answer: reply(400, `[{"loc":["body","image_name"],"msg":"bad"}]`), wantClass: cloud.ClassInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var body string
			p, _ := stubProvider(t, func(w http.ResponseWriter, r *http.Request) {
				b, _ := io.ReadAll(r.Body)
				body = string(b)
				tc.answer(w, r)
			})
			id, err := p.CreateImage(context.Background(), cloud.CreateImageRequest{ServerID: "s1", Name: "web", IdempotencyKey: testUID})
			if id != tc.wantID || cloud.ClassOf(err) != tc.wantClass {
				t.Fatalf("id %q err %v", id, err)
			}
			if body != `{"image_name":"web-3f2a9c1e"}` {
				t.Errorf("request body %s", body)
			}
		})
	}
}

func TestGetImageStatuses(t *testing.T) {
	tests := []struct {
		status    string
		wantPhase cloud.ImagePhase
	}{
		{`"queued"`, cloud.PhaseQueued},
		{`"saving"`, cloud.PhasePending},
		{`"uploading"`, cloud.PhasePending},
		{`"importing"`, cloud.PhasePending},
		{`"something new"`, cloud.PhasePending},
		{`null`, cloud.PhasePending},
		{`"active"`, cloud.PhaseActive},
		{`"ACTIVE"`, cloud.PhaseActive},
		{`"killed"`, cloud.PhaseFailed},
		{`"deleted"`, cloud.PhaseDeleted},
		{`"pending_delete"`, cloud.PhaseFailed},
		{`"deactivated"`, cloud.PhaseFailed},
		{`"error"`, cloud.PhaseFailed},
	}
	for _, tc := range tests {
		p, _ := stubProvider(t, reply(200, `{"id":"i1","name":"n","status":`+tc.status+`,"size":0,"created_at":"2024-06-16T02:55:13"}`))
		img, err := p.GetImage(context.Background(), "i1")
		if err != nil || img.Phase != tc.wantPhase || img.SizeBytes != nil || img.CreatedAt.IsZero() {
			t.Errorf("status %s: %+v, %v", tc.status, img, err)
		}
	}
}

func TestFindImagesListNotFoundIsAuthentication(t *testing.T) {
	p, _ := stubProvider(t, reply(404, springNotFound))
	_, err := p.FindImages(context.Background(), cloud.FindImagesQuery{Name: "web", IdempotencyKey: testUID})
	if cloud.ClassOf(err) != cloud.ClassUnauthorized || !strings.Contains(err.Error(), "findImages: HTTP 404") {
		t.Fatalf("%v (class %s)", err, cloud.ClassOf(err))
	}
}
