package controllers_test

import (
	"sync"
	"testing"
	"time"

	"github.com/serverimage-operator/serverimage-operator/internal/fakecloud"
)

// callTimes records when the simulator's count of op changes, so that a
// test can measure the gap between two calls.
func callTimes(t *testing.T, sim *fakecloud.Cloud, op fakecloud.Op) func() []time.Time {
	var (
		mu    sync.Mutex
		times []time.Time
	)
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		seen := sim.Calls(op)
		for {
			select {
			case <-done:
				return
			case <-time.After(2 * time.Millisecond):
			}
			if n := sim.Calls(op); n != seen {
				mu.Lock()
				for ; seen < n; seen++ {
					times = append(times, time.Now())
				}
				mu.Unlock()
			}
		}
	}()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			close(done)
			<-stopped
		})
	}
	t.Cleanup(stop)
	return func() []time.Time {
		stop()
		mu.Lock()
		defer mu.Unlock()
		return append([]time.Time(nil), times...)
	}
}
