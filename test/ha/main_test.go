// Package ha tests two operator replicas with leader election against one
// API server (envtest) and one simulated cloud: the standby stays away from
// the cloud, the leader is killed while it creates, the standby takes over,
// and every ServerImage still ends with exactly one image.
//
// It has its own TestMain because the controllers suite runs one manager
// without leader election in all namespaces, which would race the
// replicas under test.
package ha

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
	_ "github.com/serverimage-operator/serverimage-operator/internal/cloud/drivers"
	"github.com/serverimage-operator/serverimage-operator/internal/localenv"
)

var (
	cfg    *rest.Config
	k8s    client.Client
	scheme = runtime.NewScheme()
)

func TestMain(m *testing.M) {
	utilruntime.Must(clientgoscheme.AddToScheme(scheme))
	utilruntime.Must(imagesv1.AddToScheme(scheme))
	// Both replicas log to one stream; -v shows it.
	ctrl.SetLogger(zap.New(zap.WriteTo(testLogWriter()), zap.UseDevMode(false)))

	env := &envtest.Environment{
		CRDDirectoryPaths:     []string{filepath.Join("..", "..", "config", "crd", "bases")},
		ErrorIfCRDPathMissing: true,
		BinaryAssetsDirectory: envtestAssets(),
	}
	var err error
	if cfg, err = env.Start(); err != nil {
		fmt.Fprintf(os.Stderr, "starting envtest (run 'make envtest' first?): %v\n", err)
		os.Exit(1)
	}
	if k8s, err = client.New(cfg, client.Options{Scheme: scheme}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		_ = env.Stop()
		os.Exit(1)
	}
	code := m.Run()
	_ = env.Stop()
	os.Exit(code)
}

// envtestAssets finds kube-apiserver and etcd: KUBEBUILDER_ASSETS (set by
// the Makefile) or the folder the Makefile builds them into.
func envtestAssets() string {
	if dir := os.Getenv("KUBEBUILDER_ASSETS"); dir != "" {
		return dir
	}
	return filepath.Join("..", "..", "bin", "k8s", localenv.K8sVersion)
}

// testLogWriter keeps the managers quiet unless -v is given.
func testLogWriter() io.Writer {
	for _, a := range os.Args {
		if a == "-test.v=true" || a == "-test.v" {
			return os.Stderr
		}
	}
	return io.Discard
}
