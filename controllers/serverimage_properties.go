package controllers

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
	"github.com/serverimage-operator/serverimage-operator/internal/policy"
)

// The image after it exists: tags, visibility and protection (this file)
// and members (serverimage_sharing.go), applied once the image is active,
// again on each spec change, and put back when the drift check finds them
// changed.
//
// Ownership: the operator removes only the tags and members it added, and
// undoes only the protection and visibility it set; what it added is in
// status.properties (owned*), recorded before the call that adds it, so a
// crash between the record and the call leaves a harmless entry (the next
// pass adds it or, if no longer wanted, removes what is not there).

// usesProperties reports whether the object has anything to keep: a field
// in the spec, or something the operator added to undo. Objects without
// either cost no call here.
func usesProperties(si *imagesv1.ServerImage) bool {
	return specUsesProperties(si) || si.Status.Properties != nil
}

// refuseUnsupported stops an object whose spec asks for a property the
// Cloud's provider cannot keep, before any cloud call.
func refuseUnsupported(p *pass) bool {
	si := p.si
	if !usesProperties(si) {
		return false
	}
	var field string
	sp, caps := si.Spec.ImageProperties, p.prov.Capabilities().Properties
	switch {
	case len(sp.Tags) > 0 && !caps.Tags:
		field = "spec.tags"
	case caps.MaxTags > 0 && len(sp.Tags) > caps.MaxTags:
		field = fmt.Sprintf("more than %d spec.tags", caps.MaxTags)
	case sp.Visibility != "" && !caps.CanSetVisibility(cloud.Visibility(sp.Visibility)):
		field = "spec.visibility " + string(sp.Visibility)
	case sp.Protected != nil && !caps.Protected:
		field = "spec.protected"
	case len(sp.Sharing) > 0 && !caps.Sharing:
		field = "spec.sharing"
	case slices.ContainsFunc(sp.Sharing, func(c imagesv1.ImageConsumer) bool { return c.CloudRef != nil }) && !caps.AcceptShare:
		field = "spec.sharing[].cloudRef (accepting a share)"
	default:
		return false
	}
	setStalled(&si.Status.Conditions, si.Generation, imagesv1.ReasonUnsupportedImageProperty, fmt.Sprintf(
		"provider %s (Cloud %q) does not support %s; remove it from the spec (see docs/providers)", p.cloud.Spec.Provider, p.cloud.Name, field))
	return true
}

// wantedVisibility is the visibility to keep: the spec's, else shared when
// members need it, else none (leave the cloud's), or private again when
// the operator had changed it.
func wantedVisibility(si *imagesv1.ServerImage, caps cloud.PropertySupport) cloud.Visibility {
	sp := si.Spec.ImageProperties
	switch {
	case sp.Visibility != "":
		return cloud.Visibility(sp.Visibility)
	case len(sp.Sharing) > 0 && caps.SharingNeedsShared:
		return cloud.VisibilityShared
	case si.Status.Properties != nil && si.Status.Properties.OwnedVisibility:
		return cloud.VisibilityPrivate
	}
	return ""
}

// propertyUpdate works out what to change on img, and records in st what
// the operator is about to add.
func propertyUpdate(si *imagesv1.ServerImage, img *cloud.Image, caps cloud.PropertySupport) cloud.PropertyUpdate {
	st, sp := si.Status.Properties, si.Spec.ImageProperties
	var u cloud.PropertyUpdate
	want := make([]string, 0, len(sp.Tags))
	for _, t := range sp.Tags {
		want = append(want, string(t))
		if !slices.Contains(img.Tags, string(t)) {
			u.AddTags = append(u.AddTags, string(t))
		}
	}
	for _, t := range st.OwnedTags {
		if !slices.Contains(want, t) && slices.Contains(img.Tags, t) {
			u.RemoveTags = append(u.RemoveTags, t)
		}
	}
	if v := wantedVisibility(si, caps); v != "" && v != img.Visibility {
		u.Visibility = v
	}
	switch {
	case sp.Protected != nil && *sp.Protected != img.Protected:
		u.Protected = sp.Protected
	case sp.Protected == nil && st.OwnedProtected && img.Protected:
		u.Protected = new(bool)
	}
	return u
}

