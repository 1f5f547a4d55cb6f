package controllers

import (
	"math/rand/v2"
	"time"

	"golang.org/x/time/rate"
	"k8s.io/client-go/util/workqueue"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/serverimage-operator/serverimage-operator/internal/policy"
)

// Overall retry budget of a controller: however many objects fail at once,
// their retries reach the clouds at this rate (the per-Cloud token bucket
// still applies underneath).
const (
	retryQPS   = 20
	retryBurst = 200
)

// newRateLimiter is the workqueue rate limiter every controller retries
// failures through (policy.RetryBackoff): per object exponential from
// policy.BackoffBase to policy.BackoffCap, half of each step random so that
// objects failing together do not retry together, under an overall bucket.
// A success (or a RequeueAfter) forgets the object's failures, and a
// deleted object is forgotten with it.
func newRateLimiter() workqueue.TypedRateLimiter[reconcile.Request] {
	return workqueue.NewTypedMaxOfRateLimiter[reconcile.Request](
		&jittered{workqueue.NewTypedItemExponentialFailureRateLimiter[reconcile.Request](policy.BackoffBase, policy.BackoffCap)},
		&workqueue.TypedBucketRateLimiter[reconcile.Request]{Limiter: rate.NewLimiter(rate.Limit(retryQPS), retryBurst)},
	)
}

// jittered adds jitter to a rate limiter's delays; client-go's exponential
// limiter has none, so it is added here rather than hand-writing the
// backoff again.
type jittered struct {
	workqueue.TypedRateLimiter[reconcile.Request]
}

func (j *jittered) When(item reconcile.Request) time.Duration {
	d := j.TypedRateLimiter.When(item)
	if d <= 1 {
		return d
	}
	return d/2 + time.Duration(rand.Int64N(int64(d/2)+1))
}
