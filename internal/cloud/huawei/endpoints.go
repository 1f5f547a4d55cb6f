package huawei

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
)

// endpoint returns a service root without a trailing slash: the override
// when set, otherwise https://{service}.{region}.myhuaweicloud.com, the
// form most regions use (a region on another domain needs the override). trim removes version suffixes users copy from the API docs.
func endpoint(override, service, region string, trim func(string) string) (string, error) {
	if override == "" {
		if region == "" {
			return "", fmt.Errorf("spec.region is required for the default %s endpoint (or set the endpoint explicitly)", service)
		}
		return "https://" + service + "." + region + ".myhuaweicloud.com", nil
	}
	u, err := url.Parse(override)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" {
		return "", fmt.Errorf("%q is not an http(s) URL without query", override)
	}
	return trim(strings.TrimRight(override, "/")), nil
}

// trimVersion drops a trailing "/<version>" segment.
func trimVersion(version string) func(string) string {
	return func(u string) string {
		return strings.TrimSuffix(u, "/"+version)
	}
}

// projectSegment matches what may follow /v2 or /v2.1 in an ECS URL copied
// from the docs: a project ID or its placeholder.
var projectSegment = regexp.MustCompile(`^([0-9a-f]{32}|\{project_id\}|\$\(tenant_id\)s?)$`)

// trimComputeSuffix reduces ".../v2.1", ".../v2.1/{project_id}" (and the
// /v2 forms) to the ECS root; the driver adds /v2.1/{project_id} itself.
// Only a version segment that ends the URL, or precedes a project ID, is
// removed, so a proxy path that merely contains "v2" is kept.
func trimComputeSuffix(u string) string {
	segs := strings.Split(u, "/")
	isVersion := func(s string) bool { return s == "v2" || s == "v2.1" }
	n := len(segs)
	switch {
	case n > 4 && isVersion(segs[n-2]) && projectSegment.MatchString(segs[n-1]):
		return strings.Join(segs[:n-2], "/")
	case n > 3 && isVersion(segs[n-1]):
		return strings.Join(segs[:n-1], "/")
	}
	return u
}
