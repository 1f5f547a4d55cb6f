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
	"testing"

	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"

	_ "github.com/serverimage-operator/serverimage-operator/internal/cloud/drivers"
	"github.com/serverimage-operator/serverimage-operator/internal/kubetest"
)

var (
	cfg    *rest.Config
	k8s    client.Client
	scheme = kubetest.NewScheme()
)

func TestMain(m *testing.M) {
	// Both replicas log to one stream; -v shows it.
	ctrl.SetLogger(zap.New(zap.WriteTo(testLogWriter()), zap.UseDevMode(false)))
	env, err := kubetest.StartEnv(scheme)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	cfg, k8s = env.Config, env.Client
	code := m.Run()
	_ = env.Stop()
	os.Exit(code)
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
