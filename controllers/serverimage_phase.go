package controllers

import (
	"k8s.io/apimachinery/pkg/api/meta"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
)

// phaseOf sums the status up in one word for kubectl get, from the status
// alone.
func phaseOf(si *imagesv1.ServerImage) imagesv1.ServerImagePhase {
	pw := si.Status.Power
	switch {
	case !si.DeletionTimestamp.IsZero():
		return imagesv1.PhaseDeleting
	case pw.Owed() && pw.State == imagesv1.PowerStopping:
		return imagesv1.PhaseStopping
	case pw.Owed() && (pw.State == imagesv1.PowerStarting || stalled(si) || si.Status.ActivatedTime != nil):
		return imagesv1.PhaseStarting
	case meta.IsStatusConditionTrue(si.Status.Conditions, imagesv1.ConditionReady):
		return imagesv1.PhaseReady
	case stalled(si):
		return imagesv1.PhaseFailed
	case si.Status.ImageID == "":
		return imagesv1.PhasePending
	case si.Status.CapturedAt == nil:
		return imagesv1.PhaseCapturing
	}
	return imagesv1.PhaseUploading
}
