package cloud

import (
	"context"
	"sync"

	"golang.org/x/time/rate"
)

type laneKey struct{}

// WithLane tags ctx with the lane (a namespace) its calls are counted
// against by a fair rate limit.
func WithLane(ctx context.Context, lane string) context.Context {
	return context.WithValue(ctx, laneKey{}, lane)
}

// laneOf is ctx's lane; calls without one (the poller's batched reads, the
// credential check) share the lane "".
func laneOf(ctx context.Context) string {
	lane, _ := ctx.Value(laneKey{}).(string)
	return lane
}

// FairRateLimit is RateLimit for a Provider shared by several namespaces:
// the same one bucket for the account, but its tokens go round-robin to the
// lanes that are waiting, so a namespace with a thousand calls queued gets
// one token in turn with a namespace that has one.
func FairRateLimit(p Provider, limiter *rate.Limiter) Provider {
	if limiter == nil {
		return p
	}
	return &rateLimited{next: p, limiter: newFairLimiter(limiter)}
}

// fairLimiter hands the tokens of one rate.Limiter to waiting lanes in
// turn: one dispatcher takes a token, then releases the first waiter of the
// next lane.
type fairLimiter struct {
	limiter *rate.Limiter

	mu          sync.Mutex
	queues      map[string][]chan struct{}
	turn        []string // lanes with waiters, next served first
	dispatching bool
}

func newFairLimiter(l *rate.Limiter) *fairLimiter {
	return &fairLimiter{limiter: l, queues: map[string][]chan struct{}{}}
}

// Wait blocks until ctx's lane is given a token or ctx ends.
func (f *fairLimiter) Wait(ctx context.Context) error {
	lane := laneOf(ctx)
	ready := make(chan struct{})
	f.mu.Lock()
	if len(f.queues[lane]) == 0 {
		f.turn = append(f.turn, lane)
	}
	f.queues[lane] = append(f.queues[lane], ready)
	if !f.dispatching {
		f.dispatching = true
		go f.dispatch()
	}
	f.mu.Unlock()

	select {
	case <-ready:
		return nil
	case <-ctx.Done():
		f.mu.Lock()
		defer f.mu.Unlock()
		if !f.dropLocked(lane, ready) {
			return nil // granted while ctx ended: use the token
		}
		return ctx.Err()
	}
}

// dispatch runs while anyone waits. Tokens are taken from the bucket one at
// a time, so a lane that arrives late is served on the next token.
func (f *fairLimiter) dispatch() {
	for {
		f.mu.Lock()
		if len(f.turn) == 0 {
			f.dispatching = false
			f.mu.Unlock()
			return
		}
		f.mu.Unlock()
		// The burst is at least 1, so a wait without deadline cannot fail.
		_ = f.limiter.Wait(context.Background())
		f.mu.Lock()
		if len(f.turn) > 0 {
			lane := f.turn[0]
			q := f.queues[lane]
			close(q[0])
			f.popLocked(lane)
		}
		f.mu.Unlock()
	}
}

// popLocked removes the first waiter of lane, which goes to the back of the
// turn if it still has waiters.
func (f *fairLimiter) popLocked(lane string) {
	f.turn = f.turn[1:]
	if q := f.queues[lane][1:]; len(q) > 0 {
		f.queues[lane] = q
		f.turn = append(f.turn, lane)
	} else {
		delete(f.queues, lane)
	}
}

// dropLocked removes a waiter whose ctx ended; false when it was already
// granted.
func (f *fairLimiter) dropLocked(lane string, ready chan struct{}) bool {
	q := f.queues[lane]
	for i, w := range q {
		if w != ready {
			continue
		}
		q = append(q[:i:i], q[i+1:]...)
		if len(q) > 0 {
			f.queues[lane] = q
			return true
		}
		delete(f.queues, lane)
		for j, l := range f.turn {
			if l == lane {
				f.turn = append(f.turn[:j:j], f.turn[j+1:]...)
				break
			}
		}
		return true
	}
	return false
}
