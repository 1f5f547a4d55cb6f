package openstack

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
)

const imgID = "0a7e3f5c-9d2b-4c1e-8f00-5b6a7c8d9e0f"

func TestCreateImage(t *testing.T) {
	tests := []struct {
		name      string
		maxMV     string
		pin       string
		answer    func(w http.ResponseWriter)
		wantMV    string // microversion header sent ("" = none)
		wantID    string
		wantClass cloud.ErrorClass
		wantMsg   string
		wantRetry time.Duration
	}{
		{
			name: "2.45 body image_id", maxMV: "2.90", wantMV: "2.45", wantID: imgID,
			answer: func(w http.ResponseWriter) { writeJSON(w, 202, `{"image_id":"`+imgID+`"}`) },
		},
		{
			name: "2.45 with charset content type", maxMV: "2.45", wantMV: "2.45", wantID: imgID,
			answer: func(w http.ResponseWriter) {
				w.Header().Set("Content-Type", "application/json; charset=UTF-8")
				w.WriteHeader(202)
				_, _ = w.Write([]byte(`{"image_id": "` + imgID + `"}`))
			},
		},
		{
			name: "old cloud: Location with double slash", maxMV: "2.44", wantMV: "", wantID: imgID,
			answer: func(w http.ResponseWriter) {
				w.Header().Set("Location", "http://127.0.0.1:9292//images/"+imgID)
				w.WriteHeader(202)
			},
		},
		{
			name: "pinned 2.1 forces Location path", maxMV: "2.90", pin: "2.1", wantMV: "2.1", wantID: imgID,
			answer: func(w http.ResponseWriter) {
				w.Header().Set("Location", "/v2/"+stubProject+"/images/"+imgID+"/")
				w.WriteHeader(202)
			},
		},
		{
			name: "no version document: no header", maxMV: "", wantMV: "", wantID: imgID,
			answer: func(w http.ResponseWriter) {
				w.Header().Set("Location", "http://nova:8774/v2/"+stubProject+"/images/"+imgID)
				w.WriteHeader(202)
			},
		},
		{
			name: "neither image_id nor Location", maxMV: "2.90", wantMV: "2.45", wantClass: cloud.ClassTransient,
			wantMsg: "neither an image_id nor a Location header",
			answer:  func(w http.ResponseWriter) { w.WriteHeader(202) },
		},
		{
			name: "Location without ID", maxMV: "2.1", wantClass: cloud.ClassTransient, wantMsg: "Location header names no image",
			answer: func(w http.ResponseWriter) {
				w.Header().Set("Location", "http://glance/images/")
				w.WriteHeader(202)
			},
		},
		{
			name: "409 task_state is busy", maxMV: "2.90", wantMV: "2.45", wantClass: cloud.ClassBusy,
			wantMsg: "Cannot 'createImage' instance srv1 while it is in task_state image_snapshot",
			answer:  novaFault(409, "conflictingRequest", "Cannot 'createImage' instance srv1 while it is in task_state image_snapshot"),
		},
		{
			name: "409 vm_state is conflict", maxMV: "2.90", wantMV: "2.45", wantClass: cloud.ClassConflict,
			wantMsg: "Cannot 'createImage' instance srv1 while it is in vm_state error",
			answer:  novaFault(409, "conflictingRequest", "Cannot 'createImage' instance srv1 while it is in vm_state error"),
		},
		{
			name: "404 server", maxMV: "2.90", wantMV: "2.45", wantClass: cloud.ClassNotFound,
			wantMsg: "Instance srv1 could not be found.",
			answer:  novaFault(404, "itemNotFound", "Instance srv1 could not be found."),
		},
		{
			name: "403 metadata quota", maxMV: "2.90", wantMV: "2.45", wantClass: cloud.ClassForbidden,
			wantMsg: "Image metadata limit exceeded",
			answer:  novaFault(403, "forbidden", "Image metadata limit exceeded"),
		},
		{
			name: "413 with Retry-After seconds", maxMV: "2.90", wantMV: "2.45", wantClass: cloud.ClassRateLimited,
			wantMsg: "This request was rate-limited.", wantRetry: 17 * time.Second,
			answer: func(w http.ResponseWriter) {
				w.Header().Set("Retry-After", "17")
				writeJSON(w, 413, `{"overLimit":{"code":413,"message":"This request was rate-limited.","retryAfter":"17"}}`)
			},
		},
		{
			name: "429 with body retryAt only", maxMV: "2.90", wantMV: "2.45", wantClass: cloud.ClassRateLimited,
			wantMsg: "slow down",
			answer: func(w http.ResponseWriter) {
				at := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
				writeJSON(w, 429, `{"overLimit":{"code":429,"message":"slow down","retryAt":"`+at+`"}}`)
			},
		},
		{
			name: "503", maxMV: "2.90", wantMV: "2.45", wantClass: cloud.ClassTransient,
			wantMsg: "The service is temporarily unavailable.",
			answer:  novaFault(503, "serviceUnavailable", "The service is temporarily unavailable."),
		},
		{
			name: "406 microversion out of range", pin: "2.99", wantMV: "2.99", wantClass: cloud.ClassInvalid,
			wantMsg: "Version 2.99 is not supported by the API. Minimum is 2.1 and maximum is 2.90.",
			answer:  novaFault(406, "computeFault", "Version 2.99 is not supported by the API. Minimum is 2.1 and maximum is 2.90."),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStub(t)
			s.setMaxMV(tt.maxMV) // "" answers 404
			var got map[string]any
			s.Handle("POST /compute/v2.1/proj1/servers/{id}/action", func(w http.ResponseWriter, r *http.Request) {
				_ = json.NewDecoder(r.Body).Decode(&got)
				tt.answer(w)
			})
			p := s.provider(func(c *cloud.Config) { c.ComputeMicroversion = tt.pin })
			id, err := p.CreateImage(context.Background(), cloud.CreateImageRequest{
				ServerID: "srv1", Name: "snap", Metadata: map[string]string{"team": "a"}, IdempotencyKey: "uid-1",
			})
			reqs := s.Requests("/compute/v2.1/proj1/servers/srv1/action")
			if len(reqs) != 1 {
				t.Fatalf("%d createImage requests", len(reqs))
			}
			if reqs[0].NovaMV() != tt.wantMV || (tt.wantMV != "" && reqs[0].MV() != "compute "+tt.wantMV) || (tt.wantMV == "" && reqs[0].MV() != "") {
				t.Errorf("microversion headers %q / %q, want %q", reqs[0].NovaMV(), reqs[0].MV(), tt.wantMV)
			}
			ci, _ := got["createImage"].(map[string]any)
			md, _ := ci["metadata"].(map[string]any)
			if ci["name"] != "snap" || md["team"] != "a" || md[cloud.IdempotencyMetadataKey] != "uid-1" {
				t.Errorf("request body %v", got)
			}
			if tt.wantClass == "" {
				if err != nil || id != tt.wantID {
					t.Fatalf("got %q, %v; want %q", id, err, tt.wantID)
				}
				return
			}
			ce := wantClass(t, err, tt.wantClass)
			if !strings.Contains(ce.Message, tt.wantMsg) || ce.Op != "createImage" {
				t.Errorf("got %+v, want message containing %q", ce, tt.wantMsg)
			}
			if tt.wantRetry != 0 && ce.RetryAfter != tt.wantRetry {
				t.Errorf("RetryAfter %v, want %v", ce.RetryAfter, tt.wantRetry)
			}
			if tt.wantClass == cloud.ClassRateLimited && tt.wantRetry == 0 && (ce.RetryAfter < 59*time.Minute || ce.RetryAfter > time.Hour) {
				t.Errorf("RetryAfter from retryAt %v, want about an hour", ce.RetryAfter)
			}
		})
	}
}

