package controllers

import (
	"context"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
)

// readPropsSeparately: on a cloud whose poll read carries no properties
// (Capabilities.Properties.PropsNeedImageRead), the property step reads
// the image itself, asking GetImage for them; the poller's read, which
// lacks them, is set aside. The poller wakes such objects once per drift
// pass (poller_props.go), so drift costs one read per pass for objects
// that keep properties and nothing for the others.
func readPropsSeparately(ctx context.Context, img *cloud.Image) (context.Context, *cloud.Image) {
	if img != nil && !img.PropsKnown {
		img = nil
	}
	return cloud.WithImageProps(ctx), img
}
