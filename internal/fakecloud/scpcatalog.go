package fakecloud

import (
	"net/http"
)

// SCP's IAM endpoint catalog, mounted at /scp/iam (SCPAuthURL):
//
//	GET /v1/endpoints   {"endpoints":[{region, service_type, service_name, url}]}
//
// signed like every SCP call. Samsung's SDK reads the virtual server
// endpoint from it (service type scp-virtualserver, in the region) when it
// is given an auth URL. The catalog lists the simulator's virtual server
// front for SCPRegion, and decoys: the same service in another region
// (a path here that answers 404) and another service in SCPRegion, so a
// client that picks the wrong entry fails.

const (
	scpIAM = "/iam"
	// scpRegion is the region of the virtual server front in the catalog.
	scpRegion = "kr-west1"
	// scpOtherRegion has a virtual server entry too, pointing nowhere.
	scpOtherRegion = "kr-east1"
)

// SCPAuthURL is the IAM URL whose /endpoints is the catalog: the Cloud's
// identity endpoint for provider SamsungCloudPlatform.
func (c *Cloud) SCPAuthURL() string { return c.url + scpPrefix + scpIAM + "/v1" }

// SCPRegion is the catalog region of SCPURL.
func (c *Cloud) SCPRegion() string { return scpRegion }

// scpCatalogRoute serves the catalog and reports whether rest (the path
// below /scp) was the catalog's.
func (c *Cloud) scpCatalogRoute(w http.ResponseWriter, r *http.Request, rest string) bool {
	if rest != scpIAM+"/v1/endpoints" {
		return false
	}
	c.serve(w, r, call{op: OpOther, dialect: dialectSCP}, func(w http.ResponseWriter, r *http.Request) {
		if !c.scpAuthenticate(w, r) {
			return
		}
		if r.Method != http.MethodGet {
			scpError(w, http.StatusMethodNotAllowed, "scp-iam.method-not-allowed", "Only GET is served on /v1/endpoints.")
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"endpoints": []map[string]string{
			{"region": scpOtherRegion, "service_type": "scp-virtualserver", "service_name": "virtualserver", "url": c.url + scpPrefix + "/" + scpOtherRegion + scpService},
			{"region": scpRegion, "service_type": "scp-iam", "service_name": "iam", "url": c.SCPAuthURL()},
			{"region": scpRegion, "service_type": "scp-virtualserver", "service_name": "virtualserver", "url": c.SCPURL()},
		}})
	})
	return true
}
