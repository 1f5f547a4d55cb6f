// Package localenv starts a local control plane (kube-apiserver + etcd, no
// kubelet) with the project's CRDs installed, for the demo, end-to-end
// tests and benchmarks. It wraps controller-runtime's envtest, which already
// knows how to start and stop both processes.
package localenv

import (
	"fmt"
	"os"
	"path/filepath"

	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
)

// K8sVersion is the version the Makefile builds kube-apiserver at.
const K8sVersion = "1.37.2"

// Env is a running control plane.
type Env struct {
	env *envtest.Environment
	// Config reaches the API server as an administrator.
	Config *rest.Config
	// Kubeconfig is the path of a kubeconfig file for kubectl.
	Kubeconfig string
}

// Start starts the control plane. root is the repository root (for the CRDs
// and the cached binaries); stateDir receives the kubeconfig.
func Start(root, stateDir string) (*Env, error) {
	assets := os.Getenv("KUBEBUILDER_ASSETS")
	if assets == "" {
		assets = filepath.Join(root, "bin", "k8s", K8sVersion)
	}
	if _, err := os.Stat(filepath.Join(assets, "kube-apiserver")); err != nil {
		return nil, fmt.Errorf("kube-apiserver not found in %s: run 'make envtest' first", assets)
	}
	env := &envtest.Environment{
		CRDDirectoryPaths:     []string{filepath.Join(root, "config", "crd", "bases")},
		ErrorIfCRDPathMissing: true,
		BinaryAssetsDirectory: assets,
	}
	cfg, err := env.Start()
	if err != nil {
		return nil, fmt.Errorf("starting the local control plane: %w", err)
	}
	if err := os.MkdirAll(stateDir, 0o755); err != nil {
		_ = env.Stop()
		return nil, err
	}
	kc := filepath.Join(stateDir, "kubeconfig")
	if err := os.WriteFile(kc, env.KubeConfig, 0o600); err != nil {
		_ = env.Stop()
		return nil, err
	}
	return &Env{env: env, Config: cfg, Kubeconfig: kc}, nil
}

// Stop stops the control plane.
func (e *Env) Stop() error { return e.env.Stop() }

// RepoRoot walks up from the working directory to the folder holding go.mod.
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("go.mod not found above the working directory")
		}
		dir = parent
	}
}
