package controllers

import (
	"context"
	"strings"

	coordinationv1 "k8s.io/api/coordination/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
)

// +kubebuilder:rbac:groups=coordination.k8s.io,resources=leases,verbs=get;create;delete

// Two ServerImages with consistency Stopped on one server must not
// interleave, or one would start the server while the other's image is
// still being taken. Each takes a coordination.k8s.io Lease named for the
// server, in its namespace, before it records the stop intent, and gives
// it back once its server runs again and its image is settled. The Lease
// is taken by an optimistic create (the API server lets exactly one
// create win) and read live, never from a cache, so it holds across two
// replicas and stale informers. A Lease whose holder is gone, or holds no
// claim on the server any more, is deleted with preconditions and taken
// on the next pass.

// leaseHolderAnnotation names the holding ServerImage (HolderIdentity is
// its UID).
const leaseHolderAnnotation = "images.serverimage.dev/power-holder"

func powerLeaseName(serverID string) string {
	return "serverimage-power-" + strings.ToLower(serverID)
}

// takeLease takes the server's lease for si, or returns the name of the
// ServerImage that holds it.
func (r *ServerImageReconciler) takeLease(ctx context.Context, p *pass) (string, error) {
	si := p.si
	uid := string(si.UID)
	now := metav1.NewMicroTime(r.now())
	lease := &coordinationv1.Lease{
		ObjectMeta: metav1.ObjectMeta{Namespace: si.Namespace, Name: powerLeaseName(si.Spec.ServerID),
			Annotations: map[string]string{leaseHolderAnnotation: si.Name}},
		Spec: coordinationv1.LeaseSpec{HolderIdentity: &uid, AcquireTime: &now},
	}
	err := r.Create(ctx, lease)
	if err == nil || !apierrors.IsAlreadyExists(err) {
		return "", err
	}
	held := &coordinationv1.Lease{}
	if err := r.APIReader.Get(ctx, client.ObjectKeyFromObject(lease), held); err != nil {
		return "", client.IgnoreNotFound(err)
	}
	if held.Spec.HolderIdentity != nil && *held.Spec.HolderIdentity == uid {
		return "", nil
	}
	holder := held.Annotations[leaseHolderAnnotation]
	if r.holderGone(ctx, si.Namespace, holder, held.Spec.HolderIdentity) {
		err := r.Delete(ctx, held, client.Preconditions{UID: &held.UID, ResourceVersion: &held.ResourceVersion})
		if err != nil && !apierrors.IsNotFound(err) && !apierrors.IsConflict(err) {
			return "", err
		}
	}
	return holder, nil
}

// holderGone reports whether the lease's holder no longer has a claim: it
// was deleted (and re-created under another UID), or it owes its server
// nothing and its image is settled.
func (r *ServerImageReconciler) holderGone(ctx context.Context, ns, name string, uid *string) bool {
	other := &imagesv1.ServerImage{}
	if err := r.APIReader.Get(ctx, types.NamespacedName{Namespace: ns, Name: name}, other); err != nil {
		return apierrors.IsNotFound(err)
	}
	if uid == nil || string(other.UID) != *uid {
		return true
	}
	pw := other.Status.Power
	return other.DeletionTimestamp.IsZero() && pw != nil && !pw.Owed() && imageSettled(other)
}

// releaseLease gives the server's lease back if si holds it.
func (r *ServerImageReconciler) releaseLease(ctx context.Context, si *imagesv1.ServerImage) error {
	if si.Spec.ServerID == "" || si.Spec.Consistency != imagesv1.ConsistencyStopped {
		return nil
	}
	held := &coordinationv1.Lease{}
	err := r.APIReader.Get(ctx, types.NamespacedName{Namespace: si.Namespace, Name: powerLeaseName(si.Spec.ServerID)}, held)
	if err != nil {
		return client.IgnoreNotFound(err)
	}
	if held.Spec.HolderIdentity == nil || *held.Spec.HolderIdentity != string(si.UID) {
		return nil
	}
	err = r.Delete(ctx, held, client.Preconditions{UID: &held.UID, ResourceVersion: &held.ResourceVersion})
	if apierrors.IsNotFound(err) || apierrors.IsConflict(err) {
		return nil
	}
	return err
}
