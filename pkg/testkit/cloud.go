package testkit

import (
	"context"
	"fmt"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
	"github.com/serverimage-operator/serverimage-operator/pkg/fakecloud"
)

// CloudOption changes the Cloud CreateCloud makes before it is created.
type CloudOption func(*imagesv1.Cloud)

// PollInterval sets how often the operator checks the Cloud's images that
// are building (fakecloud's Clouds say 200ms).
func PollInterval(d time.Duration) CloudOption {
	return func(c *imagesv1.Cloud) { c.Spec.PollInterval = &metav1.Duration{Duration: d} }
}

// CreateCloud creates a Cloud named name in the namespace, and the Secret
// with its credentials (name-credentials), that reach the simulated cloud
// sim. ServerImages refer to it by name.
func CreateCloud(ctx context.Context, c client.Client, sim *fakecloud.Cloud, namespace, name string, opts ...CloudOption) (*imagesv1.Cloud, error) {
	secret, cloud := sim.Objects(namespace, name)
	for _, o := range opts {
		o(cloud)
	}
	if err := c.Create(ctx, secret); err != nil {
		return nil, fmt.Errorf("testkit: creating Secret %s/%s: %w", namespace, secret.Name, err)
	}
	if err := c.Create(ctx, cloud); err != nil {
		return nil, fmt.Errorf("testkit: creating Cloud %s/%s: %w", namespace, name, err)
	}
	return cloud, nil
}

// CreateClusterCloud creates a ClusterCloud named name that reaches the
// simulated cloud sim from the namespaces in allowedNamespaces, and its
// credentials Secret (name-credentials) in credentialsNamespace, which
// must be the operator's Options.ClusterCloudNamespace. ServerImages refer
// to it with cloudRef kind ClusterCloud.
func CreateClusterCloud(ctx context.Context, c client.Client, sim *fakecloud.Cloud, credentialsNamespace, name string, allowedNamespaces ...string) (*imagesv1.ClusterCloud, error) {
	secret, cc := sim.ClusterObjects(credentialsNamespace, name, allowedNamespaces...)
	if err := c.Create(ctx, secret); err != nil {
		return nil, fmt.Errorf("testkit: creating Secret %s/%s: %w", credentialsNamespace, secret.Name, err)
	}
	if err := c.Create(ctx, cc); err != nil {
		return nil, fmt.Errorf("testkit: creating ClusterCloud %s: %w", name, err)
	}
	return cc, nil
}
