package controllers_test

import (
	"context"
	"slices"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
	"github.com/serverimage-operator/serverimage-operator/controllers"
	"github.com/serverimage-operator/serverimage-operator/internal/fakecloud"
	"github.com/serverimage-operator/serverimage-operator/internal/kubetest"
)

// TestOnlyReferencedSecretsAreWatched drives the Secret watcher against the
// real API server: it watches exactly the Secrets that Clouds reference,
// follows a changed reference, stops when no Cloud is left, and wakes the
// Clouds of a Secret that changes, not those of any other Secret.
func TestOnlyReferencedSecretsAreWatched(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ns := newNamespace(t)
	probe, err := controllers.NewSecretWatchProbe(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	secret := func(name string) *corev1.Secret {
		s := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, StringData: map[string]string{"k": "v1"}}
		if err := k8s.Create(ctx, s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	a, b, other := secret("a"), secret("b"), secret("other")
	cloudUsing := func(name, uid, secretName string) *imagesv1.Cloud {
		return &imagesv1.Cloud{
			ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, UID: types.UID(uid)},
			Spec:       imagesv1.CloudSpec{CredentialsSecretRef: imagesv1.SecretReference{Name: secretName}},
		}
	}
	watching := func(want ...string) {
		t.Helper()
		var got []string
		for _, k := range probe.Watched() {
			if k.Namespace != ns {
				t.Fatalf("watching %s outside the test's namespace", k)
			}
			got = append(got, k.Name)
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Fatalf("watching %v, want %v", got, want)
		}
	}
	// drain empties the wake-ups so far (a new watch's first list wakes
	// its Clouds too) and returns the Clouds woken.
	drain := func(wait time.Duration) []string {
		var woken []string
		deadline := time.After(wait)
		for {
			select {
			case ev := <-probe.Events():
				woken = append(woken, ev.Object.GetName())
			case <-deadline:
				slices.Sort(woken)
				return slices.Compact(woken)
			}
		}
	}

	one, two := cloudUsing("one", "uid-1", "a"), cloudUsing("two", "uid-2", "a")
	v, err := probe.Version(ctx, one)
	if err != nil || v != a.ResourceVersion {
		t.Fatalf("version of a: %q, %v; want %q", v, err, a.ResourceVersion)
	}
	if _, err := probe.Version(ctx, two); err != nil {
		t.Fatal(err)
	}
	watching("a")

	one.Spec.CredentialsSecretRef.Name = "b"
	if v, err := probe.Version(ctx, one); err != nil || v != b.ResourceVersion {
		t.Fatalf("version of b: %q, %v; want %q", v, err, b.ResourceVersion)
	}
	watching("a", "b")
	drain(500 * time.Millisecond)

	other.StringData = map[string]string{"k": "v2"}
	if err := k8s.Update(ctx, other); err != nil {
		t.Fatal(err)
	}
	a.StringData = map[string]string{"k": "v2"}
	if err := k8s.Update(ctx, a); err != nil {
		t.Fatal(err)
	}
	if woken := drain(time.Second); !slices.Equal(woken, []string{"two"}) {
		t.Fatalf("changing Secrets a and other woke %v; want only two (a's only user)", woken)
	}
	kubetest.Eventually(t, 5*time.Second, "the new version of a", func() bool {
		v, err := probe.Version(ctx, two)
		return err == nil && v == a.ResourceVersion
	})

	probe.Release(two.UID)
	watching("b")
	probe.Release(one.UID)
	watching()

	// A Secret that does not exist yet: NotFound, and its creation wakes
	// the Cloud.
	late := cloudUsing("late", "uid-3", "late")
	if _, err := probe.Version(ctx, late); !apierrors.IsNotFound(err) {
		t.Fatalf("version of a missing Secret: %v, want NotFound", err)
	}
	drain(300 * time.Millisecond)
	secret("late")
	if woken := drain(time.Second); !slices.Equal(woken, []string{"late"}) {
		t.Fatalf("creating Secret late woke %v; want late", woken)
	}
}

// TestCloudWaitsForItsSecret: a Cloud applied before its Secret (a GitOps
// tool applies them in any order) becomes Ready when the Secret appears,
// without waiting for a periodic re-check.
func TestCloudWaitsForItsSecret(t *testing.T) {
	t.Parallel()
	s := newSimScenario(t, fakecloud.Options{}, "early")
	sim := s.sim
	c := &imagesv1.Cloud{
		ObjectMeta: metav1.ObjectMeta{Namespace: s.Name, Name: "early"},
		Spec: imagesv1.CloudSpec{
			Provider: imagesv1.ProviderOpenStack, CloudName: "sim",
			CredentialsSecretRef: imagesv1.SecretReference{Name: "early-credentials"},
		},
	}
	if err := k8s.Create(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	s.WaitCloudNotReady("early", imagesv1.ReasonSecretNotFound)
	sec := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: s.Name, Name: "early-credentials"},
		StringData: map[string]string{"clouds.yaml": sim.CloudsYAML("sim")},
	}
	if err := k8s.Create(context.Background(), sec); err != nil {
		t.Fatal(err)
	}
	s.WaitCloudReady("early")
}
