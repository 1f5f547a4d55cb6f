package fakecloud

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
)

// SecretData is the credentials Secret's data for this Cloud: clouds.yaml
// for the OpenStack dialects, an API key or an access key pair otherwise.
func (c *Cloud) SecretData() map[string]string { return c.spec.secret(c.sim) }

// CloudSpec is a Cloud spec that reaches this Cloud with the credentials
// in the named Secret, polling in-flight images every 200ms.
func (c *Cloud) CloudSpec(secretName string) imagesv1.CloudSpec {
	spec := c.spec.spec(c.sim)
	spec.CredentialsSecretRef = imagesv1.SecretReference{Name: secretName}
	poll := defaultPollInterval
	spec.PollInterval = &poll
	return spec
}

// Objects returns a Secret (named name-credentials) and a Cloud named
// name in the namespace, ready to create, that reach this Cloud.
func (c *Cloud) Objects(namespace, name string) (*corev1.Secret, *imagesv1.Cloud) {
	secret := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name + "-credentials"},
		StringData: c.SecretData(),
	}
	cloud := &imagesv1.Cloud{
		ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name},
		Spec:       c.CloudSpec(secret.Name),
	}
	return secret, cloud
}

// ClusterObjects returns a Secret (named name-credentials) in
// credentialsNamespace, the namespace the operator reads ClusterCloud
// credentials from, and a ClusterCloud named name that reaches this Cloud
// and may be used from the namespaces listed in allowedNamespaces (none
// when empty, as a ClusterCloud without allowedNamespaces allows nobody).
func (c *Cloud) ClusterObjects(credentialsNamespace, name string, allowedNamespaces ...string) (*corev1.Secret, *imagesv1.ClusterCloud) {
	secret, cloud := c.Objects(credentialsNamespace, name)
	cc := &imagesv1.ClusterCloud{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec:       imagesv1.ClusterCloudSpec{CloudSpec: cloud.Spec},
	}
	if len(allowedNamespaces) > 0 {
		cc.Spec.AllowedNamespaces = &imagesv1.AllowedNamespaces{Names: allowedNamespaces}
	}
	return secret, cc
}
