//go:build e2e

package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestArgoCDInstallInstructions runs the README's argocd-cm commands with
// the real kubectl against an argocd-cm that already holds settings: the
// health checks must land under Argo CD's keys, byte for byte, and the
// existing settings must stay.
func TestArgoCDInstallInstructions(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(readme), "<!-- argocd-install")
	if !ok {
		t.Fatal("README has no argocd-install block")
	}
	_, block, _ := strings.Cut(after, "```sh\n")
	block, _, _ = strings.Cut(block, "```")

	kubectl.run(t, []byte(`apiVersion: v1
kind: Namespace
metadata: {name: argocd}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: argocd-cm, namespace: argocd}
data: {url: "https://argocd.example.com"}
`), "apply", "-f", "-")

	// The block calls "kubectl": put the pinned one first on PATH.
	bin := t.TempDir()
	if err := os.Symlink(kubectl.path, filepath.Join(bin, "kubectl")); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("/bin/sh", "-ec", block)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"), "KUBECONFIG="+cluster.Kubeconfig, "KUBECACHEDIR="+kubeCacheDir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("README commands failed: %v\n%s", err, out)
	}

	for _, kind := range []string{"ServerImage", "Cloud", "ClusterCloud", "ServerImageSchedule"} {
		key := "resource.customizations.health.images.serverimage.dev_" + kind
		got := kubectl.run(t, nil, "get", "configmap", "argocd-cm", "-n", "argocd", "-o", "go-template={{index .data \""+key+"\"}}")
		want, err := os.ReadFile(filepath.Join(root, "config", "argocd", "images.serverimage.dev", kind, "health.lua"))
		if err != nil {
			t.Fatal(err)
		}
		if got != string(want) {
			t.Errorf("%s: %d bytes in argocd-cm, health.lua has %d", key, len(got), len(want))
		}
	}
	if url := kubectl.run(t, nil, "get", "configmap", "argocd-cm", "-n", "argocd", "-o", "jsonpath={.data.url}"); url != "https://argocd.example.com" {
		t.Errorf("existing setting lost: url=%q", url)
	}
}
