package openstack

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
)

func glanceJSON(id, status, key, server, created string, size string) string {
	return fmt.Sprintf(`{"id":%q,"name":"snap-%s","status":%q,"size":%s,"checksum":"abc","instance_uuid":%q,"serverimage_uid":%q,"image_type":"snapshot","created_at":%q,"updated_at":%q,"self":"/v2/images/%s","file":"/v2/images/%s/file","schema":"/v2/schemas/image","tags":[],"visibility":"private","protected":false}`,
		id, id, status, size, server, key, created, created, id, id)
}

func TestGetImageGlance(t *testing.T) {
	tests := []struct {
		status string
		phase  cloud.ImagePhase
	}{
		{"queued", cloud.PhaseQueued},
		{"saving", cloud.PhasePending},
		{"uploading", cloud.PhasePending},
		{"importing", cloud.PhasePending},
		{"active", cloud.PhaseActive},
		{"killed", cloud.PhaseFailed},
		{"deleted", cloud.PhaseDeleted},
		{"pending_delete", cloud.PhaseFailed},
		{"deactivated", cloud.PhaseFailed},
		{"some_future_status", cloud.PhasePending},
	}
	s := newStub(t)
	var mu sync.Mutex
	status := ""
	s.Handle("GET /image/v2/images/{id}", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		st := status
		mu.Unlock()
		size := "null"
		if st == "active" {
			size = "1048576"
		}
		writeJSON(w, 200, glanceJSON(r.PathValue("id"), st, "uid-1", "srv1", "2026-03-01T12:00:00Z", size))
	})
	p := s.provider()
	for _, tt := range tests {
		t.Run(tt.status, func(t *testing.T) {
			mu.Lock()
			status = tt.status
			mu.Unlock()
			img, err := p.GetImage(context.Background(), imgID)
			if err != nil {
				t.Fatal(err)
			}
			if img.Phase != tt.phase || img.Status != tt.status {
				t.Fatalf("phase %s status %s, want %s", img.Phase, img.Status, tt.phase)
			}
			if img.ID != imgID || img.ServerID != "srv1" || img.IdempotencyKey != "uid-1" || img.Checksum != "abc" ||
				img.URL != s.Srv.URL+"/image/v2/images/"+imgID ||
				!img.CreatedAt.Equal(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)) {
				t.Fatalf("image %+v", img)
			}
			if tt.status == "active" && (img.SizeBytes == nil || *img.SizeBytes != 1048576) {
				t.Fatalf("size %v", img.SizeBytes)
			}
			if tt.status == "queued" && img.SizeBytes != nil {
				t.Fatalf("size %v for a queued image", *img.SizeBytes)
			}
		})
	}
}

func TestGetImageGlanceErrors(t *testing.T) {
	tests := []struct {
		name      string
		answer    func(w http.ResponseWriter)
		wantClass cloud.ErrorClass
		wantMsg   string
	}{
		{
			name: "404 webob text", wantClass: cloud.ClassNotFound, wantMsg: "No image found with ID " + imgID,
			answer: func(w http.ResponseWriter) {
				w.Header().Set("Content-Type", "text/plain; charset=UTF-8")
				w.WriteHeader(404)
				_, _ = w.Write([]byte("404 Not Found\n\nNo image found with ID " + imgID + "\n\n   "))
			},
		},
		{
			name: "404 webob json", wantClass: cloud.ClassNotFound, wantMsg: "No image found with ID " + imgID,
			answer: func(w http.ResponseWriter) {
				writeJSON(w, 404, `{"message": "No image found with ID `+imgID+`<br /><br />\n\n\n", "code": "404 Not Found", "title": "Not Found"}`)
			},
		},
		{
			name: "malformed JSON", wantClass: cloud.ClassTransient, wantMsg: "malformed JSON",
			answer: func(w http.ResponseWriter) { writeJSON(w, 200, `{"id": "x", "status": }`) },
		},
		{
			name: "truncated JSON", wantClass: cloud.ClassTransient, wantMsg: "incomplete response",
			answer: func(w http.ResponseWriter) { writeJSON(w, 200, `{"id": "x", "status": `) },
		},
		{
			name: "no id", wantClass: cloud.ClassTransient, wantMsg: "no image ID",
			answer: func(w http.ResponseWriter) { writeJSON(w, 200, `{"status": "active"}`) },
		},
		{
			name: "502 html", wantClass: cloud.ClassTransient, wantMsg: "Bad Gateway",
			answer: func(w http.ResponseWriter) {
				w.Header().Set("Content-Type", "text/html")
				w.WriteHeader(502)
				_, _ = w.Write([]byte("<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>"))
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStub(t)
			s.Handle("GET /image/v2/images/{id}", func(w http.ResponseWriter, _ *http.Request) { tt.answer(w) })
			_, err := s.provider().GetImage(context.Background(), imgID)
			ce := wantClass(t, err, tt.wantClass)
			if !strings.Contains(ce.Message, tt.wantMsg) && !strings.Contains(ce.Error(), tt.wantMsg) {
				t.Fatalf("got %+v, want %q", ce, tt.wantMsg)
			}
		})
	}
}

