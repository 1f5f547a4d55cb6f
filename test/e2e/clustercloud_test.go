//go:build e2e

package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/serverimage-operator/serverimage-operator/internal/fakecloud"
)

// Namespaces of the ClusterCloud test: the credentials, one namespace the
// ClusterCloud sample allows (by label) and one it does not.
const (
	platformNS = "e2e-platform"
	allowedNS  = "e2e-team-a"
	refusedNS  = "e2e-team-b"
	editor     = "e2e-team-editor"
)

// bindCloudSecrets gives the operator's identity the namespaced Clouds'
// Secrets, as config/rbac binds it by default.
func bindCloudSecrets(t *testing.T) {
	t.Helper()
	kubectl.run(t, nil, "apply", "-f", filepath.Join(root, "config", "rbac", "cloud_secrets_role.yaml"))
	if _, _, err := kubectl.try(nil, "get", "clusterrolebinding", operatorRoleBinding+"-cloud-secrets"); err != nil {
		kubectl.run(t, nil, "create", "clusterrolebinding", operatorRoleBinding+"-cloud-secrets",
			"--clusterrole=cloud-secrets-role", "--serviceaccount="+operatorSANamespace+":"+operatorSA)
	}
}

// inNamespace rewrites a config/ manifest's "namespace: system" (or
// another fixed one) for the test.
func inNamespace(t *testing.T, path, from, to string) []byte {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return []byte(strings.ReplaceAll(string(raw), "namespace: "+from, "namespace: "+to))
}

