package controllers

import (
	"context"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
	"github.com/serverimage-operator/serverimage-operator/internal/policy"
)

func (f *failingProvider) GetVolumeSnapshot(context.Context, string) (*cloud.VolumeSnapshot, error) {
	return nil, f.err
}
func (f *failingProvider) DeleteVolumeSnapshot(context.Context, string) error { return f.err }

// volumeSnapshotStep runs the volume-snapshot step of the fault matrix on
// an active image holding one snapshot.
func volumeSnapshotStep(ctx context.Context, r *ServerImageReconciler, p *pass, step policy.Step) (reconcile.Result, error) {
	now := metav1.Now()
	p.si.Status.ActivatedTime = &now
	p.si.Status.VolumeSnapshots = []imagesv1.VolumeSnapshotStatus{{ID: "snap-1"}}
	if step == policy.VolumeSnapshots {
		return r.observeVolumeSnapshots(ctx, p)
	}
	res, _, err := r.deleteVolumeSnapshots(ctx, p)
	return res, err
}
