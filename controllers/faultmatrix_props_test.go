package controllers

import (
	"context"
	"fmt"
	"testing"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/events"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
	"github.com/serverimage-operator/serverimage-operator/internal/policy"
)

// TestFaultMatrixPropertyReactions: the property steps run on a Ready
// object, which stays Ready through what the operator retries on its own
// and turns Stalled for what a person must fix.
func TestFaultMatrixPropertyReactions(t *testing.T) {
	for _, step := range []policy.Step{policy.Properties, policy.AcceptShare} {
		for _, class := range policy.Classes {
			t.Run(fmt.Sprintf("%s/%s", step, class), func(t *testing.T) {
				want := policy.For(step, class)
				r, p := pollFixture()
				r.Recorder = events.NewFakeRecorder(10)
				p.prov = &failingProvider{err: matrixError(class)}
				si := p.si
				now := metav1.Now()
				si.Status.ActivatedTime = &now
				setReady(&si.Status.Conditions, si.Generation, imagesv1.ReasonImageActive, "active")
				si.Spec.Tags = []imagesv1.ImageTag{"golden"}
				var res reconcile.Result
				var err error
				if step == policy.Properties {
					res, err = r.syncProperties(context.Background(), p, nil, reconcile.Result{})
				} else {
					// What syncMembers does with a failed acceptShare.
					res, err = fail(&si.Status.Conditions, si.Generation, policy.AcceptShare, matrixError(class), "")
				}
				if want.Stalled {
					checkReaction(t, want, si.Status.Conditions, res, err)
					return
				}
				if !meta.IsStatusConditionTrue(si.Status.Conditions, imagesv1.ConditionReady) {
					t.Errorf("a retried failure took Ready away: %+v", si.Status.Conditions)
				}
				if err == nil && res.RequeueAfter == 0 {
					t.Errorf("no retry scheduled")
				}
			})
		}
	}
}
