package controllers

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/events"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
	"github.com/serverimage-operator/serverimage-operator/internal/faultmatrix"
	"github.com/serverimage-operator/serverimage-operator/internal/policy"
)

// These tests hold the reconcilers to internal/policy, from which
// docs/fault-matrix.md is rendered: every class of cloud error is made to
// fail the real step of a pass (through a provider that fails that call),
// and the Ready reason, Stalled or Reconciling, and the retry must be what
// the policy says.

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
		name         string
		policy, code time.Duration
	}{
		{"server re-check", policy.RecheckServer, ServerNotReadyRecheck},
		{"progress refresh (poll)", policy.RecheckProgress, ProgressRefreshInterval},
		{"Cloud re-check", policy.RecheckCloud, CloudReauthInterval},
	} {
		if tc.policy != tc.code {
			t.Errorf("%s: the policy says %s, the reconcilers use %s", tc.name, tc.policy, tc.code)
		}
	}
}

func TestFaultMatrixReactions(t *testing.T) {
	for _, step := range policy.Steps {
		if step == policy.Properties || step == policy.AcceptShare {
			continue // a Ready object: TestFaultMatrixPropertyReactions
		}
		for _, class := range policy.Classes {
			t.Run(fmt.Sprintf("%s/%s", step, class), func(t *testing.T) {
				want := policy.For(step, class)
				conds, res, err := reactTo(t, step, matrixError(class))
				checkReaction(t, want, conds, res, err)
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
	r, p := pollFixture()
	r.poller.clouds[p.cloud.UID].inFlight[p.si.Status.ImageID] = &trackedImage{obj: p.si, phase: phaseInProgress, notFound: true, fetchedAt: time.Now()}
	res, err := r.observe(context.Background(), p)
	checkReaction(t, want, p.si.Status.Conditions, res, err)
	if w := watchOf(p.si); w != watchNone {
		t.Errorf("a gone image is still watched (%v)", w)
	}
}

// reactTo runs the step on a provider whose every call fails with err and
// returns the resulting conditions and retry.
func reactTo(t *testing.T, step policy.Step, err error) ([]metav1.Condition, reconcile.Result, error) {
	t.Helper()
	ctx := context.Background()
	r, p := pollFixture()
	p.prov = &failingProvider{err: err}
	si := p.si
	var res reconcile.Result
	var rerr error
	switch step {
	case policy.FindImages:
		si.Status.ImageID = ""
		res, _, rerr = r.adopt(ctx, p)
	case policy.GetServer:
		si.Status.ImageID = ""
		res, _, rerr = r.checkServer(ctx, p)
	case policy.Create:
		si.Status.ImageID = ""
		res, rerr = r.create(ctx, p)
	case policy.Import:
		si.Status.ImageID = ""
		si.Spec.Import = &imagesv1.ImageImport{ImageID: "imported"}
		res, rerr = r.importImage(ctx, p)
	case policy.Poll:
		cp := r.poller.clouds[p.cloud.UID]
		cp.lastErr, cp.lastErrAt = err, time.Now()
		res, rerr = r.observe(ctx, p)
	case policy.Delete:
		res, rerr = deleteFailure(si, err)
	case policy.Stop, policy.Start:
		res, rerr = powerReaction(ctx, r, p, step)
	case policy.Authenticate:
		return cloudCheck(t, err)
	case policy.VolumeSnapshots, policy.DeleteVolumeSnapshots:
		res, rerr = volumeSnapshotStep(ctx, r, p, step)
	default:
		t.Fatalf("unknown step %q", step)
	}
	return si.Status.Conditions, res, rerr
}

func checkReaction(t *testing.T, want policy.Reaction, conds []metav1.Condition, res reconcile.Result, err error) {
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
	var retry *retryError
	backoff := errors.As(err, &retry)
	if err != nil && !backoff {
		t.Fatalf("unexpected error %v", err)
	}
	switch want.Retry {
	case policy.RetryBackoff:
		if !backoff || res.RequeueAfter != 0 {
			t.Errorf("result %+v, %v; want a backoff through the workqueue rate limiter", res, err)
		}
	case policy.RetryAfter:
		if backoff || res.RequeueAfter < matrixRetryAfter || res.RequeueAfter > matrixRetryAfter+matrixRetryAfter/10 {
			t.Errorf("result %+v, %v; want the cloud's %s plus jitter", res, err, matrixRetryAfter)
		}
	case policy.RetryEvery:
		if backoff || res.RequeueAfter < want.Every || res.RequeueAfter > want.Every+want.Every/10+time.Second {
			t.Errorf("result %+v, %v; want every %s", res, err, want.Every)
		}
	case policy.RetryNone:
		if backoff || res.RequeueAfter != 0 {
			t.Errorf("result %+v, %v; want no retry", res, err)
		}
	}
}

// TestRateLimiterBackoff: the workqueue rate limiter that RetryBackoff goes
// through starts at 0.5–1 s, doubles, stops at the cap, and forgets an
// object on success.
func TestRateLimiterBackoff(t *testing.T) {
	rl := newRateLimiter()
	req := reconcile.Request{NamespacedName: types.NamespacedName{Namespace: "n", Name: "a"}}
	if d := rl.When(req); d < policy.BackoffBase/2 || d > policy.BackoffBase {
		t.Errorf("first retry after %s, want within [%s, %s]", d, policy.BackoffBase/2, policy.BackoffBase)
	}
	if d := rl.When(req); d < policy.BackoffBase || d > 2*policy.BackoffBase {
		t.Errorf("second retry after %s, want within [%s, %s]", d, policy.BackoffBase, 2*policy.BackoffBase)
	}
	for range 30 {
		rl.When(req)
	}
	if d := rl.When(req); d < policy.BackoffCap/2 || d > policy.BackoffCap {
		t.Errorf("retry after many failures %s, want within [%s, %s]", d, policy.BackoffCap/2, policy.BackoffCap)
	}
	rl.Forget(req)
	if n := rl.NumRequeues(req); n != 0 {
		t.Errorf("%d requeues remembered after Forget", n)
	}
}

// failingProvider fails every call with err.
type failingProvider struct {
	cloud.NoImageProperties
	err error
}

func (f *failingProvider) Authenticate(context.Context) error { return f.err }
func (f *failingProvider) Capabilities() cloud.Capabilities {
	return cloud.Capabilities{ImagesPerCall: 1, IdempotencyKey: cloud.KeyInMetadata, ServerTasks: true}
}
func (f *failingProvider) GetServer(context.Context, string) (*cloud.Server, error) {
	return nil, f.err
}
func (f *failingProvider) CreateImage(context.Context, cloud.CreateImageRequest) (string, error) {
	return "", f.err
}
func (f *failingProvider) GetImage(context.Context, string) (*cloud.Image, error) { return nil, f.err }
func (f *failingProvider) GetImages(context.Context, []string) (map[string]cloud.Image, error) {
	return nil, f.err
}
func (f *failingProvider) FindImages(context.Context, cloud.FindImagesQuery) ([]cloud.Image, error) {
	return nil, f.err
}
func (f *failingProvider) ImagesChangedSince(context.Context, time.Time) ([]cloud.Image, error) {
	return nil, f.err
}
func (f *failingProvider) DeleteImage(context.Context, string) error { return f.err }

func newMatrixReconciler() *ServerImageReconciler {
	return &ServerImageReconciler{poller: newImagePoller(time.Now, time.Hour), Recorder: events.NewFakeRecorder(10)}
}

func matrixServerImage() *imagesv1.ServerImage {
	return &imagesv1.ServerImage{ObjectMeta: metav1.ObjectMeta{
		Namespace: "matrix", Name: "si", UID: types.UID("si-uid"), Generation: 1,
		CreationTimestamp: metav1.Now(),
	}}
}

// pollFixture is an object whose image is in flight, tracked by a poller
// that has not read it yet.
func pollFixture() (*ServerImageReconciler, *pass) {
	r, si := newMatrixReconciler(), matrixServerImage()
	now := metav1.Now()
	si.Status.ImageID, si.Status.CreateRequestedTime = "image-1", &now
	c := &imagesv1.Cloud{ObjectMeta: metav1.ObjectMeta{Namespace: "matrix", Name: "c", UID: types.UID("cloud-uid")}}
	r.poller.clouds[c.UID] = &cloudPoll{
		inFlight: map[string]*trackedImage{si.Status.ImageID: {obj: si, phase: phaseInProgress}},
		ready:    map[string]*trackedImage{},
		kick:     make(chan struct{}, 1),
		interval: pollIntervalOf(c),
	}
	return r, &pass{si: si, orig: si.DeepCopy(), cloud: c, prov: &failingProvider{}}
}

// cloudCheck runs the Cloud's check on a provider whose authentication
// fails with err.
func cloudCheck(t *testing.T, err error) ([]metav1.Condition, reconcile.Result, error) {
	t.Helper()
	c := &imagesv1.Cloud{ObjectMeta: metav1.ObjectMeta{Namespace: "matrix", Name: "c", Generation: 1, UID: "cloud-uid"}}
	// A Cloud that was Ready: a failure must take Ready away, so that its
	// ServerImages wait rather than fail one by one.
	setReady(&c.Status.Conditions, 1, imagesv1.ReasonAuthenticated, "ok")
	res, rerr := (&CloudReconciler{}).authenticate(context.Background(), c, &failingProvider{err: err})
	return c.Status.Conditions, res, rerr
}