// syncProperties keeps the active image's properties and members as the
// spec says. obs is the poller's latest read (nil when there is none);
// a read older than the operator's last change is not trusted.
func (r *ServerImageReconciler) syncProperties(ctx context.Context, p *pass, obs *observation, res reconcile.Result) (reconcile.Result, error) {
	si := p.si
	if !usesProperties(si) || !isReady(si) {
		return res, nil
	}
	if si.Status.Properties == nil {
		si.Status.Properties = &imagesv1.ImagePropertiesStatus{}
	}
	st := si.Status.Properties
	var img *cloud.Image
	if obs != nil && obs.image != nil && (st.AppliedTime == nil || obs.at.After(st.AppliedTime.Time)) {
		img = obs.image
	}
	drift := st.ObservedGeneration == si.Generation
	caps := p.prov.Capabilities().Properties
	ownRead := readsPropsSeparately(si, caps)
	if ownRead {
		ctx, img = withPropsRead(ctx, img)
	}
	if drift && !r.membersDue(si) && !ownRead && len(st.MemberJobs) == 0 && (img == nil || !img.PropsKnown || recordedAs(st, img)) {
		return res, nil
	}
	if img == nil {
		fresh, err := p.prov.GetImage(ctx, si.Status.ImageID)
		if err != nil {
			return fail(&si.Status.Conditions, si.Generation, policy.Properties, err, "")
		}
		img = fresh
	}
	u := propertyUpdate(si, img, caps)
	if err := r.recordIntent(ctx, p, u); err != nil {
		return res, err
	}
	toShared := u.Visibility == cloud.VisibilityShared
	if err := r.updateProps(ctx, p, img, u, toShared); err != nil {
		return fail(&si.Status.Conditions, si.Generation, policy.Properties, err, "")
	}
	restored, res2, err := r.syncMembers(ctx, p)
	if err != nil {
		return res2, err
	}
	if !toShared && u.Visibility != "" {
		if err := r.updateProps(ctx, p, img, cloud.PropertyUpdate{Visibility: u.Visibility}, true); err != nil {
			return fail(&si.Status.Conditions, si.Generation, policy.Properties, err, "")
		}
	}
	recordProps(st, img, u)
	if !u.Empty() {
		st.AppliedTime = &metav1.Time{Time: r.now()}
	}
	if drift && (!u.Empty() || restored != "") {
		r.Recorder.Eventf(si, nil, "Warning", "PropertiesRestored", "UpdateImage",
			"image %s had changed in the cloud; put back: %s", si.Status.ImageID, describeUpdate(u, restored))
	}
	st.ObservedGeneration = si.Generation
	if len(st.OwnedTags) == 0 && len(st.OwnedMembers) == 0 && !st.OwnedProtected && !st.OwnedVisibility && !specUsesProperties(si) {
		si.Status.Properties = nil
	}
	return res, nil
}

func specUsesProperties(si *imagesv1.ServerImage) bool {
	sp := si.Spec.ImageProperties
	return len(sp.Tags) > 0 || sp.Visibility != "" || sp.Protected != nil || len(sp.Sharing) > 0
}

// updateProps sends u, except the visibility unless withVisibility (a
// visibility away from shared goes after the members are removed).
func (r *ServerImageReconciler) updateProps(ctx context.Context, p *pass, img *cloud.Image, u cloud.PropertyUpdate, withVisibility bool) error {
	if !withVisibility {
		u.Visibility = ""
	}
	if u.Empty() {
		return nil
	}
	return p.prov.UpdateImageProperties(ctx, img.ID, u)
}

// recordIntent writes what the operator is about to add into the status
// before the calls that add it.
func (r *ServerImageReconciler) recordIntent(ctx context.Context, p *pass, u cloud.PropertyUpdate) error {
	st := p.si.Status.Properties
	before := p.si.DeepCopy()
	for _, t := range u.AddTags {
		if !slices.Contains(st.OwnedTags, t) {
			st.OwnedTags = append(st.OwnedTags, t)
		}
	}
	if u.Protected != nil && *u.Protected {
		st.OwnedProtected = true
	}
	if u.Visibility != "" && u.Visibility != cloud.VisibilityPrivate {
		st.OwnedVisibility = true
	}
	return r.writePropertiesIntent(ctx, p, before)
}

