package huawei

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
	"github.com/serverimage-operator/serverimage-operator/internal/cloud/drivertest"
)

// Fuzz targets for what the Huawei driver decodes (IMS images, the
// createImage answer, the page marker) and for the AK/SK signer's
// canonicalisation, alone and against the simulator's gateway, which
// verifies signatures with its own implementation. Seeds are in
// testdata/fuzz/<target>.

// FuzzIMSImage: an IMS image (GET) and a /v2/cloudimages page.
func FuzzIMSImage(f *testing.F) {
	f.Fuzz(func(t *testing.T, body []byte) {
		var list struct {
			Images []imsImage `json:"images"`
		}
		if json.Unmarshal(body, &list) != nil {
			return
		}
		var one imsImage
		_ = json.Unmarshal(body, &one)
		for _, img := range append(list.Images, one) {
			out := img.toImage("https://ims.example/v2/images/" + url.PathEscape(img.ID))
			drivertest.CheckPhase(t, out.Phase)
			if out.ID != img.ID || out.Name != img.Name || out.IdempotencyKey != img.IdempotencyKey {
				t.Fatal("identity fields changed on the way")
			}
		}
		// Only a full page continues, from its last image.
		for _, limit := range []int{1, len(list.Images), len(list.Images) + 1} {
			marker, more := nextMarker(list.Images, limit)
			switch {
			case more != (len(list.Images) > 0 && len(list.Images) >= limit):
				t.Fatalf("%d images, limit %d: more %t", len(list.Images), limit, more)
			case more && marker != list.Images[len(list.Images)-1].ID:
				t.Fatalf("marker %q is not the last image's ID", marker)
			case !more && marker != "":
				t.Fatalf("marker %q after the last page", marker)
			}
		}
	})
}

// FuzzImageIDFromCreate: the createImage answer (body and Location).
func FuzzImageIDFromCreate(f *testing.F) {
	f.Fuzz(func(t *testing.T, status int, location string, body []byte) {
		h := http.Header{}
		if location != "" {
			h.Set("Location", location)
		}
		id, err := imageIDFromCreate(&reply{status: status, header: h, body: body})
		switch {
		case err == nil && id == "":
			t.Fatal("no error and no image ID")
		case err != nil && cloud.ClassOf(err) != cloud.ClassTransient:
			// Accepted by the cloud: the image may exist, never final.
			t.Fatalf("class %s for an accepted create: %v", cloud.ClassOf(err), err)
		}
	})
}

var escaped = regexp.MustCompile(`^([A-Za-z0-9._~-]|%[0-9A-F]{2})*$`)

// FuzzCanonical: the pieces of the canonical request.
func FuzzCanonical(f *testing.F) {
	f.Fuzz(func(t *testing.T, path, key, value, value2 string) {
		for _, s := range []string{path, key, value} {
			e := escape(s)
			if !escaped.MatchString(e) {
				t.Fatalf("escape(%q) = %q has unescaped bytes", s, e)
			}
			if back, err := url.PathUnescape(e); err != nil || back != s {
				t.Fatalf("escape(%q) = %q does not decode back (%q, %v)", s, e, back, err)
			}
		}
		uri := canonicalURI(path)
		if !strings.HasSuffix(uri, "/") {
			t.Fatalf("canonicalURI(%q) = %q does not end in /", path, uri)
		}
		if strings.Count(uri, "/") != strings.Count(path, "/")+boolInt(!strings.HasSuffix(path, "/")) {
			t.Fatalf("canonicalURI(%q) = %q split the path differently", path, uri)
		}
		// The query's canonical form does not depend on order.
		a := url.Values{}
		a.Add(key, value)
		a.Add(key, value2)
		a.Add("name", value)
		b := url.Values{}
		b.Add("name", value)
		b.Add(key, value2)
		b.Add(key, value)
		if canonicalQuery(a) != canonicalQuery(b) {
			t.Fatalf("canonicalQuery depends on order: %q vs %q", canonicalQuery(a), canonicalQuery(b))
		}
	})
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// FuzzSignerAgainstGateway: the signer against the simulator's gateway,
// which verifies signatures with its own implementation.
func FuzzSignerAgainstGateway(f *testing.F) {
	drivertest.FuzzSignedRequests(f, akskConfig, testKey)
}
