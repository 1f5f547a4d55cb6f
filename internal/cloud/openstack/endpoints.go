package openstack

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/gophercloud/gophercloud/v2"
	tokens3 "github.com/gophercloud/gophercloud/v2/openstack/identity/v3/tokens"
	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
)

var errUnexpectedAuthResult = errors.New("keystone answer could not be read as a v3 token")

// projectPlaceholders are the spellings of "the project ID goes here" seen
// in endpoint templates (Keystone catalogs, public-cloud documentation).
var projectPlaceholders = []string{
	"{project_id}", "{tenant_id}", "{projectId}", "{tenantId}",
	"$(project_id)s", "$(tenant_id)s", "%(project_id)s", "%(tenant_id)s",
}

// resolveEndpoints fills in the compute and image clients from the Cloud's
// overrides or the token's catalog. The catalog is searched here rather
// than with openstack.NewComputeV2/NewImageV2: those probe a versionless
// endpoint (Glance's) with a discovery GET that ignores the caller's
// context and fails on clouds without a version document.
func (p *Provider) resolveEndpoints(s *session, res tokens3.CreateResult) error {
	catalog, err := res.ExtractServiceCatalog()
	if err != nil {
		return p.fail(cloud.OpAuthenticate, err)
	}
	project := p.s.projectID
	if project == "" {
		if pr, err := res.ExtractProject(); err == nil && pr != nil {
			project = pr.ID
		}
	}

	computeURL, err := p.endpoint(catalog, "compute", p.s.computeURL, project)
	if err != nil {
		return err
	}
	s.compute = &gophercloud.ServiceClient{ProviderClient: s.provider, Endpoint: computeURL, Type: "compute"}

	if p.s.pollAPI == pollGlance {
		imageURL, err := p.endpoint(catalog, "image", p.s.imageURL, project)
		if err != nil {
			return err
		}
		root := glanceRoot(imageURL)
		s.image = &gophercloud.ServiceClient{ProviderClient: s.provider, Endpoint: root, ResourceBase: root + "v2/", Type: "image"}
	}
	s.volume = p.blockStorage(s, catalog, project)
	return nil
}

// endpoint returns the override when set (used as-is apart from project
// placeholders), else the catalog entry of type service for the configured
// interface and region. The result ends with "/".
func (p *Provider) endpoint(catalog *tokens3.ServiceCatalog, service, override, project string) (string, error) {
	if override != "" {
		u, err := fillProject(override, project)
		if err != nil {
			return "", cloud.Invalid(cloud.OpAuthenticate, fmt.Sprintf("%s URL: %v", service, err))
		}
		return gophercloud.NormalizeURL(u), nil
	}
	if catalog == nil || len(catalog.Entries) == 0 {
		return "", cloud.Invalid(cloud.OpAuthenticate, "the token has an empty service catalog (is clouds.yaml scoped to a project?); set a project or the endpoint URLs")
	}
	for _, entry := range catalog.Entries {
		if entry.Type != service {
			continue
		}
		for _, ep := range entry.Endpoints {
			if gophercloud.Availability(ep.Interface) != p.s.availability {
				continue
			}
			if p.s.region != "" && ep.Region != p.s.region && ep.RegionID != p.s.region {
				continue
			}
			u, err := fillProject(ep.URL, project)
			if err != nil {
				return "", cloud.Invalid(cloud.OpAuthenticate, fmt.Sprintf("%s endpoint in the catalog: %v", service, err))
			}
			return gophercloud.NormalizeURL(u), nil
		}
	}
	region := p.s.region
	if region == "" {
		region = "any"
	}
	return "", cloud.Invalid(cloud.OpAuthenticate, fmt.Sprintf(
		"the service catalog has no %s endpoint for interface %s in region %s; set the Cloud's region, interface or %s URL",
		service, p.s.availability, region, service))
}

func fillProject(u, project string) (string, error) {
	has := false
	for _, ph := range projectPlaceholders {
		if strings.Contains(u, ph) {
			has = true
			u = strings.ReplaceAll(u, ph, project)
		}
	}
	if has && project == "" {
		return "", errors.New("the URL has a project placeholder but no project ID is known (set the Cloud's projectID)")
	}
	return u, nil
}

// glanceRoot returns the Glance root for an image endpoint with or without
// its /v2 suffix: catalogs list Glance unversioned, overrides may not.
func glanceRoot(endpoint string) string {
	u, err := url.Parse(endpoint)
	if err != nil {
		return gophercloud.NormalizeURL(endpoint)
	}
	path := strings.TrimRight(u.Path, "/")
	if i := strings.LastIndex(path, "/"); i >= 0 {
		last := path[i+1:]
		if last == "v2" || strings.HasPrefix(last, "v2.") {
			path = path[:i]
		}
	}
	u.Path = path
	u.RawPath = ""
	return gophercloud.NormalizeURL(u.String())
}