// writePropertiesIntent patches the status's properties when the intent changed
// them, on top of what the pass read (the rest of this pass's status is
// written by finish, which diffs against the patched object).
func (r *ServerImageReconciler) writePropertiesIntent(ctx context.Context, p *pass, before *imagesv1.ServerImage) error {
	if equality.Semantic.DeepEqual(before.Status.Properties, p.si.Status.Properties) {
		return nil
	}
	// The new baseline keeps the pass's metadata (resourceVersion above
	// all: finish's patch must not carry a stale one as a precondition)
	// and the status as the server now has it.
	written := p.orig.DeepCopy()
	written.Status.Properties = p.si.Status.Properties.DeepCopy()
	if err := r.Status().Patch(ctx, written.DeepCopy(), client.MergeFrom(p.orig)); err != nil {
		return err
	}
	p.orig = written
	return nil
}

// recordedAs reports whether the status shows the image's properties as
// img has them: anything else is drift (or a change not recorded yet).
func recordedAs(st *imagesv1.ImagePropertiesStatus, img *cloud.Image) bool {
	return recordedKey(st) == propsKey(img.Tags, string(img.Visibility), img.Protected)
}

// recordedKey is the status's view of the image's properties as propsKey.
func recordedKey(st *imagesv1.ImagePropertiesStatus) string {
	return propsKey(st.Tags, st.Visibility, st.Protected != nil && *st.Protected)
}

func propsKey(tags []string, vis string, protected bool) string {
	t := slices.Clone(tags)
	slices.Sort(t)
	return fmt.Sprintf("%s|%s|%t", strings.Join(t, ","), vis, protected)
}

// recordProps records the image's properties as they are after u.
func recordProps(st *imagesv1.ImagePropertiesStatus, img *cloud.Image, u cloud.PropertyUpdate) {
	if !img.PropsKnown {
		return // a cloud that keeps members only (Huawei)
	}
	tags := slices.DeleteFunc(slices.Clone(img.Tags), func(t string) bool { return slices.Contains(u.RemoveTags, t) })
	for _, t := range u.AddTags {
		if !slices.Contains(tags, t) {
			tags = append(tags, t)
		}
	}
	slices.Sort(tags)
	st.Tags = tags
	st.OwnedTags = slices.DeleteFunc(st.OwnedTags, func(t string) bool { return slices.Contains(u.RemoveTags, t) })
	st.Visibility = string(img.Visibility)
	if u.Visibility != "" {
		st.Visibility = string(u.Visibility)
	}
	if st.Visibility == string(cloud.VisibilityPrivate) {
		// Nothing left to undo (a pass on a stale read may find the image
		// already put back).
		st.OwnedVisibility = false
	}
	protected := img.Protected
	if u.Protected != nil {
		protected = *u.Protected
	}
	st.Protected = &protected
	if !protected {
		st.OwnedProtected = false
	}
}

func describeUpdate(u cloud.PropertyUpdate, members string) string {
	var parts []string
	if len(u.AddTags) > 0 {
		parts = append(parts, "tags "+strings.Join(u.AddTags, ", "))
	}
	if len(u.RemoveTags) > 0 {
		parts = append(parts, "removed tags "+strings.Join(u.RemoveTags, ", "))
	}
	if u.Visibility != "" {
		parts = append(parts, "visibility "+string(u.Visibility))
	}
	if u.Protected != nil {
		parts = append(parts, fmt.Sprintf("protected %t", *u.Protected))
	}
	if members != "" {
		parts = append(parts, members)
	}
	return strings.Join(parts, "; ")
}

// membersDue: the object shares the image and its members were not
// listed for half a drift interval (the poller wakes such objects on
// every drift pass).
func (r *ServerImageReconciler) membersDue(si *imagesv1.ServerImage) bool {
	st := si.Status.Properties
	if len(si.Spec.Sharing) == 0 && len(st.OwnedMembers) == 0 {
		return false
	}
	return st.LastMembersCheckTime == nil || r.now().Sub(st.LastMembersCheckTime.Time) >= r.poller.drift/2
}