// A Glance that ignores the custom-property filters returns everything;
// FindImages must still only return images carrying the key.
func TestFindImagesGlance(t *testing.T) {
	s := newStub(t)
	var queries []url.Values
	var mu sync.Mutex
	s.Handle("GET /image/v2/images", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		mu.Lock()
		queries = append(queries, q)
		mu.Unlock()
		if q.Get("marker") == "" {
			writeJSON(w, 200, `{"images":[`+
				glanceJSON("a", "active", "uid-1", "srv1", "2026-03-01T10:00:00Z", "1")+`,`+
				glanceJSON("b", "active", "uid-OTHER", "srv1", "2026-03-01T11:00:00Z", "1")+`,`+
				glanceJSON("c", "deleted", "uid-1", "srv1", "2026-03-01T12:00:00Z", "1")+
				`],"first":"/v2/images","schema":"/v2/schemas/images","next":"/v2/images?marker=c&serverimage_uid=uid-1"}`)
			return
		}
		writeJSON(w, 200, `{"images":[`+
			glanceJSON("d", "saving", "uid-1", "srv1", "2026-03-01T13:00:00Z", "null")+`,`+
			glanceJSON("e", "pending_delete", "uid-1", "srv1", "2026-03-01T14:00:00Z", "1")+`,`+
			glanceJSON("f", "queued", "", "srv1", "2026-03-01T15:00:00Z", "null")+
			`],"first":"/v2/images","schema":"/v2/schemas/images"}`)
	})
	p := s.provider()
	got, err := p.FindImages(context.Background(), cloud.FindImagesQuery{ServerID: "srv1", IdempotencyKey: "uid-1", Name: "ignored"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].ID != "d" || got[1].ID != "a" {
		t.Fatalf("found %+v, want d then a", got)
	}
	if len(queries) != 2 {
		t.Fatalf("%d pages read, want 2", len(queries))
	}
	q := queries[0]
	if q.Get("serverimage_uid") != "uid-1" || q.Get("instance_uuid") != "srv1" || q.Get("name") != "" {
		t.Fatalf("filter %v", q)
	}
	if q := queries[1]; q.Get("marker") != "c" {
		t.Fatalf("second page query %v", q)
	}

	_, err = p.FindImages(context.Background(), cloud.FindImagesQuery{ServerID: "srv1"})
	wantClass(t, err, cloud.ClassInvalid)
}

func TestFindImagesEndlessPagesStop(t *testing.T) {
	s := newStub(t)
	s.Handle("GET /image/v2/images", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, 200, `{"images":[`+glanceJSON("a", "active", "other", "s", "2026-03-01T10:00:00Z", "1")+`],"next":"/v2/images?marker=a"}`)
	})
	_, err := s.provider().FindImages(context.Background(), cloud.FindImagesQuery{IdempotencyKey: "k"})
	ce := wantClass(t, err, cloud.ClassTransient)
	if !strings.Contains(ce.Message, "page limit") {
		t.Fatalf("message %q", ce.Message)
	}
}

