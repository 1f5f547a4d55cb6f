package rackspace

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
)

// Fuzz targets for what the Rackspace driver decodes: images (GET and
// images/detail pages) and the Identity token answer with its catalog.
// Seeds are in testdata/fuzz/<target>.

// FuzzImageResponse: GET images/{id} and an images/detail page.
func FuzzImageResponse(f *testing.F) {
	f.Fuzz(func(t *testing.T, body []byte) {
		var one struct {
			Image cloud.NovaImage `json:"image"`
		}
		if json.Unmarshal(body, &one) == nil {
			checkImage(t, one.Image)
		}
		var page struct {
			Images []cloud.NovaImage `json:"images"`
			Links  []cloud.NovaLink  `json:"images_links"`
		}
		if json.Unmarshal(body, &page) != nil {
			return
		}
		for _, im := range page.Images {
			checkImage(t, im)
		}
		// The marker is all that is taken from a next link; one built the
		// usual way comes back as it was.
		if m := nextMarker(page.Links); m != "" {
			href := "https://dfw.servers.api.rackspacecloud.com/v2/123/images/detail?" + url.Values{"marker": {m}}.Encode()
			if got := nextMarker([]cloud.NovaLink{{Href: href, Rel: "next"}}); got != m {
				t.Fatalf("marker %q came back as %q", m, got)
			}
		}
	})
}

func checkImage(t *testing.T, im cloud.NovaImage) {
	t.Helper()
	img := im.Image()
	if p := img.Phase; p != cloud.PhasePending && p != cloud.PhaseActive && p != cloud.PhaseFailed {
		t.Fatalf("phase %q", p)
	}
	if img.Progress != nil && (*img.Progress < 0 || *img.Progress > 100) {
		t.Fatalf("progress %d%% is not a percentage", *img.Progress)
	}
	if s, ok := im.Metadata[cloud.IdempotencyMetadataKey].(string); ok && img.IdempotencyKey != s {
		t.Fatalf("key %q read as %q", s, img.IdempotencyKey)
	}
}

// FuzzAccessResponse: Identity's token answer and the compute endpoint
// chosen from its catalog.
func FuzzAccessResponse(f *testing.F) {
	f.Fuzz(func(t *testing.T, body []byte, region string, internal bool) {
		var a accessResponse
		if json.Unmarshal(body, &a) != nil {
			return
		}
		_ = parseExpires(a.Access.Token.Expires)
		field := "publicURL"
		if internal {
			field = "internalURL"
		}
		u, err := selectCompute(a.Access.ServiceCatalog, region, a.Access.User.DefaultRegion, field)
		if err != nil {
			return
		}
		// What is chosen is an http(s) URL without a trailing slash, the
		// base every request path is appended to.
		if cloud.CheckHTTPURL(u) != nil || strings.HasSuffix(u, "/") {
			t.Fatalf("chose %q", u)
		}
	})
}
