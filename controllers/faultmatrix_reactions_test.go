package controllers

import (
	"context"
	"fmt"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
	"github.com/serverimage-operator/serverimage-operator/internal/faultmatrix"
)

// These tests hold internal/faultmatrix, from which docs/fault-matrix.md is
// rendered, to the reconcilers: every class of cloud error is fed to the
// failure handling of each context, and the Ready reason, Stalled or
// Reconciling, and the requeue must be what the document says.

// matrixRetryAfter is the wait the rate-limited errors ask for; longer
// than the first backoff step so the two cannot be confused.
const matrixRetryAfter = 7 * time.Second

func matrixError(class cloud.ErrorClass) *cloud.Error {
	e := &cloud.Error{Class: class, Op: "matrixOp", HTTPStatus: 599, Message: "injected " + string(class)}
	if class == cloud.ClassRateLimited {
		e.RetryAfter = matrixRetryAfter
	}
	return e
}

func TestFaultMatrixRecheckPeriods(t *testing.T) {
	for _, tc := range []struct {
		name      string
		doc, code time.Duration
	}{
		{"server re-check", faultmatrix.RecheckServer, ServerNotReadyRecheck},
		{"progress refresh (poll)", faultmatrix.RecheckProgress, ProgressRefreshInterval},
		{"delete re-check", faultmatrix.RecheckServer, ServerNotReadyRecheck},
		{"Cloud re-check", faultmatrix.RecheckCloud, CloudReauthInterval},
	} {
		if tc.doc != tc.code {
			t.Errorf("%s: the fault matrix says %s, the reconcilers use %s", tc.name, tc.doc, tc.code)
		}
	}
}

func TestFaultMatrixReactions(t *testing.T) {
	for _, ctx := range faultmatrix.Contexts {
		for _, class := range faultmatrix.Classes {
			t.Run(fmt.Sprintf("%s/%s", ctx, class), func(t *testing.T) {
				want := faultmatrix.React(ctx, class)
				conds, res := reactTo(t, ctx, matrixError(class))
				checkReaction(t, want, conds, res)
			})
		}
	}
}

// TestFaultMatrixImageGone is the one cell whose reaction is not the
// class's: a 404 on the image read means the image is gone.
func TestFaultMatrixImageGone(t *testing.T) {
	want, ok := faultmatrix.CellReaction("404", faultmatrix.OpGetImage)
	if !ok {
		t.Fatal("the matrix has no reaction for 404 on get image")
	}
	r, si, c := pollFixture()
	r.poller.clouds[c.UID].inFlight[si.Status.ImageID] = &trackedImage{obj: si, phase: cloud.PhasePending, notFound: true, fetchedAt: time.Now()}
	res, err := r.pollImage(context.Background(), si, c, nil)
	if err != nil {
		t.Fatal(err)
	}
	checkReaction(t, want, si.Status.Conditions, res)
}

// reactTo runs the failure handling of ctx on err and returns the
// resulting conditions and requeue.
func reactTo(t *testing.T, ctx faultmatrix.Context, err error) ([]metav1.Condition, reconcile.Result) {
	t.Helper()
	switch ctx {
	case faultmatrix.ContextCreate:
		r, si := newMatrixReconciler(), matrixServerImage()
		res := r.cloudFailure(context.Background(), si, err)
		return si.Status.Conditions, res
	case faultmatrix.ContextDelete:
		r, si := newMatrixReconciler(), matrixServerImage()
		res := r.deleteFailure(context.Background(), si, err)
		return si.Status.Conditions, res
	case faultmatrix.ContextPoll:
		r, si, c := pollFixture()
		cp := r.poller.clouds[c.UID]
		cp.lastErr, cp.lastErrAt = err, time.Now()
		res, rerr := r.pollImage(context.Background(), si, c, nil)
		if rerr != nil {
			t.Fatal(rerr)
		}
		return si.Status.Conditions, res
	case faultmatrix.ContextCloud:
		return cloudCheck(t, err)
	}
	t.Fatalf("unknown context %q", ctx)
	return nil, reconcile.Result{}
}

