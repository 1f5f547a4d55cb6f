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
