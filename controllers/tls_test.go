package controllers_test

import (
	"context"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
	"github.com/serverimage-operator/serverimage-operator/internal/fakecloud"
	"github.com/serverimage-operator/serverimage-operator/internal/kubetest"
)

// TestTLSVerification: against a cloud whose certificate comes from a
// private CA, certificates are verified by default (the Cloud is not
// Ready and says why), a CA bundle in the Secret makes it Ready, and only
// the Cloud's insecureSkipTLSVerify turns verification off, with a
// standing TLSVerificationDisabled condition that goes away with it.
func TestTLSVerification(t *testing.T) {
	t.Parallel()
	s := newSimScenario(t, fakecloud.Options{TLS: true}, "")
	sim := s.sim
	openStack := func(c *imagesv1.Cloud) { c.Spec.Provider, c.Spec.CloudName = imagesv1.ProviderOpenStack, "sim" }
	insecure := func(c *imagesv1.Cloud) { c.Spec.InsecureSkipTLSVerify = true }

	// Verification on by default: no CA, no Ready.
	s.CreateCloud("default", map[string]string{"clouds.yaml": sim.CloudsYAML("sim")}, openStack)
	cond := s.WaitCloudNotReady("default", imagesv1.ReasonTransientError)
	if !strings.Contains(cond.Message, "TLS error") {
		t.Errorf("the condition does not say it is a TLS problem: %q", cond.Message)
	}
	wantTLSDisabled(t, s, "default", false)

	// A CA bundle in the Secret.
	s.CreateCloud("with-ca", map[string]string{"clouds.yaml": sim.CloudsYAML("sim"), "cacert": string(sim.CACertPEM())}, openStack)
	s.WaitCloudReady("with-ca")
	wantTLSDisabled(t, s, "with-ca", false)

	// clouds.yaml's own "verify: false" is not honoured.
	s.CreateCloud("yaml-verify-false", map[string]string{"clouds.yaml": sim.CloudsYAML("sim") + "    verify: false\n"}, openStack)
	s.WaitCloudNotReady("yaml-verify-false", imagesv1.ReasonTransientError)

	// The explicit opt-out, with its warning.
	s.CreateCloud("insecure", map[string]string{"clouds.yaml": sim.CloudsYAML("sim")}, openStack, insecure)
	s.WaitCloudReady("insecure")
	wantTLSDisabled(t, s, "insecure", true)

	// Turning it off again removes the warning (and, without a CA, the
	// Cloud is no longer Ready).
	c := kubetest.Get[imagesv1.Cloud](s.NS, "insecure")
	c.Spec.InsecureSkipTLSVerify = false
	if err := k8s.Update(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	s.WaitCloudNotReady("insecure", imagesv1.ReasonTransientError)
	wantTLSDisabled(t, s, "insecure", false)
}

func wantTLSDisabled(t *testing.T, s *scenario, name string, want bool) {
	t.Helper()
	kubetest.WaitFor(s.NS, name, "TLSVerificationDisabled", func(c *imagesv1.Cloud) bool {
		cond := meta.FindStatusCondition(c.Status.Conditions, imagesv1.ConditionTLSVerificationDisabled)
		if !want {
			return cond == nil
		}
		return cond != nil && cond.Status == metav1.ConditionTrue && cond.ObservedGeneration == c.Generation
	})
}
