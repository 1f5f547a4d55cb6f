//go:build e2e

// Package e2e runs the tools users run (kubectl, helm) against a local
// control plane, the cloud simulator and the operator binary built the way
// the Dockerfile builds it. `make test-e2e` runs it; `make test` does not
// (build tag e2e).
package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/go-logr/logr"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/serverimage-operator/serverimage-operator/internal/localenv"
)

// helmVersion is the helm the Makefile builds (HELM_VERSION); the test
// builds the same one when it runs without the Makefile.
const helmVersion = "v4.3.1"

var (
	root        string // repository root
	kubectl     *tool  // the real kubectl, configured for the control plane
	helm        *tool  // the real helm
	cluster     *localenv.Env
	operatorBin string    // built with the Dockerfile's go build command
	buildInfo   buildArgs // the values its ARGs were given
)

func TestMain(m *testing.M) {
	code, err := run(m)
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		os.Exit(1)
	}
	os.Exit(code)
}

func run(m *testing.M) (int, error) {
	var err error
	if root, err = localenv.RepoRoot(); err != nil {
		return 0, err
	}
	state, err := os.MkdirTemp("", "serverimage-e2e-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(state)

	// A missing tool is built, never skipped: these tests are the proof
	// that the real tools work.
	kubectlPath, err := toolPath("KUBECTL", "kubectl", "kubectl-v"+localenv.K8sVersion)
	if err != nil {
		return 0, err
	}
	helmPath, err := toolPath("HELM", "helm", "helm-"+helmVersion)
	if err != nil {
		return 0, err
	}

	buildInfo = buildArgs{Version: "v0.0.0-e2e", Commit: "e2e1234"}
	operatorBin = filepath.Join(state, "manager")
	if err := buildLikeDockerfile(root, filepath.Join(state, "workspace"), operatorBin, buildInfo); err != nil {
		return 0, err
	}

	// envtest logs through controller-runtime; its start-up chatter is not
	// what these tests are about.
	ctrllog.SetLogger(logr.Discard())
	if cluster, err = localenv.Start(root, state); err != nil {
		return 0, err
	}
	defer func() { _ = cluster.Stop() }()
	// kubectl caches API discovery under ~/.kube/cache keyed by host:port;
	// a control plane of an earlier run on the same port would answer
	// from a stale cache (old CRD categories, say). Each run gets its own.
	kubeCacheDir = filepath.Join(state, "kubectl-cache")
	_ = os.RemoveAll(kubeCacheDir)
	kubectl = &tool{path: kubectlPath, env: []string{"KUBECONFIG=" + cluster.Kubeconfig, "KUBECACHEDIR=" + kubeCacheDir}}
	// helm keeps its caches and config under $HOME by default; keep them
	// out of the user's home.
	helm = &tool{path: helmPath, env: []string{
		"KUBECONFIG=" + cluster.Kubeconfig,
		"KUBECACHEDIR=" + kubeCacheDir,
		"HELM_CACHE_HOME=" + filepath.Join(state, "helm", "cache"),
		"HELM_CONFIG_HOME=" + filepath.Join(state, "helm", "config"),
		"HELM_DATA_HOME=" + filepath.Join(state, "helm", "data"),
	}}
	// The closing note of a run names the tools that ran.
	kv, _, _ := kubectl.try(nil, "version", "--client")
	hv, _, _ := helm.try(nil, "version", "--short")
	fmt.Printf("e2e tools: %s | helm %s", oneLine(kv), hv)
	return m.Run(), nil
}

// kubeCacheDir is kubectl's discovery cache for this run.
var kubeCacheDir string
