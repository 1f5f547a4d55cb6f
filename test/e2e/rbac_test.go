//go:build e2e

package e2e

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/client-go/tools/clientcmd"
)

// operatorIdentity is the ServiceAccount the samples operator runs as. It
// is bound to config/rbac/role.yaml and the Cloud Secrets role and nothing
// else, so every call the operator makes in the samples test is checked
// against the role the markers generate: a verb missing from a marker fails
// that test.
const (
	operatorSANamespace = "e2e-operator"
	operatorSA          = "controller-manager"
	operatorRoleBinding = "e2e-operator-manager"
)

func operatorUser() string {
	return fmt.Sprintf("system:serviceaccount:%s:%s", operatorSANamespace, operatorSA)
}

// kubeconfigAsOperator installs the generated ClusterRole, binds it to the
// operator's ServiceAccount, and returns a kubeconfig that impersonates
// that ServiceAccount.
func kubeconfigAsOperator(t *testing.T) string {
	t.Helper()
	kubectl.run(t, nil, "apply", "-f", filepath.Join(root, "config", "rbac", "role.yaml"))
	if _, _, err := kubectl.try(nil, "get", "namespace", operatorSANamespace); err != nil {
		kubectl.run(t, nil, "create", "namespace", operatorSANamespace)
	}
	if _, _, err := kubectl.try(nil, "get", "serviceaccount", operatorSA, "-n", operatorSANamespace); err != nil {
		kubectl.run(t, nil, "create", "serviceaccount", operatorSA, "-n", operatorSANamespace)
	}
	if _, _, err := kubectl.try(nil, "get", "clusterrolebinding", operatorRoleBinding); err != nil {
		kubectl.run(t, nil, "create", "clusterrolebinding", operatorRoleBinding,
			"--clusterrole=manager-role", "--serviceaccount="+operatorSANamespace+":"+operatorSA)
	}
	bindCloudSecrets(t)

	cfg, err := clientcmd.LoadFromFile(cluster.Kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	for _, auth := range cfg.AuthInfos {
		auth.Impersonate = operatorUser()
	}
	path := filepath.Join(t.TempDir(), "operator.kubeconfig")
	if err := clientcmd.WriteToFile(*cfg, path); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestOperatorIdentityIsConfined: the identity the samples operator runs
// as has the role's verbs and no more, so that the samples test proves
// the role suffices rather than running with the admin's rights.
func TestOperatorIdentityIsConfined(t *testing.T) {
	kubeconfigAsOperator(t)
	for _, tc := range []struct {
		verb, resource string
		want           string
	}{
		{"patch", "serverimages.images.serverimage.dev", "yes"},
		{"patch", "serverimages.images.serverimage.dev/status", "yes"},
		{"watch", "secrets", "yes"},
		{"update", "serverimages.images.serverimage.dev", "no"},
		{"update", "secrets", "no"},
		{"delete", "clouds.images.serverimage.dev", "no"},
		{"create", "clusterroles.rbac.authorization.k8s.io", "no"},
	} {
		out, _, _ := kubectl.try(nil, "auth", "can-i", tc.verb, tc.resource, "-A", "--as="+operatorUser())
		if got := strings.TrimSpace(out); got != tc.want {
			t.Errorf("can the operator %s %s: %q, want %q", tc.verb, tc.resource, got, tc.want)
		}
	}
}
