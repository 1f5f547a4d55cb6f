// Package metrics defines the operator's Prometheus metrics. They are
// registered with controller-runtime's registry, so the manager serves them
// on its metrics endpoint next to the controller-runtime ones.
package metrics

import (
	"github.com/prometheus/client_golang/prometheus"
	crmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"
)

const namespace = "serverimage"

var (
	// CloudRequests counts cloud API calls by provider, operation and HTTP
	// status code ("0" for calls that got no response).
	CloudRequests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: namespace,
		Name:      "cloud_requests_total",
		Help:      "Cloud API calls by provider, operation and HTTP status code (0: no response).",
	}, []string{"provider", "operation", "code"})

	// CloudRequestDuration measures cloud API latency.
	CloudRequestDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Namespace: namespace,
		Name:      "cloud_request_duration_seconds",
		Help:      "Cloud API call latency by provider and operation.",
		Buckets:   []float64{0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60},
	}, []string{"provider", "operation"})

	// TimeToActive measures createImage request to image active. Snapshots
	// take minutes to hours, so buckets reach two hours.
	TimeToActive = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Namespace: namespace,
		Name:      "image_time_to_active_seconds",
		Help:      "Time from the createImage request to the image being active.",
		Buckets:   []float64{1, 5, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 5400, 7200},
	}, []string{"provider"})

	// ImagesByState is the number of ServerImages per condition state.
	ImagesByState = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Namespace: namespace,
		Name:      "serverimages",
		Help:      "ServerImages by state (Ready, Reconciling, Stalled).",
	}, []string{"state"})

	// FeedInterval is the time between a Cloud's last two change-feed
	// reads: it shortens while many images are in flight and stretches on
	// its own when the Cloud's rate limit is tight.
	FeedInterval = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Namespace: namespace,
		Name:      "poll_feed_interval_seconds",
		Help:      "Seconds between a Cloud's last two change-feed reads (namespace/name).",
	}, []string{"cloud"})
)

func init() {
	crmetrics.Registry.MustRegister(CloudRequests, CloudRequestDuration, TimeToActive, ImagesByState, FeedInterval)
}
