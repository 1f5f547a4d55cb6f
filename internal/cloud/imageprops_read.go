package cloud

import "context"

// Some clouds poll images through an API that carries no properties
// (Rackspace's Cloud Servers images: no tags, no protection) while another
// API of theirs has them. Their PropertySupport says PropsNeedImageRead,
// and GetImage reads the properties too when its context asks for them:
// only the property step asks, so objects that keep no properties never
// pay for the second read.

type imagePropsKey struct{}

// WithImageProps asks GetImage to return the image's properties
// (Image.PropsKnown), at the cost of another call where the cloud needs
// one.
func WithImageProps(ctx context.Context) context.Context {
	return context.WithValue(ctx, imagePropsKey{}, true)
}

// ImagePropsWanted reports whether ctx asks GetImage for the properties.
func ImagePropsWanted(ctx context.Context) bool {
	v, _ := ctx.Value(imagePropsKey{}).(bool)
	return v
}

// GlanceProps are the property fields of a Glance v2 image (OpenStack's
// Glance, Rackspace Cloud Images).
type GlanceProps struct {
	Tags       []string `json:"tags"`
	Visibility string   `json:"visibility"`
	Protected  bool     `json:"protected"`
}

// Props is g in the provider-neutral form.
func (g GlanceProps) Props() ImageProps {
	return ImageProps{PropsKnown: true, Tags: g.Tags, Visibility: Visibility(g.Visibility), Protected: g.Protected}
}

// GlanceMember is one entry of a Glance v2 member list.
type GlanceMember struct {
	MemberID string `json:"member_id"`
	Status   string `json:"status"`
}

// GlanceMembers converts a member list.
func GlanceMembers(ms []GlanceMember) []Member {
	out := make([]Member, 0, len(ms))
	for _, m := range ms {
		out = append(out, Member{Project: m.MemberID, Status: MemberStatus(m.Status)})
	}
	return out
}
