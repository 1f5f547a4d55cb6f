package controllers

import (
	"context"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/events"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
	"github.com/serverimage-operator/serverimage-operator/internal/policy"
)

func (f *failingProvider) StopServer(context.Context, string) error  { return f.err }
func (f *failingProvider) StartServer(context.Context, string) error { return f.err }

// powerReaction runs the stop step (waiting for the server to stop) or
// the start step on a provider whose every call fails.
func powerReaction(ctx context.Context, r *ServerImageReconciler, p *pass, step policy.Step) (reconcile.Result, error) {
	r.Recorder = events.NewFakeRecorder(100)
	now := metav1.Now()
	p.si.Spec.ServerID, p.si.Spec.Consistency = "2a9be312-5d4b-4bc8-b2ae-35100fa9241f", imagesv1.ConsistencyStopped
	if step == policy.Stop {
		p.si.Status.ImageID = ""
		p.si.Status.Power = &imagesv1.ServerPowerStatus{State: imagesv1.PowerStopping, WasRunning: true, StopRequestedTime: &now}
		res, _, err := r.awaitStop(ctx, p)
		return res, err
	}
	p.si.Status.Power = &imagesv1.ServerPowerStatus{State: imagesv1.PowerStopped, WasRunning: true, StopRequestedTime: &now}
	return r.startOwed(ctx, p)
}
