package openstack

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"sync"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/utils"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
)

// imageIDMicroversion is the first compute microversion whose createImage
// answers {"image_id": …} instead of a Location header.
const imageIDMicroversion = "2.45"

// maxVersionDoc bounds the version document read; real ones are < 2 KiB.
const maxVersionDoc = 1 << 20

// microversionCache remembers the negotiated microversion for the
// Provider's lifetime: one discovery GET per Cloud, not per create.
type microversionCache struct {
	sem   chan struct{}
	mu    sync.Mutex
	known bool
	value string
}

func (c *microversionCache) get() (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.value, c.known
}

func (c *microversionCache) set(v string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.value, c.known = v, true
}

// createMicroversion returns the microversion header value for createImage:
// the pinned one, else 2.45 when the cloud supports it, else "" (no header:
// 2.1 behaviour, the image ID comes in Location).
func (p *Provider) createMicroversion(ctx context.Context, s *session, op string) (string, error) {
	if p.s.microversion != "" {
		return p.s.microversion, nil
	}
	if v, ok := p.mv.get(); ok {
		return v, nil
	}
	select {
	case p.mv.sem <- struct{}{}:
	case <-ctx.Done():
		return "", p.fail(op, ctx.Err())
	}
	defer func() { <-p.mv.sem }()
	if v, ok := p.mv.get(); ok {
		return v, nil
	}
	v, err := p.negotiate(ctx, s, op)
	if err != nil {
		return "", err
	}
	p.mv.set(v)
	return v, nil
}

// negotiate reads the compute version document. The catalog URL may or may
// not end in a project ID (/v2.1/<project>), so the document is fetched from
// the versioned root (/v2.1/) and, for an unversioned endpoint, from the
// endpoint itself (the multi-version document). A cloud without a usable
// document (404, no microversions, unreadable JSON) gets no header: the
// Location path works on every Nova. Only failures worth retrying (5xx,
// network, 401 after re-authentication, rate limits) are returned, and then
// nothing is cached.
func (p *Provider) negotiate(ctx context.Context, s *session, op string) (string, error) {
	docURL, err := utils.BaseVersionedEndpoint(s.compute.Endpoint)
	if err != nil {
		return "", nil
	}
	docURL = gophercloud.NormalizeURL(docURL)
	resp, err := s.provider.Request(ctx, "GET", docURL, &gophercloud.RequestOpts{
		OkCodes:          []int{200, 300},
		KeepResponseBody: true,
	})
	if err != nil {
		ce := p.fail(op, err)
		switch cloud.ClassOf(ce) {
		case cloud.ClassInvalid, cloud.ClassNotFound, cloud.ClassForbidden:
			return "", nil
		}
		return "", ce
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxVersionDoc))
	if err != nil {
		return "", p.fail(op, err)
	}
	if supportsImageIDResponse(body) {
		return imageIDMicroversion, nil
	}
	return "", nil
}

// versionDoc covers both Nova shapes: {"version":{…}} at /v2.1/ and
// {"versions":[…]} at the root.
type versionDoc struct {
	Version  *versionEntry  `json:"version"`
	Versions []versionEntry `json:"versions"`
}

type versionEntry struct {
	ID         string `json:"id"`
	Version    string `json:"version"`
	MaxVersion string `json:"max_version"`
}

// supportsImageIDResponse reports whether the highest microversion in the
// document is at least 2.45.
func supportsImageIDResponse(body []byte) bool {
	var doc versionDoc
	if err := json.NewDecoder(bytes.NewReader(body)).Decode(&doc); err != nil {
		return false
	}
	entries := doc.Versions
	if doc.Version != nil {
		entries = append(entries, *doc.Version)
	}
	wantMajor, wantMinor, _ := utils.ParseMicroversion(imageIDMicroversion)
	for _, e := range entries {
		v := e.Version
		if v == "" {
			v = e.MaxVersion
		}
		major, minor, err := utils.ParseMicroversion(v)
		if err != nil {
			continue
		}
		if major > wantMajor || (major == wantMajor && minor >= wantMinor) {
			return true
		}
	}
	return false
}