func checkReaction(t *testing.T, want faultmatrix.Reaction, conds []metav1.Condition, res reconcile.Result) {
	t.Helper()
	ready := meta.FindStatusCondition(conds, imagesv1.ConditionReady)
	if ready == nil || ready.Status != metav1.ConditionFalse || ready.Reason != want.Reason {
		t.Errorf("Ready %+v, want False with reason %s", ready, want.Reason)
	}
	stalled := meta.IsStatusConditionTrue(conds, imagesv1.ConditionStalled)
	reconciling := meta.IsStatusConditionTrue(conds, imagesv1.ConditionReconciling)
	if stalled != want.Stalled || reconciling == want.Stalled {
		t.Errorf("Stalled=%v Reconciling=%v, want Stalled=%v", stalled, reconciling, want.Stalled)
	}
	lo, hi := requeueWindow(want)
	if res.RequeueAfter < lo || res.RequeueAfter > hi {
		t.Errorf("requeue after %s, want within [%s, %s] (%s)", res.RequeueAfter, lo, hi, want.Retry)
	}
}

// requeueWindow is the requeue a reaction allows on an object's first
// failure: the first backoff step is 0.5–1 s; jitter adds up to 10 %.
func requeueWindow(r faultmatrix.Reaction) (time.Duration, time.Duration) {
	switch r.Retry {
	case faultmatrix.RetryBackoff:
		return backoffBase / 2, backoffBase
	case faultmatrix.RetryAfterOrBackoff:
		return matrixRetryAfter, matrixRetryAfter + matrixRetryAfter/10
	case faultmatrix.RetryAfterAtLeast:
		return matrixRetryAfter, matrixRetryAfter
	case faultmatrix.RetryEvery:
		return r.Every, r.Every + r.Every/10 + time.Second
	}
	return 0, 0
}

func newMatrixReconciler() *ServerImageReconciler {
	return &ServerImageReconciler{backoff: newBackoff(), poller: newImagePoller(time.Now, time.Hour)}
}

func matrixServerImage() *imagesv1.ServerImage {
	return &imagesv1.ServerImage{ObjectMeta: metav1.ObjectMeta{
		Namespace: "matrix", Name: "si", UID: types.UID("si-uid"), Generation: 1,
		CreationTimestamp: metav1.Now(),
	}}
}

// pollFixture is an object whose image is in flight, tracked by a poller
// that has not read it yet.
func pollFixture() (*ServerImageReconciler, *imagesv1.ServerImage, *imagesv1.Cloud) {
	r, si := newMatrixReconciler(), matrixServerImage()
	now := metav1.Now()
	si.Status.ImageID, si.Status.CreateRequestedTime = "image-1", &now
	c := &imagesv1.Cloud{ObjectMeta: metav1.ObjectMeta{Namespace: "matrix", Name: "c", UID: types.UID("cloud-uid")}}
	r.poller.clouds[c.UID] = &cloudPoll{
		inFlight: map[string]*trackedImage{si.Status.ImageID: {obj: si, phase: cloud.PhasePending}},
		ready:    map[string]*trackedImage{},
		kick:     make(chan struct{}, 1),
		interval: pollIntervalOf(c),
	}
	return r, si, c
}

// cloudCheck runs the Cloud's reaction to a failed authentication.
func cloudCheck(t *testing.T, err error) ([]metav1.Condition, reconcile.Result) {
	t.Helper()
	c := &imagesv1.Cloud{ObjectMeta: metav1.ObjectMeta{Namespace: "matrix", Name: "c", Generation: 1}}
	r := &CloudReconciler{backoff: newBackoff()}
	res := r.authFailure(c, "matrix/c", err)
	return c.Status.Conditions, res
}
