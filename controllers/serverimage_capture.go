package controllers

import (
	"fmt"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
)

// The Captured condition: the moment the server's disk was captured, for
// every ServerImage, from what the pass has read anyway. No signal costs a
// call of its own:
//   - the image active (every cloud; the only signal where the cloud gives
//     no earlier one);
//   - CaptureAtUpload (Glance): the poller's read shows the image Pending
//     (saving), which only follows the capture; the poller wakes the
//     object once for it (poller_capture.go);
//   - a volume-backed server (known from the server read of consistency
//     Stopped, on clouds with VolumeBackedStartsAtOnce): the create's 202;
//   - the server reads of consistency Stopped while it waits to start:
//     CaptureAtServerUpload (Rackspace's image_pending_upload and
//     image_uploading), and on StartAfterTaskClears clouds the snapshot
//     task cleared.

// noteCaptured records the signals that need no server read.
func (r *ServerImageReconciler) noteCaptured(p *pass) {
	si := p.si
	if si.Status.CapturedAt != nil || si.Status.ImageID == "" || p.prov == nil {
		return
	}
	caps := p.prov.Capabilities().Power
	pw := si.Status.Power
	switch {
	case si.Status.ActivatedTime != nil:
		r.captured(si, si.Status.ActivatedTime.Time, "the image is active")
	case pw != nil && pw.VolumeBacked && caps.VolumeBackedStartsAtOnce && si.Status.CreateRequestedTime != nil:
		r.captured(si, si.Status.CreateRequestedTime.Time, "the server boots from a volume, which the cloud snapshots within the image request")
	case caps.Capture == cloud.CaptureAtUpload && p.cloud != nil:
		obs, ok := r.poller.latest(p.cloud.UID, si.Status.ImageID, 2*pollIntervalOf(p.cloud))
		if ok && obs.err == nil && obs.image != nil && obs.image.Phase == cloud.PhasePending {
			r.captured(si, obs.at, fmt.Sprintf("the image is uploading (%s), which begins once the disk is captured", obs.image.Status))
		}
	}
}

// captureFromServer records the signals a server read carries.
func (r *ServerImageReconciler) captureFromServer(p *pass, srv *cloud.Server) {
	si := p.si
	if si.Status.CapturedAt != nil || si.Status.ImageID == "" {
		return
	}
	caps := p.prov.Capabilities().Power
	switch {
	case caps.Capture == cloud.CaptureAtServerUpload && srv.Snapshot == cloud.StageUploading:
		r.captured(si, r.now(), fmt.Sprintf("the server reports the snapshot taken and uploading (%s)", srv.Status))
	case caps.StartAfter == cloud.StartAfterTaskClears && srv.Snapshot == cloud.StageNone && srv.Readiness == cloud.ServerIdle:
		r.captured(si, r.now(), "the server's snapshot task has cleared")
	}
}

// captured sets the Captured condition and status.capturedAt, once.
func (r *ServerImageReconciler) captured(si *imagesv1.ServerImage, at time.Time, how string) {
	t := metav1.NewTime(at)
	si.Status.CapturedAt = &t
	set(&si.Status.Conditions, si.Generation, imagesv1.ConditionCaptured, metav1.ConditionTrue, imagesv1.ReasonDiskCaptured,
		fmt.Sprintf("the disk of server %s is captured in image %s: %s", si.Spec.ServerID, si.Status.ImageID, how))
	r.Recorder.Eventf(si, nil, "Normal", imagesv1.ReasonDiskCaptured, "CaptureImage", "disk of server %s captured: %s", si.Spec.ServerID, how)
}
