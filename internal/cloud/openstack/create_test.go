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

type createImageCase struct {
	name      string
	maxMV     string
	pin       string
	answer    func(w http.ResponseWriter)
	wantMV    string // microversion header sent ("" = none)
	wantID    string
	wantClass cloud.ErrorClass
	wantMsg   string
	wantRetry time.Duration
}

// novaFaultCase is a createImage at the negotiated 2.45 that Nova refuses
// with a fault body: the error must be of class and keep Nova's message.
func novaFaultCase(name string, status int, key, msg string, class cloud.ErrorClass) createImageCase {
	return createImageCase{
		name: name, maxMV: "2.90", wantMV: "2.45", wantClass: class,
		wantMsg: msg, answer: novaFault(status, key, msg),
	}
}

func TestCreateImage(t *testing.T) {
	tests := []createImageCase{
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
		novaFaultCase("409 task_state is busy", 409, "conflictingRequest",
			"Cannot 'createImage' instance srv1 while it is in task_state image_snapshot", cloud.ClassBusy),
		novaFaultCase("409 vm_state is conflict", 409, "conflictingRequest",
			"Cannot 'createImage' instance srv1 while it is in vm_state error", cloud.ClassConflict),
		novaFaultCase("404 server", 404, "itemNotFound",
			"Instance srv1 could not be found.", cloud.ClassNotFound),
		novaFaultCase("403 metadata quota", 403, "forbidden",
			"Image metadata limit exceeded", cloud.ClassForbidden),
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
		novaFaultCase("503", 503, "serviceUnavailable",
			"The service is temporarily unavailable.", cloud.ClassTransient),
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
