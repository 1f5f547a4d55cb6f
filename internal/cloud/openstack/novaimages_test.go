package openstack

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
)

func novaImageJSON(base, id, status string, progress int, key string) string {
	return fmt.Sprintf(`{"id":%q,"name":"snap","status":%q,"progress":%d,"minDisk":0,"minRam":0,"created":"2026-03-01T12:00:00Z","updated":"2026-03-01T12:01:00Z","OS-EXT-IMG-SIZE:size":2048,"server":{"id":"srv1","links":[]},"metadata":{"instance_uuid":"srv1","image_type":"snapshot","serverimage_uid":%q},"links":[{"rel":"self","href":"%s/compute/v2.1/proj1/images/%s"},{"rel":"bookmark","href":"%s/compute/proj1/images/%s"}]}`,
		id, status, progress, key, base, id, base, id)
}

// ComputeImages mode reads images through the Nova proxy, which is gone
// from microversion 2.36: no microversion header may be sent, even with
// one pinned for createImage.
func TestComputeImagesMode(t *testing.T) {
	s := newStub(t)
	var mu sync.Mutex
	status := map[string]string{}
	setStatus := func(id, st string) {
		mu.Lock()
		status[id] = st
		mu.Unlock()
	}
	s.Handle("GET /compute/v2.1/proj1/images/{id}", func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("id")
		mu.Lock()
		st, ok := status[id]
		mu.Unlock()
		if !ok {
			writeJSON(w, 404, `{"itemNotFound":{"code":404,"message":"Image not found."}}`)
			return
		}
		writeJSON(w, 200, `{"image":`+novaImageJSON(s.Srv.URL, id, st, 50, "uid-1")+`}`)
	})
	s.Handle("GET /compute/v2.1/proj1/images/detail", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("server") != "srv1" {
			writeJSON(w, 400, `{"badRequest":{"code":400,"message":"server filter missing"}}`)
			return
		}
		if r.URL.Query().Get("marker") == "" {
			writeJSON(w, 200, `{"images":[`+novaImageJSON(s.Srv.URL, "a", "ACTIVE", 100, "uid-1")+`,`+
				novaImageJSON(s.Srv.URL, "b", "SAVING", 50, "uid-2")+`],"images_links":[{"rel":"next","href":"`+
				s.Srv.URL+`/compute/v2.1/proj1/images/detail?server=srv1&marker=b"}]}`)
			return
		}
		writeJSON(w, 200, `{"images":[`+novaImageJSON(s.Srv.URL, "c", "DELETED", 0, "uid-1")+`,`+
			novaImageJSON(s.Srv.URL, "d", "UNKNOWN", 0, "uid-1")+`]}`)
	})
	s.Handle("DELETE /compute/v2.1/proj1/images/{id}", func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("id") == "gone" {
			writeJSON(w, 404, `{"itemNotFound":{"code":404,"message":"Image not found."}}`)
			return
		}
		w.WriteHeader(204)
	})
	p := s.provider(func(c *cloud.Config) {
		c.ImagePollAPI = "ComputeImages"
		c.ComputeMicroversion = "2.45"
	})
	ctx := context.Background()

	for _, tt := range []struct {
		status string
		phase  cloud.ImagePhase
	}{
		{"ACTIVE", cloud.PhaseActive}, {"SAVING", cloud.PhasePending}, {"UNKNOWN", cloud.PhasePending},
		{"ERROR", cloud.PhaseFailed}, {"DELETED", cloud.PhaseDeleted},
	} {
		setStatus(imgID, tt.status)
		img, err := p.GetImage(ctx, imgID)
		if err != nil {
			t.Fatal(err)
		}
		if img.Phase != tt.phase || img.Progress == nil || *img.Progress != 50 || img.ServerID != "srv1" ||
			img.IdempotencyKey != "uid-1" || *img.SizeBytes != 2048 || img.URL != s.Srv.URL+"/compute/v2.1/proj1/images/"+imgID {
			t.Fatalf("%s: %+v", tt.status, img)
		}
	}
	_, err := p.GetImage(ctx, "missing")
	wantClass(t, err, cloud.ClassNotFound)

	found, err := p.FindImages(ctx, cloud.FindImagesQuery{ServerID: "srv1", IdempotencyKey: "uid-1"})
	if err != nil {
		t.Fatal(err)
	}
	if len(found) != 2 || found[0].ID != "a" || found[1].ID != "d" {
		t.Fatalf("found %+v", found)
	}

	setStatus("x", "SAVING")
	batch, err := p.GetImages(ctx, []string{"x", "missing"})
	if err != nil || len(batch) != 1 || batch["x"].Phase != cloud.PhasePending {
		t.Fatalf("batch %v, %v", batch, err)
	}

	if err := p.DeleteImage(ctx, "x"); err != nil {
		t.Fatal(err)
	}
	if err := p.DeleteImage(ctx, "gone"); err != nil {
		t.Fatal(err)
	}

	for _, r := range s.Requests("/compute/v2.1/proj1/images") {
		if r.MV() != "" || r.NovaMV() != "" {
			t.Fatalf("images proxy call with a microversion header: %+v", r)
		}
	}
	if n := len(s.Requests("/image/")); n != 0 {
		t.Fatalf("%d Glance calls in ComputeImages mode", n)
	}
}
