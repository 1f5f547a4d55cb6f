package kubetest

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
)

// CreateCloud creates the Secret <name>-credentials with secret as its
// data and a Cloud that references it; mutate sets the provider and its
// fields.
func (n *NS) CreateCloud(name string, secret map[string]string, mutate ...func(*imagesv1.Cloud)) *imagesv1.Cloud {
	n.T.Helper()
	s := &corev1.Secret{ObjectMeta: n.Meta(name + "-credentials"), StringData: secret}
	n.Create(s)
	c := &imagesv1.Cloud{
		ObjectMeta: n.Meta(name),
		Spec:       imagesv1.CloudSpec{CredentialsSecretRef: imagesv1.SecretReference{Name: s.Name}},
	}
	if n.CloudPoll > 0 {
		c.Spec.PollInterval = &metav1.Duration{Duration: n.CloudPoll}
	}
	for _, m := range mutate {
		m(c)
	}
	n.Create(c)
	return c
}

// CreateServerImage creates a ServerImage of serverID on the Cloud.
func (n *NS) CreateServerImage(name, cloud, serverID string, mutate ...func(*imagesv1.ServerImage)) *imagesv1.ServerImage {
	n.T.Helper()
	si := &imagesv1.ServerImage{
		ObjectMeta: n.Meta(name),
		Spec:       imagesv1.ServerImageSpec{CloudRef: imagesv1.CloudReference{Name: cloud}, ServerID: serverID},
	}
	for _, m := range mutate {
		m(si)
	}
	n.Create(si)
	return si
}

// ServerImage reads the named ServerImage.
func (n *NS) ServerImage(name string) *imagesv1.ServerImage {
	n.T.Helper()
	return Get[imagesv1.ServerImage](n, name)
}

// WaitServerImage waits until cond holds for the ServerImage.
func (n *NS) WaitServerImage(name, what string, cond func(*imagesv1.ServerImage) bool) *imagesv1.ServerImage {
	n.T.Helper()
	return WaitFor(n, name, what, cond)
}

// WaitCondition waits until the ServerImage has condition typ True with
// the reason.
func (n *NS) WaitCondition(name, typ, reason string) *imagesv1.ServerImage {
	n.T.Helper()
	return n.WaitServerImage(name, typ+"=True "+reason, func(si *imagesv1.ServerImage) bool {
		return Has(si.Status.Conditions, typ, metav1.ConditionTrue, reason)
	})
}

// WaitReady waits until the ServerImage is Ready with its image active.
func (n *NS) WaitReady(name string) *imagesv1.ServerImage {
	n.T.Helper()
	return n.WaitCondition(name, imagesv1.ConditionReady, imagesv1.ReasonImageActive)
}

// WaitServerImageGone waits until the ServerImage no longer exists.
func (n *NS) WaitServerImageGone(name string) {
	n.T.Helper()
	WaitGone[imagesv1.ServerImage](n, name)
}

// WaitCloudReady waits until the Cloud is Ready.
func (n *NS) WaitCloudReady(name string) *imagesv1.Cloud {
	n.T.Helper()
	return WaitFor(n, name, "Ready", func(c *imagesv1.Cloud) bool {
		return meta.IsStatusConditionTrue(c.Status.Conditions, imagesv1.ConditionReady)
	})
}

// WaitCloudNotReady waits for the Cloud's Ready=False with the reason and
// returns that condition.
func (n *NS) WaitCloudNotReady(name, reason string) *metav1.Condition {
	n.T.Helper()
	c := WaitFor(n, name, "Ready=False "+reason, func(c *imagesv1.Cloud) bool {
		return Has(c.Status.Conditions, imagesv1.ConditionReady, metav1.ConditionFalse, reason)
	})
	return Condition(c.Status.Conditions, imagesv1.ConditionReady)
}
