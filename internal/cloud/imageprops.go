package cloud

import (
	"context"
	"net/http"
	"slices"
)

// What an image is after it exists: tags, visibility, protection and the
// projects it is shared with. Values are normalised here; each driver maps
// its cloud's words in and out.

// Operation names of the image-property and sharing calls.
const (
	OpUpdateImage  = "updateImage"
	OpListMembers  = "listMembers"
	OpAddMember    = "addMember"
	OpRemoveMember = "removeMember"
	OpAcceptShare  = "acceptShare"
)

// Visibility is who may see an image.
type Visibility string

const (
	VisibilityPrivate   Visibility = "private"
	VisibilityShared    Visibility = "shared"
	VisibilityCommunity Visibility = "community"
	// VisibilityPublic is only ever read (an admin made it so); it is never
	// requested.
	VisibilityPublic Visibility = "public"
)

// MemberStatus is a consumer's answer to a share.
type MemberStatus string

const (
	MemberPending  MemberStatus = "pending"
	MemberAccepted MemberStatus = "accepted"
	MemberRejected MemberStatus = "rejected"
)

// ImageProps are the properties a batched image read returns along with
// the status, so checking them for drift costs no extra call.
type ImageProps struct {
	// PropsKnown: the read carried these fields (a Glance image does; the
	// Nova images proxy does not).
	PropsKnown bool
	Tags       []string
	Visibility Visibility
	Protected  bool
}

// PropertySupport says which image properties a cloud lets the operator
// keep. The reconciler refuses a spec field the cloud does not support
// before any call.
type PropertySupport struct {
	// Tags: plain tags can be added and removed; MaxTags bounds them per
	// image (0: the cloud's quota is large enough not to check).
	Tags    bool
	MaxTags int
	// Visibilities that can be requested.
	Visibilities []Visibility
	// Protected can be set and cleared.
	Protected bool
	// Sharing: members can be listed, added and removed.
	Sharing bool
	// SharingNeedsShared: members can only be added to an image whose
	// visibility is shared.
	SharingNeedsShared bool
	// AcceptShare: a consumer's Provider can accept a share.
	AcceptShare bool
	// PropsNeedImageRead: the batched image read carries no properties;
	// GetImage under WithImageProps reads them (imageprops_read.go).
	PropsNeedImageRead bool
	// MemberJobs: AddMember and RemoveMember return *JobStarted, and
	// GetJob reads the job (memberjobs.go).
	MemberJobs bool
}

// CanSetVisibility reports whether v can be requested.
func (s PropertySupport) CanSetVisibility(v Visibility) bool {
	return slices.Contains(s.Visibilities, v)
}

// PropertyUpdate changes an image's properties in as few calls as the
// cloud allows. Each part is idempotent: adding a tag already there or
// removing one that is gone is not an error.
type PropertyUpdate struct {
	AddTags, RemoveTags []string
	// Visibility "" leaves it alone.
	Visibility Visibility
	// Protected nil leaves it alone.
	Protected *bool
}

// Empty reports whether the update changes nothing.
func (u PropertyUpdate) Empty() bool {
	return len(u.AddTags) == 0 && len(u.RemoveTags) == 0 && u.Visibility == "" && u.Protected == nil
}

// Member is one project (account) an image is shared with.
type Member struct {
	Project string
	Status  MemberStatus
}

// ImagePropertyUpdater changes tags, visibility and protection.
type ImagePropertyUpdater interface {
	UpdateImageProperties(ctx context.Context, imageID string, u PropertyUpdate) error
}

// ImageMembers lists, adds and removes the projects an image is shared
// with. AddMember on a member already there and RemoveMember on one that
// is gone are not errors, so a repeated step does no harm.
type ImageMembers interface {
	ListMembers(ctx context.Context, imageID string) ([]Member, error)
	AddMember(ctx context.Context, imageID, project string) error
	RemoveMember(ctx context.Context, imageID, project string) error
}

// ShareAcceptor accepts, as the consumer, an image shared with its own
// project. Accepting twice is not an error.
type ShareAcceptor interface {
	AcceptShare(ctx context.Context, imageID string) error
}

// NoImageProperties is embedded by drivers whose cloud (or setup) keeps no
// image properties; Capabilities().Properties is then empty and the
// reconciler never calls these.
type NoImageProperties struct{ NoJobs }

func noProps(op string) error {
	return &Error{Class: ClassInvalid, Op: op, Message: "this cloud does not support image properties or sharing through the operator"}
}

func (NoImageProperties) UpdateImageProperties(context.Context, string, PropertyUpdate) error {
	return noProps(OpUpdateImage)
}
func (NoImageProperties) ListMembers(context.Context, string) ([]Member, error) {
	return nil, noProps(OpListMembers)
}
func (NoImageProperties) AddMember(context.Context, string, string) error {
	return noProps(OpAddMember)
}
func (NoImageProperties) RemoveMember(context.Context, string, string) error {
	return noProps(OpRemoveMember)
}
func (NoImageProperties) AcceptShare(context.Context, string) error { return noProps(OpAcceptShare) }

// MemberAdded is err from adding a member, with 409 (already a member)
// taken as success: a repeated call already added it.
func MemberAdded(err error) error {
	if ce := AsError(OpAddMember, err); ce != nil && ce.HTTPStatus == http.StatusConflict {
		return nil
	}
	return err
}
