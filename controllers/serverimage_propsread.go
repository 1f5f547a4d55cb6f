package controllers

import (
	"context"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
)

// readsPropsSeparately: on a cloud whose poll read carries no properties
// (Capabilities.Properties.PropsNeedImageRead: Rackspace, Huawei's tags),
// an object that keeps tags, visibility or protection has the property
// step read the image itself, asking GetImage for them, and sets the
// poller's read aside. The poller wakes such objects once per drift pass
// (poller_props.go), so drift costs one read per pass for them; objects
// that only share, or keep nothing, make no extra call.
func readsPropsSeparately(si *imagesv1.ServerImage, caps cloud.PropertySupport) bool {
	if !caps.PropsNeedImageRead {
		return false
	}
	sp, st := si.Spec.ImageProperties, si.Status.Properties
	return len(sp.Tags) > 0 || sp.Visibility != "" || sp.Protected != nil ||
		(st != nil && (len(st.OwnedTags) > 0 || st.OwnedProtected || st.OwnedVisibility))
}

// withPropsRead asks GetImage for the properties and drops a read that
// lacks them.
func withPropsRead(ctx context.Context, img *cloud.Image) (context.Context, *cloud.Image) {
	if img != nil && !img.PropsKnown {
		img = nil
	}
	return cloud.WithImageProps(ctx), img
}
