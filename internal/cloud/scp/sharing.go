package scp

import (
	"context"
	"net/http"
	"net/url"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
)

// SCP keeps visibility (private or shared) and protection with
// PUT /v1/images/{id}, and members, which are accounts, under
// /v1/images/{id}/members (the image must be shared). Tags live in the
// separate Resource Manager API and are not kept here. The consumer
// accepts with PUT .../members/{its account}, so its Secret needs
// accountId.

func propertySupport() cloud.PropertySupport {
	return cloud.PropertySupport{
		Visibilities:       []cloud.Visibility{cloud.VisibilityPrivate, cloud.VisibilityShared},
		Protected:          true,
		Sharing:            true,
		SharingNeedsShared: true,
		AcceptShare:        true,
	}
}

// scpProps are the ImageShowResponse fields kept here.
type scpProps struct {
	Visibility string `json:"visibility"`
	Protected  bool   `json:"protected"`
}

func (s scpProps) props() cloud.ImageProps {
	return cloud.ImageProps{PropsKnown: true, Visibility: cloud.Visibility(s.Visibility), Protected: s.Protected}
}

// imageSetRequest is ImageSetRequest: every field nullable, absent ones
// unchanged.
type imageSetRequest struct {
	Visibility *string `json:"visibility,omitempty"`
	Protected  *bool   `json:"protected,omitempty"`
}

// UpdateImageProperties sets visibility and protection in one PUT.
func (p *Provider) UpdateImageProperties(ctx context.Context, id string, u cloud.PropertyUpdate) error {
	if len(u.AddTags)+len(u.RemoveTags) > 0 {
		return cloud.Invalid(cloud.OpUpdateImage, "Samsung Cloud Platform image tags are not supported")
	}
	req := imageSetRequest{Protected: u.Protected}
	if u.Visibility != "" {
		v := string(u.Visibility)
		req.Visibility = &v
	}
	if req.Visibility == nil && req.Protected == nil {
		return nil
	}
	return p.call(ctx, cloud.OpUpdateImage, http.MethodPut, "/v1/images/"+url.PathEscape(id), nil, req, nil)
}

type scpMember struct {
	MemberID string `json:"member_id"`
	Status   string `json:"status"`
}

// ListMembers lists the accounts the image is shared with.
func (p *Provider) ListMembers(ctx context.Context, id string) ([]cloud.Member, error) {
	var body struct {
		Members []scpMember `json:"members"`
	}
	if err := p.call(ctx, cloud.OpListMembers, http.MethodGet, membersPath(id), nil, nil, &body); err != nil {
		return nil, err
	}
	out := make([]cloud.Member, 0, len(body.Members))
	for _, m := range body.Members {
		out = append(out, cloud.Member{Project: m.MemberID, Status: cloud.MemberStatus(m.Status)})
	}
	return out, nil
}

// AddMember shares the image with an account; 409 (already a member)
// means a repeated call already did.
func (p *Provider) AddMember(ctx context.Context, id, account string) error {
	err := p.call(ctx, cloud.OpAddMember, http.MethodPost, membersPath(id), nil, scpMember{MemberID: account}, nil)
	return cloud.MemberAdded(err)
}

// RemoveMember unshares the image; a member already gone is success.
func (p *Provider) RemoveMember(ctx context.Context, id, account string) error {
	err := p.call(ctx, cloud.OpRemoveMember, http.MethodDelete, membersPath(id)+"/"+url.PathEscape(account), nil, nil, nil)
	if cloud.IsNotFound(err) {
		return nil
	}
	return err
}

func membersPath(id string) string { return "/v1/images/" + url.PathEscape(id) + "/members" }

// AcceptShare accepts, as the consumer account, an image shared with it.
func (p *Provider) AcceptShare(ctx context.Context, id string) error {
	if p.s.creds.accountID == "" {
		return cloud.Invalid(cloud.OpAcceptShare, "accepting a share needs the consumer's account ID: set accountId in its Cloud's Secret")
	}
	body := struct {
		Status string `json:"status"`
	}{string(cloud.MemberAccepted)}
	return p.call(ctx, cloud.OpAcceptShare, http.MethodPut, membersPath(id)+"/"+url.PathEscape(p.s.creds.accountID), nil, body, nil)
}
