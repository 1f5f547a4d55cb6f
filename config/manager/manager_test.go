// Package manager holds the operator's Deployment. This test keeps its
// security settings from regressing: docs/security.md promises them.
package manager

import (
	"bytes"
	"os"
	"slices"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"
)

func loadDeployment(t *testing.T) *appsv1.Deployment {
	t.Helper()
	raw, err := os.ReadFile("manager.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, doc := range bytes.Split(raw, []byte("\n---")) {
		var probe struct{ Kind string }
		if yaml.Unmarshal(doc, &probe) != nil || probe.Kind != "Deployment" {
			continue
		}
		d := &appsv1.Deployment{}
		if err := yaml.UnmarshalStrict(doc, d); err != nil {
			t.Fatal(err)
		}
		return d
	}
	t.Fatal("manager.yaml has no Deployment")
	return nil
}

func TestManagerRunsLockedDown(t *testing.T) {
	d := loadDeployment(t)
	pod := d.Spec.Template.Spec
	if len(pod.Containers) != 1 {
		t.Fatalf("%d containers, want the manager only", len(pod.Containers))
	}
	c := pod.Containers[0]
	sc := c.SecurityContext
	if sc == nil {
		t.Fatal("the manager container has no securityContext")
	}
	checks := []struct {
		what string
		ok   bool
	}{
		{"pod runAsNonRoot", pod.SecurityContext != nil && pod.SecurityContext.RunAsNonRoot != nil && *pod.SecurityContext.RunAsNonRoot},
		{"pod seccomp RuntimeDefault", pod.SecurityContext != nil && pod.SecurityContext.SeccompProfile != nil &&
			pod.SecurityContext.SeccompProfile.Type == corev1.SeccompProfileTypeRuntimeDefault},
		{"container runAsNonRoot", sc.RunAsNonRoot != nil && *sc.RunAsNonRoot},
		{"readOnlyRootFilesystem", sc.ReadOnlyRootFilesystem != nil && *sc.ReadOnlyRootFilesystem},
		{"allowPrivilegeEscalation false", sc.AllowPrivilegeEscalation != nil && !*sc.AllowPrivilegeEscalation},
		{"capabilities drop ALL", sc.Capabilities != nil && slices.Contains(sc.Capabilities.Drop, "ALL") && len(sc.Capabilities.Add) == 0},
		{"not privileged", sc.Privileged == nil || !*sc.Privileged},
		{"no host namespaces", !pod.HostNetwork && !pod.HostPID && !pod.HostIPC},
		{"leader election on", slices.Contains(c.Args, "--leader-elect") || slices.Contains(c.Args, "--leader-elect=true")},
		{"metrics over HTTPS (not --metrics-secure=false)", !slices.Contains(c.Args, "--metrics-secure=false")},
	}
	for _, ch := range checks {
		if !ch.ok {
			t.Errorf("config/manager/manager.yaml: %s is not set", ch.what)
		}
	}
}
