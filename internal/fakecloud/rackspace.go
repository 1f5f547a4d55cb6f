package fakecloud

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash/crc32"
	"net/http"
	"strings"
)

// Rackspace dialect, mounted at /rackspace: Rackspace Identity v2.0
// (RAX-KSKEY API key or password credentials) and Cloud Servers API v2,
// the Nova v2 API without microversions (cloud-apis.md §1).
//
//	POST /rackspace/identity/v2.0/tokens
//	     /rackspace/{region}/servers/v2/{tenant}/...   region dfw or ord
//	     /rackspace/{region}/images/v2/images/...      Cloud Images (rackspace_images.go)
//
// The real service has one host per region (dfw.servers.api…,
// ord.servers.api…); here the region is the first path segment so that a
// driver that picks the wrong catalog entry is seen hitting the wrong URL.
// Both regions serve the simulator's single store: a server is visible in
// either region, which the real service would not do.

// Rackspace dialects: compute faults and identity faults share the
// {"<name>":{"code","message"}} shape but not every name (500 is
// computeFault in one and identityFault in the other).
const (
	dialectRackspace         dialect = 10
	dialectRackspaceIdentity dialect = 11
)

// rackspaceRegions are the regions the catalog lists; the first is the
// user's RAX-AUTH:defaultRegion.
var rackspaceRegions = []string{"DFW", "ORD"}

func init() {
	registerFront("/rackspace", (*Cloud).rackspaceRoutes)
	registerErrorWriter(dialectRackspace, rackspaceErrorWriter("computeFault"))
	registerErrorWriter(dialectRackspaceIdentity, rackspaceErrorWriter("identityFault"))
}

// RackspaceIdentityURL is the Identity v2.0 root (POST …/tokens), the
// value of a Rackspace Cloud's identity endpoint override.
func (c *Cloud) RackspaceIdentityURL() string { return c.url + "/rackspace/identity/v2.0" }

// RackspaceComputeURL is the cloudServersOpenStack publicURL of region
// (DFW or ORD, any case), as the catalog publishes it.
func (c *Cloud) RackspaceComputeURL(region string) string {
	return c.url + "/rackspace/" + strings.ToLower(region) + "/servers/v2/" + c.RackspaceTenantID()
}

// RackspaceDefaultRegion is the user's RAX-AUTH:defaultRegion.
func (c *Cloud) RackspaceDefaultRegion() string { return rackspaceRegions[0] }

// RackspaceUsername is the user name for both credential types.
func (c *Cloud) RackspaceUsername() string { return c.opts.Username }

// RackspacePassword is the password for passwordCredentials.
func (c *Cloud) RackspacePassword() string { return c.opts.Password }

// RackspaceAPIKey is the user's API key. It is derived from the user name
// and password (Options has no field for it, and the derivation keeps it
// stable across runs and distinct from the password), shaped like a real
// key: 32 lower-case hex characters.
func (c *Cloud) RackspaceAPIKey() string {
	sum := sha256.Sum256([]byte("rackspace-api-key\x00" + c.opts.Username + "\x00" + c.opts.Password))
	return hex.EncodeToString(sum[:16])
}

// RackspaceTenantID is the account number (Rackspace tenants are numeric),
// derived from the project ID so that it stays stable across runs.
func (c *Cloud) RackspaceTenantID() string {
	return fmt.Sprintf("%d", 100000+crc32.ChecksumIEEE([]byte(c.opts.ProjectID))%900000)
}

func (c *Cloud) rackspaceRoutes(w http.ResponseWriter, r *http.Request, rest string) {
	segs := rackspaceSegments(rest)
	switch {
	case len(segs) >= 1 && segs[0] == "identity":
		c.rackspaceIdentityRoutes(w, r, segs[1:])
	case len(segs) >= 3 && isRackspaceRegion(segs[0]) && segs[1] == "servers" && segs[2] == "v2":
		c.rackspaceServersRoutes(w, r, strings.ToUpper(segs[0]), segs[3:])
	case len(segs) >= 3 && isRackspaceRegion(segs[0]) && segs[1] == "images" && segs[2] == "v2":
		c.rackspaceImagesRoutes(w, r, segs[3:])
	default:
		// Includes the legacy v1.0 API of the catalog's cloudServers entry,
		// which is listed but not simulated: a driver must not pick it.
		c.serveNotFound(w, r, dialectRackspace)
	}
}

func isRackspaceRegion(seg string) bool {
	for _, r := range rackspaceRegions {
		if strings.EqualFold(seg, r) && seg == strings.ToLower(seg) {
			return true
		}
	}
	return false
}

// rackspaceSegments splits a path into its non-empty segments.
func rackspaceSegments(p string) []string {
	var out []string
	for _, s := range strings.Split(p, "/") {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}
