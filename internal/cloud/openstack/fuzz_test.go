package openstack

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
)

// Fuzz targets for what the OpenStack driver decodes from the cloud (and
// from the user's clouds.yaml). Seeds are in testdata/fuzz/<target>.

func validPhase(p cloud.ImagePhase) bool {
	return p == cloud.PhasePending || p == cloud.PhaseActive || p == cloud.PhaseFailed
}

// FuzzImageIDFromCreate: createImage's 202 answer, body and Location.
func FuzzImageIDFromCreate(f *testing.F) {
	f.Fuzz(func(t *testing.T, location string, body []byte, idInBody string) {
		h := http.Header{}
		if location != "" {
			h.Set("Location", location)
		}
		id, err := imageIDFromCreate(h, body)
		switch {
		case err == nil && id == "":
			t.Fatal("no error and no image ID")
		case err != nil && cloud.ClassOf(err) != cloud.ClassTransient:
			// The cloud accepted the create: the image may exist, so the
			// failure must never be final.
			t.Fatalf("class %s for an accepted create: %v", cloud.ClassOf(err), err)
		}
		// An image_id in the body always wins over the header. (JSON
		// carries only valid UTF-8, so only such IDs can come back.)
		if idInBody == "" || !utf8.ValidString(idInBody) {
			return
		}
		b, _ := json.Marshal(map[string]string{"image_id": idInBody})
		if got, err := imageIDFromCreate(h, b); err != nil || got != idInBody {
			t.Fatalf("body %s gave %q, %v", b, got, err)
		}
	})
}

// FuzzGlanceImage: one Glance v2 image, as GET and the list return it.
func FuzzGlanceImage(f *testing.F) {
	f.Fuzz(func(t *testing.T, body []byte, root string) {
		var g glanceImage
		if json.Unmarshal(body, &g) != nil {
			return
		}
		img := g.toImage(root)
		if !validPhase(img.Phase) {
			t.Fatalf("phase %q", img.Phase)
		}
		if img.ID != g.ID || img.Status != g.Status || img.IdempotencyKey != g.IdempotencyKey {
			t.Fatal("identity fields changed on the way")
		}
		if (g.Self == "") != (img.URL == "") {
			t.Fatalf("self %q gave URL %q", g.Self, img.URL)
		}
	})
}

// FuzzNovaImage: one image of the Nova images proxy.
func FuzzNovaImage(f *testing.F) {
	f.Fuzz(func(t *testing.T, body []byte) {
		var n cloud.NovaImage
		if json.Unmarshal(body, &n) != nil {
			return
		}
		img := n.Image()
		if !validPhase(img.Phase) {
			t.Fatalf("phase %q", img.Phase)
		}
		if img.Progress != nil && (*img.Progress < 0 || *img.Progress > 100) {
			t.Fatalf("progress %d%% is not a percentage", *img.Progress)
		}
		if n.Server != nil && n.Server.ID != "" && img.ServerID != n.Server.ID {
			t.Fatal("the server reference was lost")
		}
	})
}

// FuzzNovaServer: GET /servers/{id}, the part the driver reads.
func FuzzNovaServer(f *testing.F) {
	f.Fuzz(func(t *testing.T, body []byte) {
		var b cloud.NovaServerBody
		if json.Unmarshal(body, &b) != nil {
			return
		}
		s, err := b.Readiness(cloud.OpGetServer)
		if (err == nil) != (b.Server.ID != "") {
			t.Fatalf("server ID %q, error %v", b.Server.ID, err)
		}
		if err != nil {
			return
		}
		task := ""
		if b.Server.TaskState != nil {
			task = *b.Server.TaskState
		}
		// A server with a task is busy; readiness is decided from these
		// fields alone.
		if (task != "") != (s.Readiness == cloud.ServerBusy) {
			t.Fatalf("task_state %q, readiness %s", task, s.Readiness)
		}
	})
}

// FuzzVersionDocument: the compute version document read to choose the
// createImage microversion.
func FuzzVersionDocument(f *testing.F) {
	f.Fuzz(func(t *testing.T, body []byte) {
		got := supportsImageIDResponse(body)
		// Appending a 2.96 entry to a readable document must turn it on.
		var doc versionDoc
		if json.Unmarshal(body, &doc) != nil {
			return
		}
		doc.Versions = append(doc.Versions, versionEntry{ID: "v2.1", Version: "2.96"})
		more, _ := json.Marshal(doc)
		if !supportsImageIDResponse(more) {
			t.Fatalf("%s with 2.96 added is not seen as >= 2.45 (was %v)", more, got)
		}
	})
}

// leakMarker starts the password in FuzzCloudsYAML, so that any part of it
// in an error is easy to find.
const leakMarker = "Pw0Marker"

// FuzzCloudsYAML: the user's clouds.yaml, as New reads it from the
// Secret. Whatever the file, New must not panic, and its error must never
// quote the password (errors end up in the Cloud's conditions).
func FuzzCloudsYAML(f *testing.F) {
	f.Fuzz(func(t *testing.T, before, password, after, cloudName string) {
		doc := before + "\n      password: " + leakMarker + password + "\n" + after
		_, err := newSettings(cloud.Config{
			Provider:    cloud.OpenStack,
			Credentials: map[string][]byte{"clouds.yaml": []byte(doc)},
			CloudName:   cloudName,
		})
		if err != nil && strings.Contains(err.Error(), leakMarker) && !strings.Contains(cloudName+before+after, leakMarker) {
			t.Fatalf("the error quotes the password: %v", err)
		}
	})
}
