package controllers_test

import (
	"context"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
	"github.com/serverimage-operator/serverimage-operator/internal/fakecloud"
)

// TestCloudReadiness: a Cloud whose credentials or settings cannot work
// reads Ready=False with a reason and a message saying what to fix, and
// one that works reads Ready, whatever the provider.
func TestCloudReadiness(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name       string
		provider   provider
		secret     func(sim *fakecloud.Cloud) map[string]string
		mutate     func(*imagesv1.Cloud)
		wantReason string // "" means Ready
		wantInMsg  []string
	}{
		{
			name:       "unknown clouds.yaml entry",
			provider:   openStack,
			secret:     func(sim *fakecloud.Cloud) map[string]string { return cloudsYAML(sim.CloudsYAML("other")) },
			wantReason: imagesv1.ReasonInvalidConfiguration,
			wantInMsg:  []string{"sim"},
		},
		{
			name:       "credentials of another provider",
			provider:   openStack,
			secret:     func(sim *fakecloud.Cloud) map[string]string { return cloudsYAML(sim.CloudsYAML("sim")) },
			mutate:     func(c *imagesv1.Cloud) { c.Spec.Provider = imagesv1.ProviderSamsungCloudPlatform },
			wantReason: imagesv1.ReasonInvalidConfiguration,
			wantInMsg:  []string{"accessKey"},
		},
		// The real Rackspace driver against the simulator's Rackspace
		// dialect (Identity v2.0 API key + Cloud Servers v2).
		{
			name:     "Rackspace password credentials",
			provider: rackspace,
			secret: func(sim *fakecloud.Cloud) map[string]string {
				return map[string]string{"username": sim.RackspaceUsername(), "password": sim.RackspacePassword()}
			},
		},
		{
			name:       "Rackspace region without Cloud Servers",
			provider:   rackspace,
			secret:     rackspaceSecret,
			mutate:     func(c *imagesv1.Cloud) { c.Spec.Region = "SYD" },
			wantReason: imagesv1.ReasonInvalidConfiguration,
			wantInMsg:  []string{"region SYD", "available: DFW, ORD"},
		},
		{
			name:     "Rackspace without an API key in the Secret",
			provider: rackspace,
			secret: func(sim *fakecloud.Cloud) map[string]string {
				return map[string]string{"username": sim.RackspaceUsername()}
			},
			wantReason: imagesv1.ReasonInvalidConfiguration,
			wantInMsg:  []string{`"apiKey"`},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := tc.provider.startWithout(t, fakecloud.Options{})
			mutate := []func(*imagesv1.Cloud){tc.provider.cloud(s.sim)}
			if tc.mutate != nil {
				mutate = append(mutate, tc.mutate)
			}
			s.CreateCloud(s.cloud, tc.secret(s.sim), mutate...)
			if tc.wantReason == "" {
				s.WaitCloudReady(s.cloud)
				return
			}
			cond := s.WaitCloudNotReady(s.cloud, tc.wantReason)
			for _, want := range tc.wantInMsg {
				if !strings.Contains(cond.Message, want) {
					t.Errorf("message %q does not contain %q", cond.Message, want)
				}
			}
		})
	}
}

func TestServerImageWaitsForItsCloud(t *testing.T) {
	t.Parallel()
	s := newSimScenario(t, fakecloud.Options{}, "late")
	sim := s.sim
	srv := sim.AddServer(fakecloud.Server{})
	s.serverImage("early", srv.ID)
	s.WaitCondition("early", imagesv1.ConditionReconciling, imagesv1.ReasonCloudNotReady)
	s.createCloud("late", sim.CloudsYAML("sim"))
	s.WaitReady("early")
}

func TestCredentialRotationIsPickedUp(t *testing.T) {
	t.Parallel()
	s := newSimScenario(t, fakecloud.Options{}, "rot")
	sim := s.sim
	s.createCloud("rot", strings.Replace(sim.CloudsYAML("sim"), "password: ", "password: wrong-", 1))
	s.WaitCloudNotReady("rot", imagesv1.ReasonAuthenticationFailed)

	secret := &corev1.Secret{}
	key := client.ObjectKey{Namespace: s.Name, Name: "rot-credentials"}
	if err := k8s.Get(context.Background(), key, secret); err != nil {
		t.Fatal(err)
	}
	secret.Data["clouds.yaml"] = []byte(sim.CloudsYAML("sim"))
	if err := k8s.Update(context.Background(), secret); err != nil {
		t.Fatal(err)
	}
	s.WaitCloudReady("rot")
}

func TestApplicationCredentialAuth(t *testing.T) {
	t.Parallel()
	s := newSimScenario(t, fakecloud.Options{}, "appcred")
	sim := s.sim
	s.createCloud("appcred", sim.AppCredCloudsYAML("sim"))
	s.WaitCloudReady("appcred")
	s.readyImage("ac")
}
