package controllers_test

import (
	"context"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
	"github.com/serverimage-operator/serverimage-operator/internal/fakecloud"
)

// waitCloudCondition waits for Ready=False with the given reason.
func (s *scenario) waitCloudNotReady(name, reason string) *metav1.Condition {
	s.t.Helper()
	var got *metav1.Condition
	eventually(s.t, waitTimeout, "Cloud "+name+" Ready=False "+reason, func() bool {
		c := &imagesv1.Cloud{}
		if err := k8s.Get(context.Background(), client.ObjectKey{Namespace: s.ns, Name: name}, c); err != nil {
			return false
		}
		got = meta.FindStatusCondition(c.Status.Conditions, imagesv1.ConditionReady)
		return got != nil && got.Status == metav1.ConditionFalse && got.Reason == reason
	})
	return got
}

func TestCloudReadiness(t *testing.T) {
	t.Parallel()
	const secretPassword = "hunter2-d0-not-leak-7f3a"
	cases := []struct {
		name       string
		cloudsYAML func(sim *fakecloud.Cloud) string
		mutate     func(*imagesv1.Cloud)
		wantReason string
		wantInMsg  string
	}{
		{
			name: "wrong password",
			cloudsYAML: func(sim *fakecloud.Cloud) string {
				return strings.Replace(sim.CloudsYAML("sim"), "password: ", "password: "+secretPassword+"-", 1)
			},
			wantReason: imagesv1.ReasonAuthenticationFailed,
			wantInMsg:  "401",
		},
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
			sim := fakecloud.New(fakecloud.Options{})
			t.Cleanup(sim.Close)
			s := &scenario{t: t, sim: sim, ns: newNamespace(t)}
			mutate := []func(*imagesv1.Cloud){}
			if tc.mutate != nil {
				mutate = append(mutate, tc.mutate)
			}
			s.createCloud("bad", tc.cloudsYAML(sim), mutate...)
			cond := s.waitCloudNotReady("bad", tc.wantReason)
			if !strings.Contains(cond.Message, tc.wantInMsg) {
				t.Errorf("message %q does not contain %q", cond.Message, tc.wantInMsg)
			}
			if strings.Contains(cond.Message, secretPassword) || strings.Contains(logSink.String(), secretPassword) {
				t.Errorf("the password leaked into the condition or the logs")
			}
		})
	}
}

func TestServerImageWaitsForItsCloud(t *testing.T) {
	t.Parallel()
	sim := fakecloud.New(fakecloud.Options{})
	t.Cleanup(sim.Close)
	s := &scenario{t: t, sim: sim, ns: newNamespace(t), cloud: "late"}
	srv := sim.AddServer(fakecloud.Server{})
	s.serverImage("early", srv.ID)
	s.waitCondition("early", imagesv1.ConditionReconciling, imagesv1.ReasonCloudNotReady)
	s.createCloud("late", sim.CloudsYAML("sim"))
	s.waitReady("early")
}

func TestCredentialRotationIsPickedUp(t *testing.T) {
	t.Parallel()
	sim := fakecloud.New(fakecloud.Options{})
	t.Cleanup(sim.Close)
	s := &scenario{t: t, sim: sim, ns: newNamespace(t), cloud: "rot"}
	s.createCloud("rot", strings.Replace(sim.CloudsYAML("sim"), "password: ", "password: wrong-", 1))
	s.waitCloudNotReady("rot", imagesv1.ReasonAuthenticationFailed)

	secret := &corev1.Secret{}
	key := client.ObjectKey{Namespace: s.ns, Name: "rot-credentials"}
	if err := k8s.Get(context.Background(), key, secret); err != nil {
		t.Fatal(err)
	}
	secret.Data["clouds.yaml"] = []byte(sim.CloudsYAML("sim"))
	if err := k8s.Update(context.Background(), secret); err != nil {
		t.Fatal(err)
	}
	s.waitCloudReady("rot")
}

func TestApplicationCredentialAuth(t *testing.T) {
	t.Parallel()
	sim := fakecloud.New(fakecloud.Options{})
	t.Cleanup(sim.Close)
	s := &scenario{t: t, sim: sim, ns: newNamespace(t), cloud: "appcred"}
	s.createCloud("appcred", sim.AppCredCloudsYAML("sim"))
	s.waitCloudReady("appcred")
	srv := sim.AddServer(fakecloud.Server{})
	s.serverImage("ac", srv.ID)
	s.waitReady("ac")
}
