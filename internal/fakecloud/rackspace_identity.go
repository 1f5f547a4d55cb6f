package fakecloud

import (
	"net/http"
	"strings"
)

// Rackspace Identity v2.0: POST /rackspace/identity/v2.0/tokens with
// {"auth":{"RAX-KSKEY:apiKeyCredentials":{"username","apiKey"}}} or
// {"auth":{"passwordCredentials":{"username","password"}}}, answered 200
// with {"access":{"token","user","serviceCatalog"}}.

// rackspaceTokenTime is the token's "expires" format (milliseconds, UTC).
const rackspaceTokenTime = "2006-01-02T15:04:05.000Z"

// Identity's messages for rejected credentials. They differ by credential
// type; the exact wording is modelled on the real service and not
// re-checked against it.
const (
	rackspaceBadAPIKey   = "Username or api key is invalid."
	rackspaceBadPassword = "Unable to authenticate user with credentials provided."
	rackspaceBadBody     = "Invalid json request body"
)

type rackspaceAuthRequest struct {
	Auth *struct {
		APIKey *struct {
			Username string `json:"username"`
			APIKey   string `json:"apiKey"`
		} `json:"RAX-KSKEY:apiKeyCredentials"`
		Password *struct {
			Username string `json:"username"`
			Password string `json:"password"`
		} `json:"passwordCredentials"`
		TenantID   string `json:"tenantId"`
		TenantName string `json:"tenantName"`
	} `json:"auth"`
}

func (c *Cloud) rackspaceIdentityRoutes(w http.ResponseWriter, r *http.Request, segs []string) {
	isTokens := len(segs) == 2 && segs[0] == "v2.0" && segs[1] == "tokens"
	c.serveLogin(w, r, dialectRackspaceIdentity, isTokens, c.rackspaceIssue, "Resource not found.")
}

func (c *Cloud) rackspaceIssue(w http.ResponseWriter, r *http.Request) {
	var req rackspaceAuthRequest
	if err := readJSONBody(r, &req); err != nil || req.Auth == nil || (req.Auth.APIKey == nil) == (req.Auth.Password == nil) {
		// Neither or both credential types: the request is malformed.
		writeError(w, dialectRackspaceIdentity, http.StatusBadRequest, rackspaceBadBody, "")
		return
	}
	tenant := c.RackspaceTenantID()
	if (req.Auth.TenantID != "" && req.Auth.TenantID != tenant) || (req.Auth.TenantName != "" && req.Auth.TenantName != tenant) {
		writeError(w, dialectRackspaceIdentity, http.StatusUnauthorized, "Tenant with Name/Id: '"+req.Auth.TenantID+req.Auth.TenantName+"' is not valid for User '"+c.opts.Username+"' (id: '"+defaultUserID+"')", "")
		return
	}
	var by string
	switch a := req.Auth; {
	case a.APIKey != nil:
		if a.APIKey.Username != c.opts.Username || a.APIKey.APIKey != c.RackspaceAPIKey() {
			writeError(w, dialectRackspaceIdentity, http.StatusUnauthorized, rackspaceBadAPIKey, "")
			return
		}
		by = "APIKEY"
	default:
		if a.Password.Username != c.opts.Username || a.Password.Password != c.opts.Password {
			writeError(w, dialectRackspaceIdentity, http.StatusUnauthorized, rackspaceBadPassword, "")
			return
		}
		by = "PASSWORD"
	}
	t := c.tokens.issue(token{
		UserID: defaultUserID, UserName: c.opts.Username,
		ProjectID: tenant, ProjectName: tenant,
		Methods: []string{by},
	})
	writeJSON(w, http.StatusOK, map[string]any{"access": map[string]any{
		"token": map[string]any{
			"id":                       t.ID,
			"expires":                  t.ExpiresAt.UTC().Format(rackspaceTokenTime),
			"tenant":                   map[string]any{"id": tenant, "name": tenant},
			"RAX-AUTH:authenticatedBy": []string{by},
		},
		"user": map[string]any{
			"id":                     defaultUserID,
			"name":                   c.opts.Username,
			"RAX-AUTH:defaultRegion": c.RackspaceDefaultRegion(),
			"roles": []any{
				map[string]any{"id": "3", "name": "identity:user-admin", "description": "User Admin Role."},
				map[string]any{"id": "10000150", "name": "compute:default", "tenantId": tenant, "description": "Default Role."},
			},
		},
		"serviceCatalog": c.rackspaceCatalog(tenant),
	}})
}

// rackspaceCatalog lists, like the real catalog, two services of type
// compute: the legacy first-generation "cloudServers" (v1.0, no region)
// and "cloudServersOpenStack" per region, the one a driver must pick, and
// cloudImages (Glance v2, rackspace_images.go) per region.
func (c *Cloud) rackspaceCatalog(tenant string) []any {
	var compute, images []any
	for _, region := range rackspaceRegions {
		compute = append(compute, map[string]any{
			"region":      region,
			"tenantId":    tenant,
			"publicURL":   c.RackspaceComputeURL(region),
			"versionId":   "2",
			"versionInfo": c.url + "/rackspace/" + strings.ToLower(region) + "/servers/v2",
			"versionList": c.url + "/rackspace/" + strings.ToLower(region) + "/servers/",
		})
		images = append(images, map[string]any{
			"region":    region,
			"tenantId":  tenant,
			"publicURL": c.RackspaceImagesURL(region),
		})
	}
	return []any{
		map[string]any{"name": "cloudServers", "type": "compute", "endpoints": []any{map[string]any{
			"tenantId":    tenant,
			"publicURL":   c.url + "/rackspace/servers/v1.0/" + tenant,
			"versionId":   "1.0",
			"versionInfo": c.url + "/rackspace/servers/v1.0",
			"versionList": c.url + "/rackspace/servers/",
		}}},
		map[string]any{"name": "cloudServersOpenStack", "type": "compute", "endpoints": compute},
		map[string]any{"name": "cloudImages", "type": "image", "endpoints": images},
	}
}
