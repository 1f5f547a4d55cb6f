package controllers

import (
	"context"
	"maps"
	"slices"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
	"github.com/serverimage-operator/serverimage-operator/internal/policy"
)

// syncMembers keeps the image's members as spec.sharing says: it lists
// them, records the ones it is about to add as its own (before adding
// them), adds the missing ones, removes the ones it added that the spec no
// longer lists, and accepts the share with each consumer Cloud named. It
// returns what it put back, for the drift Event.
func (r *ServerImageReconciler) syncMembers(ctx context.Context, p *pass) (string, reconcile.Result, error) {
	si := p.si
	st := si.Status.Properties
	if len(si.Spec.Sharing) == 0 && len(st.OwnedMembers) == 0 {
		st.Members, st.LastMembersCheckTime = nil, nil
		return "", reconcile.Result{}, nil
	}
	if wait, err := r.settleMemberJobs(p); wait || err != nil {
		if err == nil {
			return "", reconcile.Result{}, nil
		}
		res, err := fail(&si.Status.Conditions, si.Generation, policy.Properties, err, "")
		return "", res, err
	}
	id := si.Status.ImageID
	listed, err := p.prov.ListMembers(ctx, id)
	if err != nil {
		res, err := fail(&si.Status.Conditions, si.Generation, policy.Properties, err, "")
		return "", res, err
	}
	have := make(map[string]cloud.MemberStatus, len(listed))
	for _, m := range listed {
		have[m.Project] = m.Status
	}
	var add []string
	wanted := map[string]bool{}
	for _, c := range si.Spec.Sharing {
		wanted[c.Project] = true
		if _, ok := have[c.Project]; !ok {
			add = append(add, c.Project)
		}
	}
	before := si.DeepCopy()
	for _, m := range add {
		if !slices.Contains(st.OwnedMembers, m) {
			st.OwnedMembers = append(st.OwnedMembers, m)
		}
	}
	if err := r.writePropertiesIntent(ctx, p, before); err != nil {
		return "", reconcile.Result{}, err
	}
	beforeJobs := si.DeepCopy()
	for _, m := range add {
		if err := p.prov.AddMember(ctx, id, m); err != nil && !recordJob(st, err, m, jobAdd) {
			res, err := fail(&si.Status.Conditions, si.Generation, policy.Properties, err, "sharing image "+id+" with "+m+": "+err.Error())
			return "", res, err
		}
		have[m] = cloud.MemberPending
	}
	for _, m := range slices.Clone(st.OwnedMembers) {
		if wanted[m] {
			continue
		}
		if _, ok := have[m]; ok {
			err := p.prov.RemoveMember(ctx, id, m)
			if err != nil && !recordJob(st, err, m, jobRemove) {
				res, err := fail(&si.Status.Conditions, si.Generation, policy.Properties, err, "unsharing image "+id+" from "+m+": "+err.Error())
				return "", res, err
			}
			delete(have, m)
			if err != nil {
				continue // owned until its job ends
			}
		}
		st.OwnedMembers = slices.DeleteFunc(st.OwnedMembers, func(o string) bool { return o == m })
	}
	if err := r.writePropertiesIntent(ctx, p, beforeJobs); err != nil {
		return "", reconcile.Result{}, err
	}
	for _, c := range si.Spec.Sharing {
		if c.CloudRef == nil || have[c.Project] == cloud.MemberAccepted {
			continue
		}
		if err := r.acceptShare(ctx, si, c); err != nil {
			res, err := fail(&si.Status.Conditions, si.Generation, policy.AcceptShare, err,
				"accepting image "+id+" as "+c.Project+" with Cloud "+c.CloudRef.Name+": "+err.Error())
			return "", res, err
		}
		have[c.Project] = cloud.MemberAccepted
	}
	st.Members = make([]imagesv1.ImageMemberStatus, 0, len(have))
	for _, m := range slices.Sorted(maps.Keys(have)) {
		st.Members = append(st.Members, imagesv1.ImageMemberStatus{Project: m, Status: imagesv1.MemberStatus(have[m])})
	}
	st.LastMembersCheckTime = &metav1.Time{Time: r.now()}
	if len(add) == 0 {
		return "", reconcile.Result{}, nil
	}
	return "members " + strings.Join(add, ", "), reconcile.Result{}, nil
}

// acceptShare accepts the share on the consumer's side, with the Cloud
// that holds the consumer's credentials (same namespace).
func (r *ServerImageReconciler) acceptShare(ctx context.Context, si *imagesv1.ServerImage, c imagesv1.ImageConsumer) error {
	cl := &imagesv1.Cloud{}
	if err := r.Get(ctx, types.NamespacedName{Namespace: si.Namespace, Name: c.CloudRef.Name}, cl); err != nil {
		return err
	}
	prov, err := r.Providers.ForCloud(ctx, cl)
	if err != nil {
		return err
	}
	return prov.AcceptShare(ctx, si.Status.ImageID)
}

// releaseMembers runs before deletionPolicy Delete deletes the image: it
// removes the members the operator added, then clears the protection it
// set (or that spec.protected asks for), since a protected image cannot
// be deleted. Each call is safe to repeat.
func (r *ServerImageReconciler) releaseProperties(ctx context.Context, p *pass) error {
	si := p.si
	st := si.Status.Properties
	if si.Status.ImageID == "" || (st == nil && !specUsesProperties(si)) {
		return nil
	}
	id, caps := si.Status.ImageID, p.prov.Capabilities().Properties
	if st != nil && caps.Sharing {
		for _, m := range st.OwnedMembers {
			// A started job is enough: the image goes next.
			if err := p.prov.RemoveMember(ctx, id, m); err != nil && !cloud.IsNotFound(err) && !recordJob(st, err, m, jobRemove) {
				return err
			}
		}
	}
	if caps.Protected && ((si.Spec.Protected != nil && *si.Spec.Protected) || (st != nil && st.OwnedProtected)) {
		err := p.prov.UpdateImageProperties(ctx, id, cloud.PropertyUpdate{Protected: new(bool)})
		if err != nil && !cloud.IsNotFound(err) {
			return err
		}
	}
	return nil
}
