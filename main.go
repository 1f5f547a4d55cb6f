// Command manager runs the serverimage-operator controllers.
package main

import (
	"crypto/tls"
	"flag"
	"os"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/healthz"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	"sigs.k8s.io/controller-runtime/pkg/metrics/filters"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
	"github.com/serverimage-operator/serverimage-operator/controllers"
	_ "github.com/serverimage-operator/serverimage-operator/internal/cloud/drivers"
)

// Stamped by the build (see Makefile and Dockerfile).
var (
	version = "dev"
	commit  = "unknown"
)

func main() {
	var (
		metricsAddr, probeAddr, watchNamespaces           string
		clusterCloudNamespace                             string
		pprofAddr                                         string
		leaderElect, secureMetrics, perObject, changeFeed bool
		workers                                           int
		driftInterval                                     time.Duration
	)
	flag.StringVar(&metricsAddr, "metrics-bind-address", ":8443", "Address the metrics endpoint binds to (\"0\" disables it).")
	flag.BoolVar(&secureMetrics, "metrics-secure", true, "Serve metrics over HTTPS with Kubernetes authentication and authorization.")
	flag.StringVar(&probeAddr, "health-probe-bind-address", ":8081", "Address the health and readiness probes bind to.")
	flag.BoolVar(&leaderElect, "leader-elect", true, "Elect a leader so that only one replica reconciles at a time.")
	flag.StringVar(&watchNamespaces, "watch-namespaces", "", "Comma-separated namespaces to watch (all when empty).")
	flag.IntVar(&workers, "max-concurrent-reconciles", controllers.DefaultMaxConcurrentReconciles, "Workers per controller.")
	flag.StringVar(&pprofAddr, "pprof-bind-address", "", "Address to serve Go pprof profiles on (off when empty).")
	flag.DurationVar(&driftInterval, "drift-check-interval", controllers.DriftCheckInterval, "How often Ready images are checked (in batches) for out-of-band deletion.")
	flag.BoolVar(&perObject, "per-object-polling", false, "Read every image with its own GET instead of in batches (for benchmarks only).")
	flag.BoolVar(&changeFeed, "change-feed", true, "Read a Cloud's change feed, where it has one, while many images are in flight (off: read them by ID, for benchmarks).")
	flag.StringVar(&clusterCloudNamespace, "cluster-cloud-namespace", os.Getenv("POD_NAMESPACE"), "Namespace of the ClusterClouds' credentials Secrets (the operator's own, from POD_NAMESPACE, when unset).")
	zapOpts := zap.Options{}
	zapOpts.BindFlags(flag.CommandLine)
	flag.Parse()
	ctrl.SetLogger(zap.New(zap.UseFlagOptions(&zapOpts)))
	setupLog := ctrl.Log.WithName("setup")
	setupLog.Info("starting serverimage-operator", "version", version, "commit", commit)

	scheme := runtime.NewScheme()
	utilruntime.Must(clientgoscheme.AddToScheme(scheme))
	utilruntime.Must(imagesv1.AddToScheme(scheme))

	metricsOpts := metricsserver.Options{
		BindAddress:   metricsAddr,
		SecureServing: secureMetrics,
		// HTTP/2 is off: it is exposed to the HTTP/2 rapid reset and stream
		// cancellation attacks, and metrics scraping does not need it.
		TLSOpts: []func(*tls.Config){func(c *tls.Config) { c.NextProtos = []string{"http/1.1"} }},
	}
	if secureMetrics {
		metricsOpts.FilterProvider = filters.WithAuthenticationAndAuthorization
	}
	// Managed fields and kubectl's last-applied annotation are most of a
	// small object, and the operator never reads them.
	cacheOpts := cache.Options{DefaultTransform: controllers.CacheTransform()}
	if watchNamespaces != "" {
		cacheOpts.DefaultNamespaces = map[string]cache.Config{}
		for _, ns := range strings.Split(watchNamespaces, ",") {
			if ns = strings.TrimSpace(ns); ns != "" {
				cacheOpts.DefaultNamespaces[ns] = cache.Config{}
			}
		}
	}

	mgr, err := ctrl.NewManager(ctrl.GetConfigOrDie(), ctrl.Options{
		Scheme:                        scheme,
		Metrics:                       metricsOpts,
		HealthProbeBindAddress:        probeAddr,
		PprofBindAddress:              pprofAddr,
		LeaderElection:                leaderElect,
		LeaderElectionID:              "serverimage-operator.images.serverimage.dev",
		LeaderElectionReleaseOnCancel: true,
		Cache:                         cacheOpts,
	})
	if err != nil {
		setupLog.Error(err, "unable to create manager")
		os.Exit(1)
	}
	ctx := ctrl.SetupSignalHandler()
	if err := controllers.Setup(ctx, mgr, controllers.Options{
		MaxConcurrentReconciles: workers,
		DriftCheckInterval:      driftInterval,
		PerObjectPolling:        perObject,
		NoChangeFeed:            !changeFeed,
		ClusterCloudNamespace:   clusterCloudNamespace,
	}); err != nil {
		setupLog.Error(err, "unable to set up controllers")
		os.Exit(1)
	}
	utilruntime.Must(mgr.AddHealthzCheck("healthz", healthz.Ping))
	utilruntime.Must(mgr.AddReadyzCheck("readyz", healthz.Ping))
	if err := mgr.Start(ctx); err != nil {
		setupLog.Error(err, "manager stopped with an error")
		os.Exit(1)
	}
}
