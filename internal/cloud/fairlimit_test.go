package cloud

import (
	"context"
	"sync"
	"testing"
	"time"

	"golang.org/x/time/rate"
)

// A lane that queues one call behind a busy lane's twenty is served within
// two tokens, not after the twenty.
func TestFairLimiterServesLanesInTurn(t *testing.T) {
	f := newFairLimiter(rate.NewLimiter(rate.Limit(50), 1))
	var mu sync.Mutex
	var order []string
	var wg sync.WaitGroup
	call := func(lane string) {
		defer wg.Done()
		if err := f.Wait(WithLane(context.Background(), lane)); err != nil {
			t.Error(err)
		}
		mu.Lock()
		order = append(order, lane)
		mu.Unlock()
	}
	for range 20 {
		wg.Add(1)
		go call("busy")
	}
	time.Sleep(30 * time.Millisecond) // the busy lane's calls are queued first
	wg.Add(1)
	go call("quiet")
	wg.Wait()
	for i, lane := range order {
		if lane == "quiet" {
			// Tokens granted before "quiet" queued went to "busy": at
			// 50/s and 30 ms that is at most three, then "quiet" is next.
			if i > 4 {
				t.Fatalf("quiet lane served %dth of %d: %v", i+1, len(order), order)
			}
			return
		}
	}
	t.Fatal("quiet lane never served")
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
