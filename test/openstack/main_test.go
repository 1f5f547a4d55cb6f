//go:build openstack

// Package openstack is the end-to-end suite against a real OpenStack: the
// operator binary, built from this checkout, runs as its own process on a
// local control plane (kube-apiserver + etcd) and talks to the cloud that
// hack/openstack/up runs on 127.0.0.1 (Keystone, Glance, Placement, Neutron
// and Nova with a fake hypervisor whose snapshots really upload to Glance).
//
//	make test-openstack    # brings the cloud up (or reuses it), then runs this
//
// It is built only with -tags openstack, so `make test` never compiles it
// and nothing here is ever skipped: a missing cloud is a failure.
//
// Each scenario has its own namespace and its own operator process
// (--watch-namespaces), so scenarios run in parallel and one can kill its
// operator without disturbing the others.
package openstack

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
	"github.com/serverimage-operator/serverimage-operator/internal/localenv"
)

// Names that hack/openstack/bootstrap.py creates.
const (
	passwordEntry = "serverimage-e2e"         // clouds.yaml entry, password auth
	appCredEntry  = "serverimage-e2e-appcred" // clouds.yaml entry, application credential
	flavorName    = "si.tiny"
	baseImageName = "si-base"
)

var (
	repoRoot    string
	stateDir    string // hack/openstack's state: clouds.yaml, switches, logs
	cloudsYAML  []byte
	artifacts   string // operator binary and logs: bin/openstack-e2e
	operatorBin string
	kubeconfig  string
	k8s         client.Client
	cloud       *openStack // the test's own view of the cloud (password entry)
)

func TestMain(m *testing.M) { os.Exit(run(m)) }

func run(m *testing.M) int {
	start := time.Now()
	env, err := setup()
	if env != nil {
		defer func() { _ = env.Stop() }()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "openstack e2e: setup:", err)
		return 1
	}
	fmt.Printf("openstack e2e: operator built and control plane started in %s\n", time.Since(start).Round(time.Second))
	return m.Run()
}

func setup() (*localenv.Env, error) {
	var err error
	if repoRoot, err = localenv.RepoRoot(); err != nil {
		return nil, err
	}
	stateDir = os.Getenv("OPENSTACK_STATE_DIR")
	if stateDir == "" {
		stateDir = "/var/lib/serverimage-openstack"
	}
	if cloudsYAML, err = os.ReadFile(filepath.Join(stateDir, "clouds.yaml")); err != nil {
		return nil, fmt.Errorf("no cloud (%w): run hack/openstack/up first, as root (make test-openstack does)", err)
	}
	if cloud, err = connect(passwordEntry); err != nil {
		return nil, fmt.Errorf("the cloud in %s does not answer: %w (hack/openstack/status tells what runs)", stateDir, err)
	}
	artifacts = filepath.Join(repoRoot, "bin", "openstack-e2e")
	if err := os.MkdirAll(artifacts, 0o755); err != nil {
		return nil, err
	}
	// The real binary, as it ships: main.go with every driver linked in.
	operatorBin = filepath.Join(artifacts, "manager")
	build := exec.Command("go", "build", "-o", operatorBin, ".")
	build.Dir = repoRoot
	if out, err := build.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("go build: %v\n%s", err, out)
	}
	env, err := localenv.Start(repoRoot, artifacts)
	if err != nil {
		return nil, err
	}
	kubeconfig = env.Kubeconfig
	scheme := runtime.NewScheme()
	utilruntime.Must(clientgoscheme.AddToScheme(scheme))
	utilruntime.Must(imagesv1.AddToScheme(scheme))
	if k8s, err = client.New(env.Config, client.Options{Scheme: scheme}); err != nil {
		return env, err
	}
	return env, nil
}
