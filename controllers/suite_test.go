package controllers_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"github.com/serverimage-operator/serverimage-operator/controllers"
	_ "github.com/serverimage-operator/serverimage-operator/internal/cloud/drivers"
	"github.com/serverimage-operator/serverimage-operator/internal/kubetest"
)

var (
	k8s     client.Client
	cfg     *rest.Config
	scheme  = kubetest.NewScheme()
	logSink = &syncBuffer{}
)

// TestMain starts one real kube-apiserver + etcd and one manager for the
// whole package. Each test brings its own simulator and namespace, so the
// tests are independent and run in parallel.
func TestMain(m *testing.M) {
	// Logs go to a buffer that the secret-leak test scans, and to stderr
	// when -v is given.
	ctrl.SetLogger(zap.New(zap.WriteTo(logSink), zap.UseDevMode(false)))
	env, err := kubetest.StartEnv(scheme)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	cfg, k8s = env.Config, env.Client
	code := run(m)
	_ = env.Stop()
	os.Exit(code)
}

func run(m *testing.M) int {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		Scheme:                 scheme,
		Metrics:                metricsserver.Options{BindAddress: "0"},
		HealthProbeBindAddress: "0",
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if err := k8s.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: clusterCloudNS}}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if err := controllers.Setup(ctx, mgr, controllers.Options{
		ClusterCloudNamespace:   clusterCloudNS,
		MaxConcurrentReconciles: 8,
		// Schedule tests run their own manager with a fake clock.
		SkipSchedules: true,
		// Fast drift checks so that out-of-band deletions show in seconds.
		DriftCheckInterval: 300 * time.Millisecond,
		// Orphans of a lost Nova task_state race are noticed in seconds.
		OrphanGrace: time.Second,
	}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	done := make(chan error, 1)
	go func() { done <- mgr.Start(ctx) }()
	code := m.Run()
	cancel()
	<-done
	return code
}

// syncBuffer collects the manager's logs for the secret-leak checks.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
