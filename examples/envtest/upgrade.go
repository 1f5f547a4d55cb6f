// Package upgrade is an example of a user's controller built on
// serverimage-operator, and of its test (upgrade_test.go) with
// pkg/testkit and pkg/fakecloud.
//
// A platform team upgrades servers. Before one is upgraded it must be
// snapshotted: the upgrade may only start once the image is Ready. An
// upgrade is requested with a ConfigMap labelled example.com/upgrade
// naming the server; this controller makes a ServerImage of it and moves
// the ConfigMap's phase from Snapshotting to Upgrading, with the image's
// ID, once the ServerImage is Ready.
package upgrade

import (
	"context"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/predicate"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
)

// The upgrade request's label and keys.
const (
	Label       = "example.com/upgrade"
	KeyServerID = "serverID"
	KeyPhase    = "phase"
	KeyImageID  = "imageID"

	PhaseSnapshotting = "Snapshotting"
	PhaseUpgrading    = "Upgrading"
)

// Reconciler snapshots a server before letting its upgrade proceed.
type Reconciler struct {
	client.Client
	// Cloud names the Cloud (in the request's namespace) to snapshot on.
	Cloud string
}

// Reconcile moves one upgrade request along.
func (r *Reconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	var cm corev1.ConfigMap
	if err := r.Get(ctx, req.NamespacedName, &cm); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	if cm.Data[KeyPhase] == PhaseUpgrading {
		return ctrl.Result{}, nil
	}
	si, err := r.snapshot(ctx, &cm)
	if err != nil {
		return ctrl.Result{}, err
	}
	phase, imageID := PhaseSnapshotting, ""
	if meta.IsStatusConditionTrue(si.Status.Conditions, imagesv1.ConditionReady) {
		phase, imageID = PhaseUpgrading, si.Status.ImageID
	}
	if cm.Data[KeyPhase] == phase {
		return ctrl.Result{}, nil
	}
	if cm.Data == nil {
		cm.Data = map[string]string{}
	}
	cm.Data[KeyPhase] = phase
	if imageID != "" {
		cm.Data[KeyImageID] = imageID
	}
	return ctrl.Result{}, r.Update(ctx, &cm)
}

// snapshot returns the request's ServerImage, creating it the first time.
func (r *Reconciler) snapshot(ctx context.Context, cm *corev1.ConfigMap) (*imagesv1.ServerImage, error) {
	si := &imagesv1.ServerImage{}
	err := r.Get(ctx, client.ObjectKey{Namespace: cm.Namespace, Name: cm.Name + "-before-upgrade"}, si)
	if !apierrors.IsNotFound(err) {
		return si, err
	}
	si = &imagesv1.ServerImage{
		ObjectMeta: metav1.ObjectMeta{Namespace: cm.Namespace, Name: cm.Name + "-before-upgrade"},
		Spec: imagesv1.ServerImageSpec{
			CloudRef: imagesv1.CloudReference{Name: r.Cloud},
			ServerID: cm.Data[KeyServerID],
		},
	}
	if err := controllerutil.SetControllerReference(cm, si, r.Scheme()); err != nil {
		return nil, err
	}
	return si, r.Create(ctx, si)
}

// SetupWithManager watches upgrade requests and their ServerImages.
func (r *Reconciler) SetupWithManager(mgr ctrl.Manager) error {
	requests, err := predicate.LabelSelectorPredicate(metav1.LabelSelector{
		MatchExpressions: []metav1.LabelSelectorRequirement{{Key: Label, Operator: metav1.LabelSelectorOpExists}},
	})
	if err != nil {
		return err
	}
	return ctrl.NewControllerManagedBy(mgr).
		For(&corev1.ConfigMap{}, builder.WithPredicates(requests)).
		Owns(&imagesv1.ServerImage{}).
		Named("upgrade").
		Complete(r)
}
