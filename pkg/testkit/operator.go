package testkit

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"k8s.io/client-go/rest"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	ctrlconfig "sigs.k8s.io/controller-runtime/pkg/config"
	"sigs.k8s.io/controller-runtime/pkg/manager"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
	"github.com/serverimage-operator/serverimage-operator/controllers"
	// The operator links every cloud driver the same way.
	_ "github.com/serverimage-operator/serverimage-operator/internal/cloud/drivers"
)

// Options tune the operator a test runs.
type Options struct {
	// LeaderElection makes StartOperator's manager elect a leader, as the
	// deployed operator does; tests rarely want the wait (off by default).
	LeaderElection bool
	// MaxConcurrentReconciles per controller (the operator's default when
	// zero).
	MaxConcurrentReconciles int
	// DriftCheckInterval is how often Ready images are checked for
	// deletion behind the operator's back (10 minutes when zero).
	DriftCheckInterval time.Duration
	// ClusterCloudNamespace is where the operator reads ClusterClouds'
	// credentials Secrets (CreateClusterCloud puts them there). Unset,
	// ClusterClouds are refused: the operator never looks for their
	// Secrets in every namespace.
	ClusterCloudNamespace string
}

// Register adds the operator's reconcilers (Cloud, ClusterCloud,
// ServerImage, ServerImageSchedule) to mgr, which must know the operator's kinds (see
// Scheme). They start with mgr. ctx bounds watches the operator starts on
// its own (on credentials Secrets): cancel it when mgr stops.
func Register(ctx context.Context, mgr manager.Manager, opts Options) error {
	// Without the CRDs the manager would only fail when its caches time
	// out, minutes later and without saying why.
	if _, err := mgr.GetRESTMapper().RESTMapping(imagesv1.GroupVersion.WithKind("ServerImage").GroupKind(), imagesv1.GroupVersion.Version); err != nil {
		return fmt.Errorf("testkit: the operator's CRDs are not installed (testkit.AddCRDs(env) before env.Start, or testkit.InstallCRDs): %w", err)
	}
	return controllers.Setup(ctx, mgr, controllers.Options{
		MaxConcurrentReconciles: opts.MaxConcurrentReconciles,
		DriftCheckInterval:      opts.DriftCheckInterval,
		ClusterCloudNamespace:   opts.ClusterCloudNamespace,
	})
}

// Operator is the operator running in a manager of its own.
type Operator struct {
	mgr    manager.Manager
	cancel context.CancelFunc
	done   chan error
	once   sync.Once
	err    error
}

// StartOperator starts the operator's reconcilers in a manager of their
// own, without metrics or health endpoints, and returns once it runs.
// Several may run in one process (one per test). Stop it when done.
func StartOperator(ctx context.Context, cfg *rest.Config, opts Options) (*Operator, error) {
	mo := ctrl.Options{
		Scheme:                 Scheme(),
		Metrics:                metricsserver.Options{BindAddress: "0"},
		HealthProbeBindAddress: "0",
		// Tests run one operator each in the same process.
		Controller: ctrlconfig.Controller{SkipNameValidation: ptr.To(true)},
	}
	if opts.LeaderElection {
		mo.LeaderElection = true
		mo.LeaderElectionID = "serverimage-operator-testkit"
		mo.LeaderElectionNamespace = "default"
		mo.LeaderElectionReleaseOnCancel = true
	}
	mgr, err := ctrl.NewManager(cfg, mo)
	if err != nil {
		return nil, fmt.Errorf("testkit: manager: %w", err)
	}
	ctx, cancel := context.WithCancel(ctx)
	if err := Register(ctx, mgr, opts); err != nil {
		cancel()
		return nil, fmt.Errorf("testkit: registering the operator: %w", err)
	}
	op := &Operator{mgr: mgr, cancel: cancel, done: make(chan error, 1)}
	go func() { op.done <- mgr.Start(ctx) }()
	if !mgr.GetCache().WaitForCacheSync(ctx) {
		cancel()
		return nil, errors.Join(errors.New("testkit: the operator's cache did not sync"), <-op.done)
	}
	return op, nil
}

// Manager is the operator's manager, e.g. for its client or event recorder.
func (o *Operator) Manager() manager.Manager { return o.mgr }

// Stop stops the operator and waits until it has stopped. It returns the
// manager's error, if it failed; calling it again returns the same.
func (o *Operator) Stop() error {
	o.once.Do(func() {
		o.cancel()
		o.err = <-o.done
	})
	return o.err
}
