package controllers

import (
	"context"
	"fmt"

	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
	"github.com/serverimage-operator/serverimage-operator/internal/policy"
)

// importImage adopts the image named in spec.import.
func (r *ServerImageReconciler) importImage(ctx context.Context, p *pass) (reconcile.Result, error) {
	si := p.si
	id := si.Spec.Import.ImageID
	img, err := p.prov.GetImage(ctx, id)
	if err != nil {
		msg := fmt.Sprintf("reading image %s to import from Cloud %s: %v", id, p.cloud.Name, err)
		if cloud.IsNotFound(err) {
			msg = fmt.Sprintf("image %s to import does not exist in Cloud %s: %v", id, p.cloud.Name, err)
		}
		return fail(&si.Status.Conditions, si.Generation, policy.Import, err, msg)
	}
	si.Status.ImageID = img.ID
	si.Status.ImageName = img.Name
	return r.withVolumeSnapshots(ctx, p, img, r.applyImage(si, img, p.cloud))
}
