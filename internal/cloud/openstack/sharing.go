package openstack

import (
	"context"
	"errors"
	"net/url"

	"github.com/gophercloud/gophercloud/v2"
	tokens3 "github.com/gophercloud/gophercloud/v2/openstack/identity/v3/tokens"
	"github.com/gophercloud/gophercloud/v2/openstack/image/v2/images"
	"github.com/gophercloud/gophercloud/v2/openstack/image/v2/members"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
)

// Glance keeps tags, visibility, protection and members; the Nova images
// proxy (ImagePollAPI ComputeImages) has none of them.

// propertySupport: Glance's policy gives a project member everything but
// public (admin only). Tags are per-tag calls so that tags added by hand
// between a read and a write are never overwritten (gophercloud only
// replaces the whole list).
func (p *Provider) propertySupport() cloud.PropertySupport {
	if p.s.pollAPI != pollGlance {
		return cloud.PropertySupport{}
	}
	return cloud.PropertySupport{
		Tags:               true,
		MaxTags:            128,
		Visibilities:       []cloud.Visibility{cloud.VisibilityPrivate, cloud.VisibilityShared, cloud.VisibilityCommunity},
		Protected:          true,
		Sharing:            true,
		SharingNeedsShared: true,
		AcceptShare:        true,
	}
}

var errNoGlance = errors.New("image properties need the Glance API (imagePollAPI ComputeImages has none)")

// glance returns the session's Glance client, or an Invalid error where
// the Cloud reads images through the Nova proxy.
func (p *Provider) glance(ctx context.Context, op string) (*session, error) {
	s, err := p.session(ctx)
	if err != nil {
		return nil, err
	}
	if s.image == nil {
		return nil, cloud.Invalid(op, errNoGlance.Error())
	}
	return s, nil
}

// UpdateImageProperties patches visibility and protection in one call,
// then adds and removes tags one by one (PUT and DELETE are idempotent in
// effect; a tag already gone answers 404, which is success here).
func (p *Provider) UpdateImageProperties(ctx context.Context, id string, u cloud.PropertyUpdate) error {
	s, err := p.glance(ctx, cloud.OpUpdateImage)
	if err != nil {
		return err
	}
	var patch images.UpdateOpts
	if u.Visibility != "" {
		patch = append(patch, images.UpdateVisibility{Visibility: images.ImageVisibility(u.Visibility)})
	}
	if u.Protected != nil {
		patch = append(patch, images.ReplaceImageProtected{NewProtected: *u.Protected})
	}
	if len(patch) > 0 {
		if err := images.Update(ctx, s.image, url.PathEscape(id), patch).Err; err != nil {
			return p.fail(cloud.OpUpdateImage, err)
		}
	}
	for _, tag := range u.AddTags {
		_, err := s.image.Put(ctx, tagURL(s, id, tag), nil, nil, &gophercloud.RequestOpts{OkCodes: []int{204}})
		if err != nil {
			return p.fail(cloud.OpUpdateImage, err)
		}
	}
	for _, tag := range u.RemoveTags {
		_, err := s.image.Delete(ctx, tagURL(s, id, tag), &gophercloud.RequestOpts{OkCodes: []int{204}})
		if err = p.fail(cloud.OpUpdateImage, err); err != nil && !cloud.IsNotFound(err) {
			return err
		}
	}
	return nil
}

func tagURL(s *session, id, tag string) string {
	return s.image.ServiceURL("images", url.PathEscape(id), "tags", url.PathEscape(tag))
}

// ListMembers lists the image's members with their status.
func (p *Provider) ListMembers(ctx context.Context, id string) ([]cloud.Member, error) {
	s, err := p.glance(ctx, cloud.OpListMembers)
	if err != nil {
		return nil, err
	}
	page, err := members.List(s.image, url.PathEscape(id)).AllPages(ctx)
	if err != nil {
		return nil, p.fail(cloud.OpListMembers, err)
	}
	ms, err := members.ExtractMembers(page)
	if err != nil {
		return nil, p.fail(cloud.OpListMembers, err)
	}
	out := make([]cloud.Member, 0, len(ms))
	for _, m := range ms {
		out = append(out, cloud.Member{Project: m.MemberID, Status: cloud.MemberStatus(m.Status)})
	}
	return out, nil
}

// AddMember shares the image; Glance's 409 "duplicated" means a repeated
// call already did.
func (p *Provider) AddMember(ctx context.Context, id, project string) error {
	s, err := p.glance(ctx, cloud.OpAddMember)
	if err != nil {
		return err
	}
	err = p.fail(cloud.OpAddMember, members.Create(ctx, s.image, url.PathEscape(id), project).Err)
	return cloud.MemberAdded(err)
}

// RemoveMember unshares the image; a member already gone is success.
func (p *Provider) RemoveMember(ctx context.Context, id, project string) error {
	s, err := p.glance(ctx, cloud.OpRemoveMember)
	if err != nil {
		return err
	}
	err = p.fail(cloud.OpRemoveMember, members.Delete(ctx, s.image, url.PathEscape(id), url.PathEscape(project)).Err)
	if cloud.IsNotFound(err) {
		return nil
	}
	return err
}

// AcceptShare sets this project's membership of the image to accepted:
// PUT /v2/images/{id}/members/{own project}.
func (p *Provider) AcceptShare(ctx context.Context, id string) error {
	s, err := p.glance(ctx, cloud.OpAcceptShare)
	if err != nil {
		return err
	}
	project := p.s.projectID
	if project == "" {
		if res, ok := s.provider.GetAuthResult().(tokens3.CreateResult); ok {
			if pr, err := res.ExtractProject(); err == nil && pr != nil {
				project = pr.ID
			}
		}
	}
	if project == "" {
		return cloud.Invalid(cloud.OpAcceptShare, "the token names no project to accept the share for")
	}
	err = members.Update(ctx, s.image, url.PathEscape(id), url.PathEscape(project), members.UpdateOpts{Status: string(cloud.MemberAccepted)}).Err
	return p.fail(cloud.OpAcceptShare, err)
}

// glanceProps are the image fields this file keeps (shared with the
// Rackspace Cloud Images driver).
type glanceProps = cloud.GlanceProps
