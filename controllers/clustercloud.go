package controllers

import (
	"context"
	"fmt"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"golang.org/x/time/rate"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
)

// A ClusterCloud enters the ServerImage pass, the poller and the Provider
// cache as the Cloud it stands for (asCloud): the same spec, status, UID
// and generation, placed in the credentials namespace so that its Secret is
// read there and nowhere else. Everything downstream of resolveCloud is the
// Cloud's code; only resolving it and the namespace check are its own.

// asCloud is the Cloud view of cc, with its Secret in credNS.
func asCloud(cc *imagesv1.ClusterCloud, credNS string) *imagesv1.Cloud {
	c := &imagesv1.Cloud{Spec: cc.Spec.CloudSpec, Status: *cc.Status.CloudStatus.DeepCopy()}
	c.Kind = imagesv1.KindClusterCloud
	c.Name, c.Namespace, c.UID, c.Generation = cc.Name, credNS, cc.UID, cc.Generation
	return c
}

// kindOf names what a Cloud view stands for, for messages and keys.
func kindOf(c *imagesv1.Cloud) string {
	if c.Kind == imagesv1.KindClusterCloud {
		return imagesv1.KindClusterCloud
	}
	return imagesv1.KindCloud
}

// providerKey keys the Provider cache: a Cloud by its UID as before, a
// ClusterCloud by kind and UID.
func providerKey(c *imagesv1.Cloud) string {
	if kindOf(c) == imagesv1.KindClusterCloud {
		return imagesv1.KindClusterCloud + "/" + string(c.UID)
	}
	return string(c.UID)
}

// rateLimitFor shares a ClusterCloud's bucket fairly between the namespaces
// that use it; a Cloud has one namespace and keeps the plain bucket.
func rateLimitFor(c *imagesv1.Cloud, p cloud.Provider, limiter *rate.Limiter) cloud.Provider {
	if kindOf(c) == imagesv1.KindClusterCloud {
		return cloud.FairRateLimit(p, limiter)
	}
	return cloud.RateLimit(p, limiter)
}

// cloudRefIndex is what indexCloudRef holds for a ServerImage: a Cloud's
// name as before, "ClusterCloud/<name>" for a ClusterCloud (a Cloud's name
// cannot contain '/').
func cloudRefIndex(ref imagesv1.CloudReference) string {
	if ref.Kind == imagesv1.KindClusterCloud {
		return imagesv1.KindClusterCloud + "/" + ref.Name
	}
	return ref.Name
}

// notAllowed says why namespace ns may not use cc, or "" when it may.
func notAllowed(cc *imagesv1.ClusterCloud, ns *metav1.PartialObjectMetadata) (string, error) {
	a := cc.Spec.AllowedNamespaces
	if a == nil || (a.Selector == nil && len(a.Names) == 0) {
		return fmt.Sprintf("namespace %q is not allowed to use ClusterCloud %q (spec.allowedNamespaces is unset: it allows no namespace)", ns.Name, cc.Name), nil
	}
	if slices.Contains(a.Names, ns.Name) {
		return "", nil
	}
	var rule []string
	if len(a.Names) > 0 {
		rule = append(rule, "names ["+strings.Join(a.Names, ", ")+"]")
	}
	if a.Selector != nil {
		sel, err := metav1.LabelSelectorAsSelector(a.Selector)
		if err != nil {
			return "", fmt.Errorf("ClusterCloud %q: spec.allowedNamespaces.selector: %w", cc.Name, err)
		}
		if sel.Matches(labels.Set(ns.Labels)) {
			return "", nil
		}
		rule = append(rule, "selector "+metav1.FormatLabelSelector(a.Selector))
	}
	return fmt.Sprintf("namespace %q is not allowed to use ClusterCloud %q (spec.allowedNamespaces: %s)",
		ns.Name, cc.Name, strings.Join(rule, " or ")), nil
}

// resolveClusterCloud is resolveCloud for a cloudRef of kind ClusterCloud:
// the namespace check comes before anything that could reach the cloud.
func (r *ServerImageReconciler) resolveClusterCloud(ctx context.Context, p *pass, cleanup bool) (reconcile.Result, bool) {
	si := p.si
	wait := reconcile.Result{RequeueAfter: jitter(CloudNotReadyRecheck)}
	if r.ClusterCloudNamespace == "" {
		// Never look for the Secret in every namespace.
		r.notReadyCloud(si, "ClusterCloud %q: the operator has no ClusterCloud credentials namespace (--cluster-cloud-namespace)", si.Spec.CloudRef.Name)
		return wait, false
	}
	cc := &imagesv1.ClusterCloud{}
	if err := r.Get(ctx, types.NamespacedName{Name: si.Spec.CloudRef.Name}, cc); err != nil {
		if apierrors.IsNotFound(err) {
			r.notReadyCloud(si, "ClusterCloud %q not found", si.Spec.CloudRef.Name)
		} else {
			r.notReadyCloud(si, "reading ClusterCloud %q: %v", si.Spec.CloudRef.Name, err)
		}
		return wait, false
	}
	ns := &metav1.PartialObjectMetadata{}
	ns.SetGroupVersionKind(corev1.SchemeGroupVersion.WithKind("Namespace"))
	if err := r.Get(ctx, types.NamespacedName{Name: si.Namespace}, ns); err != nil {
		r.notReadyCloud(si, "reading namespace %q: %v", si.Namespace, err)
		return wait, false
	}
	why, err := notAllowed(cc, ns)
	if err == nil && why == "" {
		if cloudNotAllowed(si) {
			// Access is back: leave the stop, so that the poller reads
			// the recorded image again (watchOf) and the steps carry on.
			setProgressing(&si.Status.Conditions, si.Generation, imagesv1.ReasonCloudNotReady,
				fmt.Sprintf("namespace %q may use ClusterCloud %q again", si.Namespace, cc.Name))
		}
		return r.useCloud(ctx, p, asCloud(cc, r.ClusterCloudNamespace), cleanup)
	}
	if err != nil {
		why = err.Error()
	}
	// No requeue: a change to the namespace's labels or to the
	// ClusterCloud wakes the object (see setupClusterClouds).
	setStalled(&si.Status.Conditions, si.Generation, imagesv1.ReasonCloudNotAllowed, why)
	return reconcile.Result{}, false
}

// cloudNotAllowed reports whether the object last stopped because its
// namespace may not use its ClusterCloud: the poller reads nothing for it.
func cloudNotAllowed(si *imagesv1.ServerImage) bool {
	c := readyCondition(si.Status.Conditions)
	return c != nil && c.Reason == imagesv1.ReasonCloudNotAllowed
}

// userOf is how a Secret watch remembers a Cloud: by namespace and name,
// and a ClusterCloud (which has no namespace) by its name alone.
func userOf(c *imagesv1.Cloud) types.NamespacedName {
	if kindOf(c) == imagesv1.KindClusterCloud {
		return types.NamespacedName{Name: c.Name}
	}
	return types.NamespacedName{Namespace: c.Namespace, Name: c.Name}
}

// wakeEventOf is the object and channel that wake a Secret's user.
func (s *secretWatches) wakeEventOf(user types.NamespacedName) (client.Object, chan event.GenericEvent) {
	if user.Namespace == "" {
		cc := &imagesv1.ClusterCloud{}
		cc.Name = user.Name
		return cc, s.clusterEvents
	}
	c := &imagesv1.Cloud{}
	c.Namespace, c.Name = user.Namespace, user.Name
	return c, s.events
}