// TestClusterCloudAsNamespaceEditor is the platform-team path with the real
// kubectl and the operator binary: the ClusterCloud samples applied by an
// admin, then a user who holds only edit rights in two namespaces
// (impersonated) snapshots in the allowed one, is stopped in the other,
// and can neither read the credentials nor create a ClusterCloud.
func TestClusterCloudAsNamespaceEditor(t *testing.T) {
	sim := fakecloud.New(fakecloud.Options{})
	t.Cleanup(sim.Close)
	for _, ns := range []string{platformNS, allowedNS, refusedNS} {
		if _, _, err := kubectl.try(nil, "get", "namespace", ns); err != nil {
			kubectl.run(t, nil, "create", "namespace", ns)
		}
	}
	kubectl.run(t, nil, "label", "namespace", allowedNS, "serverimage.dev/cloud=shared-openstack", "--overwrite")

	// The operator reads the ClusterClouds' Secrets through a Role of the
	// credentials namespace only.
	kubectl.run(t, inNamespace(t, filepath.Join(root, "config", "rbac", "clustercloud_secrets_role.yaml"), "system", platformNS), "apply", "-f", "-")
	if _, _, err := kubectl.try(nil, "get", "rolebinding", "operator-clustercloud-secrets", "-n", platformNS); err != nil {
		kubectl.run(t, nil, "create", "rolebinding", "operator-clustercloud-secrets", "-n", platformNS,
			"--role=clustercloud-secrets-role", "--serviceaccount="+operatorSANamespace+":"+operatorSA)
	}
	startOperator(t, allowedNS+","+refusedNS, "--cluster-cloud-namespace="+platformNS)

	// The platform team: the samples, pointed at the simulator.
	samples := filepath.Join(root, "config", "samples")
	kubectl.run(t, nil, "delete", "secret", "shared-openstack-credentials", "-n", platformNS, "--ignore-not-found")
	kubectl.run(t, nil, "create", "secret", "generic", "shared-openstack-credentials", "-n", platformNS,
		"--from-literal=clouds.yaml="+sim.CloudsYAML("shared"))
	kubectl.run(t, nil, "apply", "-f", filepath.Join(samples, "clustercloud.yaml"))
	t.Cleanup(func() { _, _, _ = kubectl.try(nil, "delete", "clustercloud", "shared-openstack", "--wait=false") })
	kubectl.run(t, nil, "wait", "--for=condition=Ready", "clustercloud/shared-openstack", "--timeout=60s")

	// The namespace user: edit (and the serverimage editor role, which a
	// cluster aggregates into edit) in both namespaces, nothing else.
	kubectl.run(t, nil, "apply", "-f", filepath.Join(root, "config", "rbac", "serverimage_editor_role.yaml"))
	for _, ns := range []string{allowedNS, refusedNS} {
		for _, role := range []string{"edit", "serverimage-editor-role"} {
			name := editor + "-" + role
			if _, _, err := kubectl.try(nil, "get", "rolebinding", name, "-n", ns); err != nil {
				kubectl.run(t, nil, "create", "rolebinding", name, "-n", ns, "--clusterrole="+role, "--user="+editor)
			}
		}
	}
	as := "--as=" + editor
	server := sim.AddServer(fakecloud.Server{}).ID
	image := strings.ReplaceAll(string(inNamespace(t, filepath.Join(samples, "clustercloud_serverimage.yaml"), "team-a", allowedNS)),
		"2a9be312-5d4b-4bc8-b2ae-35100fa9241f", server)
	kubectl.run(t, []byte(image), "apply", as, "-f", "-")
	t.Cleanup(func() {
		_, _, _ = kubectl.try(nil, "delete", "si", "web-golden-shared", "-n", allowedNS, "--wait=false")
	})
	out := kubectl.run(t, nil, "wait", as, "--for=condition=Ready", "serverimage/web-golden-shared", "-n", allowedNS, "--timeout=120s")
	if !strings.Contains(out, "condition met") {
		t.Errorf("kubectl wait: %q", out)
	}

	for _, tc := range []struct{ verb, resource, ns string }{
		{"get", "secrets", platformNS},
		{"list", "secrets", platformNS},
		{"create", "clusterclouds.images.serverimage.dev", ""},
		{"get", "clusterclouds.images.serverimage.dev", ""},
		{"patch", "namespaces", ""},
	} {
		args := []string{"auth", "can-i", tc.verb, tc.resource, as}
		if tc.ns != "" {
			args = append(args, "-n", tc.ns)
		}
		if got, _, _ := kubectl.try(nil, args...); strings.TrimSpace(got) != "no" {
			t.Errorf("namespace editor can %s %s in %q: %q", tc.verb, tc.resource, tc.ns, got)
		}
	}
	if _, stderr, err := kubectl.try(nil, "get", "secret", "shared-openstack-credentials", "-n", platformNS, as); err == nil || !strings.Contains(stderr, "Forbidden") {
		t.Errorf("namespace editor read the ClusterCloud's Secret (err %v, %s)", err, stderr)
	}

	// The namespace that is not allowed: accepted, then stopped, and no
	// image.
	refused := strings.ReplaceAll(image, "namespace: "+allowedNS, "namespace: "+refusedNS)
	kubectl.run(t, []byte(refused), "apply", as, "-f", "-")
	t.Cleanup(func() {
		_, _, _ = kubectl.try(nil, "delete", "si", "web-golden-shared", "-n", refusedNS, "--wait=false")
	})
	kubectl.run(t, nil, "wait", as, "--for=condition=Stalled", "serverimage/web-golden-shared", "-n", refusedNS, "--timeout=60s")
	reason := kubectl.run(t, nil, "get", "si", "web-golden-shared", "-n", refusedNS, as, "-o", `jsonpath={.status.conditions[?(@.type=="Ready")].reason}`)
	if reason != "CloudNotAllowed" {
		t.Errorf("Ready reason in %s: %q, want CloudNotAllowed", refusedNS, reason)
	}
	if n := sim.Calls(fakecloud.OpCreateImage); n != 1 {
		t.Errorf("%d createImage calls, want 1 (the allowed namespace's)", n)
	}
	images := kubectl.run(t, nil, "get", "clustercloud", "shared-openstack", "-o", "jsonpath={.status.serverImages}")
	if images != "2" {
		t.Errorf("status.serverImages %q, want 2", images)
	}
}
