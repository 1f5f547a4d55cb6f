package scp

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
)

// serviceTypeVirtualServer is the catalog's service type of the virtual
// server API (Samsung's SDK asks for it by this name).
const serviceTypeVirtualServer = "scp-virtualserver"

// catalogEntry is one entry of GET {auth_url}/endpoints.
type catalogEntry struct {
	Region      string `json:"region"`
	ServiceType string `json:"service_type"`
	ServiceName string `json:"service_name"`
	URL         string `json:"url"`
}

// discovered holds the endpoint read from the catalog. Only success is
// kept: a failed read (an outage, keys not yet valid) is tried again on
// the next call rather than remembered.
type discovered struct {
	mu  sync.Mutex
	url string
}

// endpoint is the virtual server API root: the configured one, or the
// catalog's, read once.
func (p *Provider) endpoint(ctx context.Context, op string) (string, error) {
	if p.s.catalogURL == "" {
		return p.s.endpoint, nil
	}
	p.found.mu.Lock()
	defer p.found.mu.Unlock()
	if p.found.url != "" {
		return p.found.url, nil
	}
	var body struct {
		Endpoints []catalogEntry `json:"endpoints"`
	}
	// The catalog call is signed like any other, over its own URL, as the
	// SDK signs it. A 404 here has nothing missing to mean but the
	// request: SCP answers unauthenticated calls that way.
	if err := listNotFound(op, p.send(ctx, op, http.MethodGet, p.s.catalogURL, "", nil, &body)); err != nil {
		ce := cloud.AsError(op, err)
		return "", &cloud.Error{Class: ce.Class, Op: op, HTTPStatus: ce.HTTPStatus, RetryAfter: ce.RetryAfter,
			Message: "reading the endpoint catalog " + p.s.catalogURL + ": " + ce.Message, Err: err}
	}
	u, err := pickVirtualServer(body.Endpoints, p.s.region)
	if err != nil {
		return "", &cloud.Error{Class: cloud.ClassInvalid, Op: op, Message: "endpoint catalog " + p.s.catalogURL + ": " + err.Error(), Err: err}
	}
	p.found.url = u
	return u, nil
}

// pickVirtualServer chooses the virtual server endpoint of region. Like
// Samsung's SDK it takes the only entry of the service type when there is
// one and no region was asked for, and the lowest URL when a region has
// several. Unlike the SDK it never falls back to another region's entry:
// images made there would not be found where the servers are.
func pickVirtualServer(entries []catalogEntry, region string) (string, error) {
	var all, inRegion []catalogEntry
	for _, e := range entries {
		if e.ServiceType != serviceTypeVirtualServer {
			continue
		}
		all = append(all, e)
		if strings.EqualFold(strings.TrimSpace(e.Region), region) {
			inRegion = append(inRegion, e)
		}
	}
	switch {
	case len(all) == 0:
		return "", fmt.Errorf("no %s entry among %d endpoints", serviceTypeVirtualServer, len(entries))
	case region == "" && len(all) == 1:
		inRegion = all
	case region == "":
		return "", fmt.Errorf("%s is offered in regions %s: set spec.region", serviceTypeVirtualServer, regionsOf(all))
	case len(inRegion) == 0:
		return "", fmt.Errorf("no %s entry for region %q (regions offered: %s)", serviceTypeVirtualServer, region, regionsOf(all))
	}
	slices.SortFunc(inRegion, func(a, b catalogEntry) int { return strings.Compare(a.URL, b.URL) })
	root, err := apiRoot(strings.TrimSpace(inRegion[0].URL))
	if err != nil {
		return "", fmt.Errorf("the %s entry: %w", serviceTypeVirtualServer, err)
	}
	return root, nil
}

func regionsOf(entries []catalogEntry) string {
	var rs []string
	for _, e := range entries {
		rs = append(rs, fmt.Sprintf("%q", e.Region))
	}
	slices.Sort(rs)
	return strings.Join(slices.Compact(rs), ", ")
}
