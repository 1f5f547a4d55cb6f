// Package stage sets up what the bench and soak tools measure against: a
// client of the local control plane, a fresh namespace, servers in the
// simulator and an OpenStack Cloud that reaches them.
package stage

import (
	"context"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
	"github.com/serverimage-operator/serverimage-operator/internal/fakecloud"
	"github.com/serverimage-operator/serverimage-operator/internal/localenv"
)

// Client is a client of env allowed qps requests a second (burst at once):
// the tools write thousands of objects, far beyond client-go's default.
// The rest config it uses is returned for watches of the same rate.
func Client(env *localenv.Env, scheme *runtime.Scheme, qps float32, burst int) (client.Client, *rest.Config, error) {
	rc := *env.Config
	rc.QPS, rc.Burst = qps, burst
	c, err := client.New(&rc, client.Options{Scheme: scheme})
	return c, &rc, err
}

// Namespace creates a namespace named prefix-<unix time>, so runs against
// one control plane do not meet.
func Namespace(ctx context.Context, c client.Client, prefix string) (string, error) {
	ns := fmt.Sprintf("%s-%d", prefix, time.Now().Unix())
	return ns, c.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}})
}

// Servers adds n servers to sim and returns their IDs.
func Servers(sim *fakecloud.Cloud, n int) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = sim.AddServer(fakecloud.Server{Name: fmt.Sprintf("vm-%d", i)}).ID
	}
	return ids
}

// Cloud creates an OpenStack Cloud named name, polling every poll, and
// the Secret with sim's clouds.yaml entry of the same name. rateLimit may
// be nil.
func Cloud(ctx context.Context, c client.Client, ns, name string, sim *fakecloud.Cloud, poll time.Duration, rateLimit *imagesv1.RateLimit) error {
	secret := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name + "-credentials"},
		StringData: map[string]string{"clouds.yaml": sim.CloudsYAML(name)},
	}
	if err := c.Create(ctx, secret); err != nil {
		return err
	}
	return c.Create(ctx, &imagesv1.Cloud{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: imagesv1.CloudSpec{
			Provider:             imagesv1.ProviderOpenStack,
			CloudName:            name,
			CredentialsSecretRef: imagesv1.SecretReference{Name: secret.Name},
			PollInterval:         &metav1.Duration{Duration: poll},
			RateLimit:            rateLimit,
		},
	})
}
