package controllers_test

import (
	"context"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
	"github.com/serverimage-operator/serverimage-operator/controllers"
	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
	"github.com/serverimage-operator/serverimage-operator/internal/fakecloud"
)

// TestRateLimitIsPerCloud: the Providers every reconciler uses hand all
// ServerImages of a Cloud the same rate-limited Provider, so a Cloud's
// spec.rateLimit holds for all of them together; another Cloud has its own
// budget. The limit is one request an hour with a burst of one: the second
// request of the Cloud, whichever object sends it, is refused at once when
// its context cannot wait that long. Real Secret, real driver, simulator.
func TestRateLimitIsPerCloud(t *testing.T) {
	t.Parallel()
	sim := fakecloud.New(fakecloud.Options{})
	t.Cleanup(sim.Close)
	ns := newNamespace(t)
	ctx := context.Background()
	secret := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "creds"},
		StringData: map[string]string{"clouds.yaml": sim.CloudsYAML("sim")},
	}
	if err := k8s.Create(ctx, secret); err != nil {
		t.Fatal(err)
	}
	// Clouds are built in memory: only the Providers' view of them matters.
	providers := &controllers.Providers{Client: k8s, Reader: k8s, Cache: cloud.NewCache()}
	cloudNamed := func(uid string) *imagesv1.Cloud {
		return &imagesv1.Cloud{
			ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: uid, UID: types.UID(uid), Generation: 1},
			Spec: imagesv1.CloudSpec{
				Provider:             imagesv1.ProviderOpenStack,
				CloudName:            "sim",
				CredentialsSecretRef: imagesv1.SecretReference{Name: secret.Name},
				RateLimit:            &imagesv1.RateLimit{RequestsPerSecond: "0.0002", Burst: 1},
			},
		}
	}
	forObject := func(c *imagesv1.Cloud) cloud.Provider {
		t.Helper()
		p, err := providers.ForCloud(ctx, c)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	a, b := cloudNamed("cloud-a"), cloudNamed("cloud-b")
	// Each ServerImage reconcile asks for its Cloud's Provider again.
	poller, creator, other := forObject(a), forObject(a.DeepCopy()), forObject(b)
	if poller != creator {
		t.Fatal("two ServerImages of one Cloud got different Providers (and limiters)")
	}
	short := func() context.Context {
		c, cancel := context.WithTimeout(ctx, time.Minute)
		t.Cleanup(cancel)
		return c
	}
	srv := sim.AddServer(fakecloud.Server{})
	if _, err := poller.GetServer(short(), srv.ID); err != nil {
		t.Fatalf("first request of the Cloud: %v", err)
	}
	if _, err := creator.CreateImage(short(), cloud.CreateImageRequest{ServerID: srv.ID, Name: "x", IdempotencyKey: "k"}); cloud.ClassOf(err) != cloud.ClassRateLimited {
		t.Errorf("second request of the Cloud from another object: got %v, want RateLimited", err)
	}
	if n := sim.Calls(fakecloud.OpCreateImage); n != 0 {
		t.Errorf("the limited create reached the cloud (%d calls)", n)
	}
	if _, err := other.GetServer(short(), srv.ID); err != nil {
		t.Errorf("another Cloud was limited by the first one's requests: %v", err)
	}
}
