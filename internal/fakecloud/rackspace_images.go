package fakecloud

import (
	"net/http"
	"strings"
)

// Rackspace Cloud Images v2 (cloud-apis-2.md §3 and §4), mounted at
// /rackspace/{region}/images/v2: Glance v2's image GET and DELETE and its
// tag, PATCH and member calls, with the differences Rackspace documents:
// the image schema's visibility is public or private only (no shared, no
// community), and members (tenant IDs) are added to private images.

// RackspaceImagesURL is the cloudImages publicURL of region, as the
// catalog publishes it.
func (c *Cloud) RackspaceImagesURL(region string) string {
	return c.url + "/rackspace/" + strings.ToLower(region) + "/images/v2"
}

// rackspaceImagesRoutes serves segs, the path after /v2.
func (c *Cloud) rackspaceImagesRoutes(w http.ResponseWriter, r *http.Request, segs []string) {
	get, del := r.Method == http.MethodGet, r.Method == http.MethodDelete
	f := c.rackspaceImages()
	switch {
	case len(segs) == 2 && segs[0] == "images" && (get || del):
		c.serveImage(w, r, dialectGlance, segs[1], del, f.guard, c.glanceGet, c.glanceDelete)
	case len(segs) >= 2 && segs[0] == "images" && c.glancePropsRoutesAs(w, r, segs[1:], f):
	default:
		c.serveNotFound(w, r, dialectGlance)
	}
}

func (c *Cloud) rackspaceImages() glanceFlavour {
	return glanceFlavour{visibilities: []string{"private"}, auth: c.rackspaceImagesAuth}
}

// rackspaceImagesAuth checks the token; the account's tenant is the
// store's project under Rackspace's numeric name, so its token acts as the
// owner of the images its servers made.
func (c *Cloud) rackspaceImagesAuth(w http.ResponseWriter, r *http.Request) (token, bool) {
	t, ok := c.authenticate(w, r, dialectGlance)
	if ok && t.ProjectID == c.RackspaceTenantID() {
		t.ProjectID = c.opts.ProjectID
	}
	return t, ok
}
