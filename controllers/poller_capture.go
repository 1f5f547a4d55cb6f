package controllers

import (
	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
)

// The capture signal costs the poller no call: where the image's own
// status shows the upload (Capabilities.Power.Capture CaptureAtUpload:
// Glance's saving), the reads it makes anyway see it, and it wakes the
// object once, on the first read that does, so that Captured is set one
// status write later. Other in-progress steps wake nobody, as before.

// wantsCaptureWake: the object has no capture recorded and its cloud's
// image status carries the signal.
func wantsCaptureWake(si *imagesv1.ServerImage, caps cloud.Capabilities) bool {
	return si.Status.CapturedAt == nil && caps.Power.Capture == cloud.CaptureAtUpload
}

// uploadStarted reports, once, that a watched image reads Pending.
func uploadStarted(t *trackedImage, img *cloud.Image) bool {
	if !t.captureWake || img.Phase != cloud.PhasePending {
		return false
	}
	t.captureWake = false
	return true
}
