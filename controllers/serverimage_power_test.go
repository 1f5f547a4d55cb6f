package controllers

import (
	"context"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/events"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
	"github.com/serverimage-operator/serverimage-operator/internal/kubetest"
)

// powerStub is a cloud whose server reads as srv and which records the
// power calls it gets.
type powerStub struct {
	failingProvider
	srv   cloud.Server
	calls []string
}

func (s *powerStub) GetServer(context.Context, string) (*cloud.Server, error) {
	srv := s.srv
	return &srv, nil
}
func (s *powerStub) StopServer(context.Context, string) error {
	s.calls = append(s.calls, "stop")
	return nil
}
func (s *powerStub) StartServer(context.Context, string) error {
	s.calls = append(s.calls, "start")
	return nil
}

// stopTimeoutPass is a pass of an object whose stop was requested longer
// than StopTimeout ago, on a server that reads srv.
func stopTimeoutPass(srv cloud.Server) (*ServerImageReconciler, *pass, *powerStub) {
	r, p := pollFixture()
	c := fake.NewClientBuilder().WithScheme(kubetest.NewScheme()).Build()
	r.Client, r.APIReader, r.Recorder = c, c, events.NewFakeRecorder(100)
	stub := &powerStub{srv: srv}
	p.prov = stub
	long := metav1.NewTime(time.Now().Add(-StopTimeout - time.Minute))
	p.si.Spec.ServerID, p.si.Spec.Consistency, p.si.Status.ImageID = "2a9be312-5d4b-4bc8-b2ae-35100fa9241f", imagesv1.ConsistencyStopped, ""
	p.si.Status.Power = &imagesv1.ServerPowerStatus{State: imagesv1.PowerStopping, WasRunning: true, StopRequestedTime: &long}
	return r, p, stub
}

// A stop not seen within StopTimeout takes no image. A server that never
// stopped is left running, and not stopped again.
func TestStopTimeoutLeavesARunningServer(t *testing.T) {
	r, p, stub := stopTimeoutPass(cloud.Server{Status: "ACTIVE", Power: cloud.PowerRunning, Readiness: cloud.ServerIdle})
	if _, done, err := r.awaitStop(context.Background(), p); !done || err != nil {
		t.Fatalf("done %v, err %v; want the pass to end without an image", done, err)
	}
	if p.si.Status.Power.State != imagesv1.PowerNotStopped || !hasStalled(p.si, imagesv1.ReasonStopTimeout) {
		t.Errorf("power %+v, conditions %+v", p.si.Status.Power, p.si.Status.Conditions)
	}
	if len(stub.calls) != 0 {
		t.Errorf("power calls %v past the stop's bound", stub.calls)
	}
}

// A server still going down when the bound passes is owed a start: it is
// put back as it was, once the cloud accepts the start.
func TestStopTimeoutStartsAServerThatWentDown(t *testing.T) {
	r, p, stub := stopTimeoutPass(cloud.Server{Status: "SHUTOFF", Power: cloud.PowerStopped, Readiness: cloud.ServerIdle, Snapshot: cloud.StageNone})
	// Seen stopped at last: that is not a timeout, the image goes ahead.
	if _, done, _ := r.awaitStop(context.Background(), p); done || p.si.Status.Power.State != imagesv1.PowerStopped {
		t.Fatalf("a stopped server past the bound: done %v, power %+v", done, p.si.Status.Power)
	}
	r, p, stub = stopTimeoutPass(cloud.Server{Status: "ACTIVE (task_state powering-off)", Power: cloud.PowerRunning, Readiness: cloud.ServerBusy})
	if _, done, _ := r.awaitStop(context.Background(), p); !done || !hasStalled(p.si, imagesv1.ReasonStopTimeout) {
		t.Fatalf("still stopping past the bound: done %v, conditions %+v", done, p.si.Status.Conditions)
	}
	if !p.si.Status.Power.Owed() || len(stub.calls) != 0 {
		t.Errorf("power %+v, calls %v: want a start owed, sent once the server is idle", p.si.Status.Power, stub.calls)
	}
	stub.srv = cloud.Server{Status: "SHUTOFF", Power: cloud.PowerStopped, Readiness: cloud.ServerIdle}
	if _, err := r.startOwed(context.Background(), p); err != nil || len(stub.calls) != 1 || stub.calls[0] != "start" {
		t.Errorf("start: %v, calls %v", err, stub.calls)
	}
}

func hasStalled(si *imagesv1.ServerImage, reason string) bool {
	c := condition(si, imagesv1.ConditionStalled)
	return c != nil && c.Status == metav1.ConditionTrue && c.Reason == reason
}
