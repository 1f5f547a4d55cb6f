// Package metricstest reads the operator's /metrics the way Prometheus
// does, for the tests that check what a scrape shows.
package metricstest

import (
	"errors"
	"fmt"
	"net/http"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// ErrNotServing is wrapped by Scrape when nothing answers at the address,
// which is what a metrics server that is still starting looks like.
var ErrNotServing = errors.New("/metrics is not served")

// Scrape reads http://addr/metrics in the Prometheus text format.
func Scrape(addr string) (map[string]*dto.MetricFamily, error) {
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNotServing, err)
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET /metrics: %s", resp.Status)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("parsing /metrics: %w", err)
	}
	return families, nil
}

// HasLabels reports whether m carries every label in want, with its value.
func HasLabels(m *dto.Metric, want map[string]string) bool {
	got := map[string]string{}
	for _, l := range m.GetLabel() {
		got[l.GetName()] = l.GetValue()
	}
	for k, v := range want {
		if got[k] != v {
			return false
		}
	}
	return true
}

// Sample is mf's first sample that carries labels, or nil.
func Sample(mf *dto.MetricFamily, labels map[string]string) *dto.Metric {
	for _, m := range mf.GetMetric() {
		if HasLabels(m, labels) {
			return m
		}
	}
	return nil
}
