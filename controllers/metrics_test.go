package controllers_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	ctrl "sigs.k8s.io/controller-runtime"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
	"github.com/serverimage-operator/serverimage-operator/controllers"
	"github.com/serverimage-operator/serverimage-operator/internal/fakecloud"
	"github.com/serverimage-operator/serverimage-operator/internal/kubetest"
	"github.com/serverimage-operator/serverimage-operator/internal/metricstest"
)

// TestMetricsEndpoint runs a demo-like flow (an image that becomes Ready,
// one that stalls, one still saving) and scrapes /metrics the way
// Prometheus does, over HTTP from a manager's metrics server (plain HTTP
// on loopback here; the deployment serves it over HTTPS).
func TestMetricsEndpoint(t *testing.T) {
	t.Parallel()
	addr := serveMetrics(t)

	s := newScenario(t, fakecloud.Options{})
	srv := s.sim.AddServer(fakecloud.Server{})
	s.serverImage("done", srv.ID)
	s.serverImage("ghost", "0b6e7d9c-1111-4222-8333-444455556666")
	s.WaitReady("done")
	s.WaitCondition("ghost", imagesv1.ConditionStalled, imagesv1.ReasonServerNotFound)

	busy := newScenario(t, fakecloud.Options{})
	busy.sim.FreezeImages(true)
	busy.serverImage("saving", busy.sim.AddServer(fakecloud.Server{}).ID)
	busy.WaitCondition("saving", imagesv1.ConditionReconciling, imagesv1.ReasonImageSaving)

	// The state gauge is recounted periodically: wait until it has seen
	// all three objects above (other tests add more).
	var families map[string]*dto.MetricFamily
	kubetest.Eventually(t, waitTimeout, "serverimage_serverimages to count every state", func() bool {
		families = scrape(t, addr)
		for _, state := range []string{"Ready", "Reconciling", "Stalled"} {
			if gaugeValue(families["serverimage_serverimages"], "state", state) < 1 {
				return false
			}
		}
		return true
	})

	cases := []struct {
		name   string
		typ    dto.MetricType
		labels []string
		// has is one label set that must have a sample.
		has map[string]string
	}{
		{"serverimage_cloud_requests_total", dto.MetricType_COUNTER, []string{"code", "operation", "provider"},
			map[string]string{"provider": "OpenStack", "operation": "createImage", "code": "200"}},
		{"serverimage_cloud_requests_total", dto.MetricType_COUNTER, []string{"code", "operation", "provider"},
			map[string]string{"provider": "OpenStack", "operation": "createImage", "code": "404"}},
		{"serverimage_cloud_request_duration_seconds", dto.MetricType_HISTOGRAM, []string{"operation", "provider"},
			map[string]string{"provider": "OpenStack", "operation": "authenticate"}},
		{"serverimage_image_time_to_active_seconds", dto.MetricType_HISTOGRAM, []string{"provider"},
			map[string]string{"provider": "OpenStack"}},
		{"serverimage_serverimages", dto.MetricType_GAUGE, []string{"state"},
			map[string]string{"state": "Stalled"}},
	}
	for _, tc := range cases {
		t.Run(tc.name+"/"+fmt.Sprint(tc.has), func(t *testing.T) {
			mf := families[tc.name]
			if mf == nil {
				t.Fatalf("%s is not exported", tc.name)
			}
			if mf.GetType() != tc.typ {
				t.Errorf("type %s, want %s", mf.GetType(), tc.typ)
			}
			if mf.GetHelp() == "" {
				t.Error("no HELP text")
			}
			found := false
			for _, m := range mf.GetMetric() {
				if names := labelNames(m); !slices.Equal(names, tc.labels) {
					t.Fatalf("labels %v, want %v", names, tc.labels)
				}
				if metricstest.HasLabels(m, tc.has) {
					found = true
				}
			}
			if !found {
				t.Errorf("no sample with %v", tc.has)
			}
		})
	}

	t.Run("time to active buckets reach 2h", func(t *testing.T) {
		m := metricstest.Sample(families["serverimage_image_time_to_active_seconds"], map[string]string{"provider": "OpenStack"})
		if m == nil || m.GetHistogram().GetSampleCount() < 1 {
			t.Fatal("no observation for the image that became active")
		}
		var bounds []float64
		for _, b := range m.GetHistogram().GetBucket() {
			if !math.IsInf(b.GetUpperBound(), +1) { // the text format lists +Inf too
				bounds = append(bounds, b.GetUpperBound())
			}
		}
		if bounds[0] > 5 || bounds[len(bounds)-1] != 7200 {
			t.Errorf("buckets %v: want seconds up to 7200 (2h)", bounds)
		}
	})

	t.Run("one prefix, Prometheus naming", func(t *testing.T) {
		for name, mf := range families {
			if !strings.HasPrefix(name, "serverimage_") {
				continue
			}
			switch mf.GetType() {
			case dto.MetricType_COUNTER:
				if !strings.HasSuffix(name, "_total") {
					t.Errorf("counter %s does not end in _total", name)
				}
			case dto.MetricType_HISTOGRAM:
				if !strings.HasSuffix(name, "_seconds") {
					t.Errorf("histogram %s is not in seconds", name)
				}
			}
		}
	})
}

// serveMetrics starts a manager that only serves the process's metrics
// registry (which the package's shared manager fills) on a loopback port,
// and counts ServerImage states as the operator does. It returns the
// address.
func serveMetrics(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		Scheme:                 scheme,
		Metrics:                metricsserver.Options{BindAddress: addr, SecureServing: false},
		HealthProbeBindAddress: "0",
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := controllers.AddStateMetrics(mgr, 200*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- mgr.Start(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("metrics manager: %v", err)
		}
	})
	return addr
}

// scrape reads /metrics; nil while the server does not answer yet.
func scrape(t *testing.T, addr string) map[string]*dto.MetricFamily {
	t.Helper()
	families, err := metricstest.Scrape(addr)
	if errors.Is(err, metricstest.ErrNotServing) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	return families
}

func labelNames(m *dto.Metric) []string {
	var names []string
	for _, l := range m.GetLabel() {
		names = append(names, l.GetName())
	}
	sort.Strings(names)
	return names
}

func gaugeValue(mf *dto.MetricFamily, label, value string) float64 {
	if m := metricstest.Sample(mf, map[string]string{label: value}); m != nil {
		return m.GetGauge().GetValue()
	}
	return -1
}
