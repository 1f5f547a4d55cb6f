package rackspace

import (
	"fmt"
	"sort"
	"strings"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
)

// computeServiceName is the catalog entry of Cloud Servers API v2. The
// catalog also lists "cloudServers" of type compute, the retired
// first-generation API (v1.0): selecting by type alone would pick the
// wrong one, so the entry is selected by name.
const computeServiceName = "cloudServersOpenStack"

type catalogService struct {
	Name      string            `json:"name"`
	Type      string            `json:"type"`
	Endpoints []catalogEndpoint `json:"endpoints"`
}

type catalogEndpoint struct {
	Region      string `json:"region"`
	TenantID    string `json:"tenantId"`
	PublicURL   string `json:"publicURL"`
	InternalURL string `json:"internalURL"`
}

// tenantPlaceholders are the spellings of "the tenant goes here" accepted
// in a compute URL override.
var tenantPlaceholders = []string{"{tenant_id}", "{tenantId}", "{project_id}", "{projectId}"}

// computeEndpoint returns the Cloud Servers v2 base URL without a
// trailing slash: the Cloud's override, or the catalog entry for the
// Cloud's region, else the user's default region.
func (p *Provider) computeEndpoint(catalog []catalogService, defaultRegion, tokenTenant string) (string, error) {
	if p.s.computeURL != "" {
		tenant := p.s.tenantID
		if tenant == "" {
			tenant = tokenTenant
		}
		u := p.s.computeURL
		for _, ph := range tenantPlaceholders {
			if strings.Contains(u, ph) {
				if tenant == "" {
					return "", cloud.Invalid(cloud.OpAuthenticate, "the compute URL has a tenant placeholder but no tenant ID is known (set the Cloud's projectID)")
				}
				u = strings.ReplaceAll(u, ph, tenant)
			}
		}
		return strings.TrimRight(u, "/"), nil
	}
	u, err := selectCompute(catalog, p.s.region, defaultRegion, p.s.endpointField)
	if err != nil {
		return "", cloud.Invalid(cloud.OpAuthenticate, err.Error())
	}
	return u, nil
}

// selectCompute picks the cloudServersOpenStack endpoint of region (or of
// defaultRegion when region is empty; or the only one when neither is
// known). Regions compare case-insensitively: "dfw" is DFW.
func selectCompute(catalog []catalogService, region, defaultRegion, field string) (string, error) {
	return selectService(catalog, catalogEntry{computeServiceName, "compute", "Cloud Servers"}, region, defaultRegion, field)
}

// catalogEntry names a service of the catalog: its name, its type, and
// the product a user enables.
type catalogEntry struct{ name, kind, product string }

// selectService picks the endpoint of service e as selectCompute does.
func selectService(catalog []catalogService, e catalogEntry, region, defaultRegion, field string) (string, error) {
	var svc *catalogService
	var computeNames []string
	for i := range catalog {
		if catalog[i].Name == e.name {
			svc = &catalog[i]
		}
		if catalog[i].Type == e.kind {
			computeNames = append(computeNames, catalog[i].Name)
		}
	}
	if svc == nil {
		return "", fmt.Errorf("the service catalog has no %s service (%s services: %s); is %s enabled for this account?",
			e.name, e.kind, listOrNone(computeNames), e.product)
	}
	which := region
	if which == "" {
		which = defaultRegion
	}
	regions := make([]string, 0, len(svc.Endpoints))
	var match *catalogEndpoint
	for i := range svc.Endpoints {
		ep := &svc.Endpoints[i]
		regions = append(regions, ep.Region)
		if match == nil && which != "" && strings.EqualFold(ep.Region, which) {
			match = ep
		}
	}
	switch {
	case match != nil:
	case which == "" && len(svc.Endpoints) == 1:
		match = &svc.Endpoints[0]
	case which == "":
		return "", fmt.Errorf("the user has no default region and the catalog lists %s in %s; set the Cloud's region",
			e.name, listOrNone(regions))
	default:
		source := "the Cloud's region"
		if region == "" {
			source = "the user's default region"
		}
		return "", fmt.Errorf("the service catalog has no %s endpoint in %s %s (available: %s); set the Cloud's region",
			e.name, source, which, listOrNone(regions))
	}
	u := match.PublicURL
	if field == "internalURL" {
		u = match.InternalURL
	}
	if u == "" {
		return "", fmt.Errorf("the %s endpoint in region %s has no %s", e.name, match.Region, field)
	}
	if err := cloud.CheckHTTPURL(u); err != nil {
		return "", fmt.Errorf("the %s endpoint in region %s: %w", e.name, match.Region, err)
	}
	return strings.TrimRight(u, "/"), nil
}

func listOrNone(vals []string) string {
	if len(vals) == 0 {
		return "none"
	}
	vals = append([]string(nil), vals...)
	sort.Strings(vals)
	return strings.Join(vals, ", ")
}
