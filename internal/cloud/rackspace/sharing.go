package rackspace

import (
	"context"
	"net/http"
	"net/url"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
)

// Tags, protection and members live in Cloud Images v2 (the catalog's
// cloudImages, Glance v2 in protocol), not in the Cloud Servers images
// API the driver polls (cloud-apis-2.md §3, §4). Cloud Images has no
// shared or community visibility: members (tenant IDs, same region) are
// added to private images.

// imagesEntry is the Cloud Images v2 service of the catalog.
var imagesEntry = catalogEntry{name: "cloudImages", kind: "image", product: "Cloud Images"}

// glancePatchType is the media type Cloud Images requires of a PATCH
// (415 otherwise).
const glancePatchType = "application/openstack-images-v2.1-json-patch"

var (
	imagesAPI = api{base: imagesBase}
	patchAPI  = api{base: imagesBase, contentType: glancePatchType}
)

func imagesBase(s *session, op string) (string, error) {
	if s.images == "" {
		return "", cloud.Invalid(op, "image properties need Cloud Images: "+s.imagesErr)
	}
	return s.images, nil
}

// propertySupport: everything Cloud Images lets an account change. Only
// private can be requested (public is admin-only; there is nothing else),
// so sharing never waits for a visibility. The tag quota is not
// documented, so it is not checked here. The poll read (Cloud Servers)
// has no properties: GetImage reads Cloud Images when asked.
func propertySupport() cloud.PropertySupport {
	return cloud.PropertySupport{
		Tags:               true,
		Visibilities:       []cloud.Visibility{cloud.VisibilityPrivate},
		Protected:          true,
		Sharing:            true,
		AcceptShare:        true,
		PropsNeedImageRead: true,
	}
}

// imagesEndpoint finds Cloud Images in the Cloud's region (else the
// user's default); where there is none the reason is kept for the
// property calls, which are the only ones that need it.
func (p *Provider) imagesEndpoint(catalog []catalogService, defaultRegion string) (string, string) {
	u, err := selectService(catalog, imagesEntry, p.s.region, defaultRegion, p.s.endpointField)
	if err != nil {
		return "", err.Error()
	}
	return u, ""
}

// getImageProps reads the image from Cloud Images, properties included.
func (p *Provider) getImageProps(ctx context.Context, id string) (*cloud.Image, error) {
	if id == "" {
		return nil, cloud.Invalid(cloud.OpGetImage, "no image ID given")
	}
	res, err := p.callAPI(ctx, cloud.OpGetImage, imagesAPI, http.MethodGet, imagePath(id), nil, nil, readOK...)
	if err != nil {
		return nil, err
	}
	var body struct {
		cloud.GlanceImage
		cloud.GlanceProps
	}
	if err := p.decode(cloud.OpGetImage, res, &body); err != nil {
		return nil, err
	}
	if body.ID == "" {
		return nil, cloud.Malformed(cloud.OpGetImage, "the image response has no image ID")
	}
	img := body.Image("")
	img.ImageProps = body.Props()
	return &img, nil
}

func imagePath(id string, more ...string) string {
	rel := "images/" + url.PathEscape(id)
	for _, m := range more {
		rel += "/" + url.PathEscape(m)
	}
	return rel
}

// UpdateImageProperties patches visibility and protection in one call,
// then adds and removes tags one by one, so that tags added by hand
// between a read and a write are never overwritten. A tag already gone
// (404) is success.
func (p *Provider) UpdateImageProperties(ctx context.Context, id string, u cloud.PropertyUpdate) error {
	var patch []map[string]any
	if u.Visibility != "" {
		patch = append(patch, map[string]any{"op": "replace", "path": "/visibility", "value": u.Visibility})
	}
	if u.Protected != nil {
		patch = append(patch, map[string]any{"op": "replace", "path": "/protected", "value": *u.Protected})
	}
	if len(patch) > 0 {
		if _, err := p.callAPI(ctx, cloud.OpUpdateImage, patchAPI, http.MethodPatch, imagePath(id), nil, patch, http.StatusOK); err != nil {
			return err
		}
	}
	for _, tag := range u.AddTags {
		if _, err := p.callAPI(ctx, cloud.OpUpdateImage, imagesAPI, http.MethodPut, imagePath(id, "tags", tag), nil, nil, http.StatusNoContent); err != nil {
			return err
		}
	}
	for _, tag := range u.RemoveTags {
		_, err := p.callAPI(ctx, cloud.OpUpdateImage, imagesAPI, http.MethodDelete, imagePath(id, "tags", tag), nil, nil, http.StatusNoContent)
		if err != nil && !cloud.IsNotFound(err) {
			return err
		}
	}
	return nil
}

// ListMembers lists the tenants the image is shared with.
func (p *Provider) ListMembers(ctx context.Context, id string) ([]cloud.Member, error) {
	res, err := p.callAPI(ctx, cloud.OpListMembers, imagesAPI, http.MethodGet, imagePath(id, "members"), nil, nil, readOK...)
	if err != nil {
		return nil, err
	}
	var body struct {
		Members []cloud.GlanceMember `json:"members"`
	}
	if err := p.decode(cloud.OpListMembers, res, &body); err != nil {
		return nil, err
	}
	return cloud.GlanceMembers(body.Members), nil
}

// AddMember shares the image with a tenant; 409 (already a member) means
// a repeated call already did.
func (p *Provider) AddMember(ctx context.Context, id, project string) error {
	_, err := p.callAPI(ctx, cloud.OpAddMember, imagesAPI, http.MethodPost, imagePath(id, "members"), nil,
		map[string]string{"member": project}, http.StatusOK)
	return cloud.MemberAdded(err)
}

// RemoveMember unshares the image; a member already gone is success.
func (p *Provider) RemoveMember(ctx context.Context, id, project string) error {
	_, err := p.callAPI(ctx, cloud.OpRemoveMember, imagesAPI, http.MethodDelete, imagePath(id, "members", project), nil, nil, http.StatusNoContent)
	if cloud.IsNotFound(err) {
		return nil
	}
	return err
}

// AcceptShare sets this tenant's membership of the image to accepted.
func (p *Provider) AcceptShare(ctx context.Context, id string) error {
	s, err := p.session(ctx)
	if err != nil {
		return err
	}
	if s.tenantID == "" {
		return cloud.Invalid(cloud.OpAcceptShare, "the token names no tenant to accept the share for")
	}
	_, err = p.callAPI(ctx, cloud.OpAcceptShare, imagesAPI, http.MethodPut, imagePath(id, "members", s.tenantID), nil,
		map[string]string{"status": string(cloud.MemberAccepted)}, http.StatusOK)
	return err
}
