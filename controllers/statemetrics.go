package controllers

import (
	"context"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
	"github.com/serverimage-operator/serverimage-operator/internal/metrics"
)

// StateMetricsInterval is how often serverimage_serverimages is recounted:
// about one Prometheus scrape interval, so a scrape is at most one
// interval behind, and a count of a few thousand cached objects costs
// microseconds.
const StateMetricsInterval = 15 * time.Second

// Image states as the serverimage_serverimages gauge labels them. They
// follow the conditions: Stalled wins, then Ready, and everything else
// (including an object the operator has not looked at yet) is Reconciling.
const (
	stateReady       = "Ready"
	stateReconciling = "Reconciling"
	stateStalled     = "Stalled"
)

// AddStateMetrics makes mgr keep the serverimage_serverimages{state} gauge
// up to date, counting ServerImages from the manager's cache every
// interval (StateMetricsInterval when zero). Only the leader counts, so
// that summing the gauge over all replicas gives the real number.
func AddStateMetrics(mgr ctrl.Manager, interval time.Duration) error {
	if interval <= 0 {
		interval = StateMetricsInterval
	}
	return mgr.Add(&stateMetrics{cache: mgr.GetCache(), interval: interval})
}

type stateMetrics struct {
	cache    cache.Cache
	interval time.Duration
}

// NeedLeaderElection: see AddStateMetrics.
func (m *stateMetrics) NeedLeaderElection() bool { return true }

func (m *stateMetrics) Start(ctx context.Context) error {
	if !m.cache.WaitForCacheSync(ctx) {
		return nil // stopped before the cache was ready
	}
	t := time.NewTicker(m.interval)
	defer t.Stop()
	for {
		m.count(ctx)
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

func (m *stateMetrics) count(ctx context.Context) {
	var list imagesv1.ServerImageList
	// The objects are only read: no need to copy thousands of them.
	if err := m.cache.List(ctx, &list, client.UnsafeDisableDeepCopy); err != nil {
		ctrl.LoggerFrom(ctx).WithName("statemetrics").Error(err, "listing ServerImages")
		return
	}
	// All three series are always written, so a state that drops to zero
	// reads 0 rather than keeping its last value.
	counts := map[string]int{stateReady: 0, stateReconciling: 0, stateStalled: 0}
	for i := range list.Items {
		counts[stateOf(&list.Items[i])]++
	}
	for state, n := range counts {
		metrics.ImagesByState.WithLabelValues(state).Set(float64(n))
	}
}

func stateOf(si *imagesv1.ServerImage) string {
	switch {
	case meta.IsStatusConditionTrue(si.Status.Conditions, imagesv1.ConditionStalled):
		return stateStalled
	case meta.IsStatusConditionTrue(si.Status.Conditions, imagesv1.ConditionReady):
		return stateReady
	default:
		return stateReconciling
	}
}
