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

func TestCloudReadiness(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name       string
		cloudsYAML func(sim *fakecloud.Cloud) string
		mutate     func(*imagesv1.Cloud)
		wantReason string
		wantInMsg  string
	}{
		{
			name:       "unknown clouds.yaml entry",
			cloudsYAML: func(sim *fakecloud.Cloud) string { return sim.CloudsYAML("other") },
			wantReason: imagesv1.ReasonInvalidConfiguration,
			wantInMsg:  "sim",
		},
		{
			name:       "credentials of another provider",
			cloudsYAML: func(sim *fakecloud.Cloud) string { return sim.CloudsYAML("sim") },
			mutate:     func(c *imagesv1.Cloud) { c.Spec.Provider = imagesv1.ProviderSamsungCloudPlatform },
			wantReason: imagesv1.ReasonInvalidConfiguration,
			wantInMsg:  "accessKey",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newSimScenario(t, fakecloud.Options{}, "")
			var mutate []func(*imagesv1.Cloud)
			if tc.mutate != nil {
				mutate = append(mutate, tc.mutate)
			}
			s.createCloud("bad", tc.cloudsYAML(s.sim), mutate...)
			cond := s.WaitCloudNotReady("bad", tc.wantReason)
			if !strings.Contains(cond.Message, tc.wantInMsg) {
				t.Errorf("message %q does not contain %q", cond.Message, tc.wantInMsg)
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