func TestGetImagesGlanceBatches(t *testing.T) {
	s := newStub(t)
	var mu sync.Mutex
	var batches [][]string
	s.Handle("GET /image/v2/images", func(w http.ResponseWriter, r *http.Request) {
		ids := strings.Split(strings.TrimPrefix(r.URL.Query().Get("id"), "in:"), ",")
		mu.Lock()
		batches = append(batches, ids)
		mu.Unlock()
		var parts []string
		for _, id := range ids {
			if strings.HasPrefix(id, "gone") {
				continue
			}
			parts = append(parts, glanceJSON(id, "active", "", "s", "2026-03-01T10:00:00Z", "1"))
		}
		// An image nobody asked for must not leak into the result.
		parts = append(parts, glanceJSON("stranger", "active", "", "s", "2026-03-01T10:00:00Z", "1"))
		writeJSON(w, 200, `{"images":[`+strings.Join(parts, ",")+`]}`)
	})
	var ids []string
	for i := range 110 {
		ids = append(ids, fmt.Sprintf("img-%03d", i))
	}
	ids = append(ids, "gone-1", "img-000", "")
	got, err := s.provider().GetImages(context.Background(), ids)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 110 || got["img-042"].Phase != cloud.PhaseActive {
		t.Fatalf("got %d images", len(got))
	}
	if _, ok := got["gone-1"]; ok {
		t.Fatal("missing image present")
	}
	if _, ok := got["stranger"]; ok {
		t.Fatal("unrequested image present")
	}
	if len(batches) != 3 {
		t.Fatalf("%d list calls, want 3", len(batches))
	}
	for _, b := range batches {
		if len(b) > batchSize {
			t.Fatalf("batch of %d ids", len(b))
		}
	}
}

func TestGetImagesFallsBackWhenInIsRejected(t *testing.T) {
	s := newStub(t)
	s.Handle("GET /image/v2/images", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, 400, `{"message":"Invalid filter value in:a,b","code":"400 Bad Request","title":"Bad Request"}`)
	})
	s.Handle("GET /image/v2/images/{id}", func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("id") == "b" {
			writeJSON(w, 404, `{"message":"No image found with ID b","code":"404 Not Found","title":"Not Found"}`)
			return
		}
		writeJSON(w, 200, glanceJSON(r.PathValue("id"), "saving", "", "s", "2026-03-01T10:00:00Z", "null"))
	})
	got, err := s.provider().GetImages(context.Background(), []string{"a", "b", "c,d"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got["a"].Phase != cloud.PhasePending || got["c,d"].ID != "c,d" {
		t.Fatalf("got %+v", got)
	}
}

func TestDeleteImageGlance(t *testing.T) {
	tests := []struct {
		status    int
		body      string
		wantClass cloud.ErrorClass
	}{
		{204, "", ""},
		{404, `{"message":"No image found with ID x","code":"404 Not Found","title":"Not Found"}`, ""},
		{403, `{"message":"Image x is protected and cannot be deleted.","code":"403 Forbidden","title":"Forbidden"}`, cloud.ClassForbidden},
		{409, `{"message":"Image status transition from deleted to deleted is not allowed","code":"409 Conflict","title":"Conflict"}`, cloud.ClassBusy},
		{500, ``, cloud.ClassTransient},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.status), func(t *testing.T) {
			s := newStub(t)
			s.Handle("DELETE /image/v2/images/{id}", func(w http.ResponseWriter, _ *http.Request) {
				if tt.body == "" {
					w.WriteHeader(tt.status)
					return
				}
				writeJSON(w, tt.status, tt.body)
			})
			err := s.provider().DeleteImage(context.Background(), "x")
			if tt.wantClass == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			ce := wantClass(t, err, tt.wantClass)
			if ce.Op != "deleteImage" {
				t.Fatalf("op %q", ce.Op)
			}
		})
	}
}

func TestImageCallsNeedAnID(t *testing.T) {
	s := newStub(t)
	p := s.provider()
	ctx := context.Background()
	_, err := p.GetImage(ctx, "")
	wantClass(t, err, cloud.ClassInvalid)
	wantClass(t, p.DeleteImage(ctx, ""), cloud.ClassInvalid)
	_, err = p.GetServer(ctx, "")
	wantClass(t, err, cloud.ClassInvalid)
	got, err := p.GetImages(ctx, nil)
	if err != nil || len(got) != 0 {
		t.Fatalf("GetImages(nil) = %v, %v", got, err)
	}
	if s.allRequests() != 0 {
		t.Fatal("requests without IDs reached the cloud")
	}
}
