package controllers_test

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	clocktesting "k8s.io/utils/clock/testing"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/config"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
	"github.com/serverimage-operator/serverimage-operator/controllers"
	"github.com/serverimage-operator/serverimage-operator/internal/fakecloud"
	"github.com/serverimage-operator/serverimage-operator/internal/kubetest"
)

// scheduleHarness drives ServerImageSchedules in fake time. The package's
// shared manager skips schedules (SkipSchedules) but reconciles the
// ServerImages they create against the simulator in real time; this
// harness runs a second manager, limited to the scenario's namespace, with
// only the schedule reconciler and a fake clock that the test steps.
type scheduleHarness struct {
	*scenario
	clock  *clocktesting.FakePassiveClock
	server string
	stop   func()
}

// pokes makes every poke annotation value unique.
var pokes atomic.Int64

func newScheduleHarness(t *testing.T, start string, opts fakecloud.Options) *scheduleHarness {
	t.Helper()
	s := newScenario(t, opts)
	h := &scheduleHarness{
		scenario: s,
		clock:    clocktesting.NewFakePassiveClock(at(start)),
		server:   s.sim.AddServer(fakecloud.Server{Name: "web-1"}).ID,
	}
	h.startManager()
	t.Cleanup(func() { h.stopManager() })
	return h
}

// at parses an RFC 3339 time.
func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func (h *scheduleHarness) startManager() {
	h.T.Helper()
	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		Scheme:                 scheme,
		Metrics:                metricsserver.Options{BindAddress: "0"},
		HealthProbeBindAddress: "0",
		Cache:                  cache.Options{DefaultNamespaces: map[string]cache.Config{h.Name: {}}},
		// Every harness registers a controller of the same name.
		Controller: config.Controller{SkipNameValidation: ptr.To(true)},
	})
	if err != nil {
		h.T.Fatal(err)
	}
	if err := controllers.SetupSchedules(mgr, controllers.Options{Clock: h.clock, MaxConcurrentReconciles: 1}); err != nil {
		h.T.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- mgr.Start(ctx) }()
	h.stop = func() {
		cancel()
		if err := <-done; err != nil {
			h.T.Errorf("schedule manager: %v", err)
		}
	}
}

func (h *scheduleHarness) stopManager() {
	if h.stop != nil {
		h.stop()
		h.stop = nil
	}
}

// createSchedule creates a schedule of the harness's server on the
// harness's Cloud, every minute unless mutate says otherwise, and waits
// for its first pass (which records the next slot, or why there is none).
func (h *scheduleHarness) createSchedule(name string, mutate ...func(*imagesv1.ServerImageSchedule)) *imagesv1.ServerImageSchedule {
	h.T.Helper()
	sis := &imagesv1.ServerImageSchedule{
		ObjectMeta: h.Meta(name),
		Spec: imagesv1.ServerImageScheduleSpec{
			Schedule: "*/1 * * * *",
			Template: imagesv1.ServerImageTemplate{
				CloudRef: imagesv1.CloudReference{Name: h.cloud},
				ServerID: h.server,
			},
		},
	}
	for _, m := range mutate {
		m(sis)
	}
	h.Create(sis)
	return h.waitSchedule(name, "first pass", func(s *imagesv1.ServerImageSchedule) bool {
		return s.Status.ObservedGeneration == s.Generation && readyOrStalled(s)
	})
}

func readyOrStalled(s *imagesv1.ServerImageSchedule) bool {
	return meta.IsStatusConditionTrue(s.Status.Conditions, imagesv1.ConditionReady) ||
		meta.IsStatusConditionTrue(s.Status.Conditions, imagesv1.ConditionStalled)
}

func (h *scheduleHarness) getSchedule(name string) *imagesv1.ServerImageSchedule {
	h.T.Helper()
	return kubetest.Get[imagesv1.ServerImageSchedule](h.NS, name)
}

func (h *scheduleHarness) waitSchedule(name, what string, cond func(*imagesv1.ServerImageSchedule) bool) *imagesv1.ServerImageSchedule {
	h.T.Helper()
	return kubetest.WaitFor(h.NS, name, what, cond)
}

// tick sets the fake clock and asks the schedule for a pass (a real
// RequeueAfter would wait in real time).
func (h *scheduleHarness) tick(name, to string) {
	h.T.Helper()
	h.clock.SetTime(at(to))
	h.PatchAnnotation(&imagesv1.ServerImageSchedule{ObjectMeta: h.Meta(name)},
		"test.serverimage.dev/poke", strconv.FormatInt(pokes.Add(1), 10))
}

// waitNext waits until the schedule's pass at the current fake time
// recorded want as the next slot.
func (h *scheduleHarness) waitNext(name, want string) *imagesv1.ServerImageSchedule {
	h.T.Helper()
	return h.waitSchedule(name, "nextScheduleTime "+want, func(s *imagesv1.ServerImageSchedule) bool {
		return s.Status.NextScheduleTime != nil && s.Status.NextScheduleTime.Time.Equal(at(want))
	})
}

// runs lists the schedule's ServerImages by name, oldest first (the names
// end in the slot).
func (h *scheduleHarness) runs(name string) []imagesv1.ServerImage {
	h.T.Helper()
	var list imagesv1.ServerImageList
	if err := k8s.List(context.Background(), &list, client.InNamespace(h.Name), client.MatchingLabels{imagesv1.ScheduleLabel: name}); err != nil {
		h.T.Fatal(err)
	}
	slices.SortFunc(list.Items, func(a, b imagesv1.ServerImage) int { return strings.Compare(a.Name, b.Name) })
	return list.Items
}

func (h *scheduleHarness) runNames(name string) []string {
	h.T.Helper()
	var out []string
	for _, si := range h.runs(name) {
		out = append(out, si.Name)
	}
	return out
}

// waitRuns waits until the schedule's ServerImages are exactly want.
func (h *scheduleHarness) waitRuns(name string, want ...string) {
	h.T.Helper()
	kubetest.UntilEqual(h.T, h.Wait, "the runs of schedule "+name, func() []string { return h.runNames(name) }, want)
}

// runAt is the ServerImage name of a run at slot.
func runAt(name, slot string) string {
	return name + "-" + at(slot).UTC().Format("200601021504")
}

// simImageNames lists the names of the simulator's images, sorted.
func (h *scheduleHarness) simImageNames() []string {
	var out []string
	for _, img := range h.sim.Images() {
		out = append(out, img.Name)
	}
	slices.Sort(out)
	return out
}

func (h *scheduleHarness) waitSimImages(want ...string) {
	h.T.Helper()
	kubetest.UntilEqual(h.T, h.Wait, "the simulator's images", h.simImageNames, want)
}
