package cloud

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/time/rate"
)

// A lane that queues one call behind a busy lane's twenty is served on the
// next token or the one after, not after the twenty.
func TestFairLimiterServesLanesInTurn(t *testing.T) {
	f := newFairLimiter(rate.NewLimiter(rate.Limit(50), 1))
	var busyGranted atomic.Int32
	var wg sync.WaitGroup
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := f.Wait(WithLane(context.Background(), "busy")); err == nil {
				busyGranted.Add(1)
			}
		}()
	}
	time.Sleep(30 * time.Millisecond) // the busy lane's calls are queued first
	before := busyGranted.Load()
	if err := f.Wait(WithLane(context.Background(), "quiet")); err != nil {
		t.Fatal(err)
	}
	if ahead := busyGranted.Load() - before; ahead > 2 {
		t.Errorf("%d busy calls were served while the quiet lane waited", ahead)
	}
	wg.Wait()
	if n := busyGranted.Load(); n != 20 {
		t.Errorf("%d of 20 busy calls served", n)
	}
}

// A waiter whose context ends leaves the queue and costs no token.
func TestFairLimiterCancelledWaiterLeaves(t *testing.T) {
	f := newFairLimiter(rate.NewLimiter(rate.Every(time.Hour), 1))
	if err := f.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(WithLane(context.Background(), "a"), 20*time.Millisecond)
	defer cancel()
	if err := f.Wait(ctx); err == nil {
		t.Fatal("second call in an hour-long bucket was granted")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.queues) != 0 || len(f.turn) != 0 {
		t.Fatalf("cancelled waiter still queued: %v %v", f.queues, f.turn)
	}
}