func TestCreateImageNegotiatesOnce(t *testing.T) {
	s := newStub(t)
	s.Handle("POST /compute/v2.1/proj1/servers/{id}/action", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, 202, `{"image_id":"`+imgID+`"}`)
	})
	p := s.provider()
	for range 3 {
		if _, err := p.CreateImage(context.Background(), cloud.CreateImageRequest{ServerID: "s", Name: "n"}); err != nil {
			t.Fatal(err)
		}
	}
	var docs int
	for _, r := range s.Requests("/compute/") {
		if r.Path == "/compute/v2.1/" {
			docs++
		}
	}
	if docs != 1 {
		t.Fatalf("version document read %d times, want 1", docs)
	}
}

func TestCreateImageNegotiationFailureIsNotCached(t *testing.T) {
	s := newStub(t)
	s.setDocStatus(503)
	s.Handle("POST /compute/v2.1/proj1/servers/{id}/action", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, 202, `{"image_id":"`+imgID+`"}`)
	})
	p := s.provider()
	_, err := p.CreateImage(context.Background(), cloud.CreateImageRequest{ServerID: "s", Name: "n"})
	wantClass(t, err, cloud.ClassTransient)
	if n := len(s.Requests("/compute/v2.1/proj1/servers")); n != 0 {
		t.Fatalf("createImage sent without a microversion decision")
	}
	s.setDocStatus(0)
	if _, err := p.CreateImage(context.Background(), cloud.CreateImageRequest{ServerID: "s", Name: "n"}); err != nil {
		t.Fatal(err)
	}
	if r := s.Requests("/compute/v2.1/proj1/servers"); len(r) != 1 || r[0].NovaMV() != "2.45" {
		t.Fatalf("requests %+v", r)
	}
}

func TestCreateImageLocalValidation(t *testing.T) {
	s := newStub(t)
	p := s.provider()
	_, err := p.CreateImage(context.Background(), cloud.CreateImageRequest{Name: "n"})
	wantClass(t, err, cloud.ClassInvalid)
	if s.allRequests() != 0 {
		t.Fatal("a request without server ID reached the cloud")
	}
}

// novaFault answers with a Nova fault body: {"<key>":{"code":…,"message":…}}.
func novaFault(status int, key, msg string) func(http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		writeJSON(w, status, fmt.Sprintf(`{%q:{"code":%d,"message":%q}}`, key, status, msg))
	}
}
