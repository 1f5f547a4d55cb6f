package kubetest

import (
	"fmt"
	"slices"
	"testing"
	"time"
)

// Wait bounds a wait: how long, and how often the condition is tried.
type Wait struct {
	Timeout time.Duration
	Poll    time.Duration
}

// DefaultWait is generous: the race detector and a busy 2-core machine
// slow everything down.
var DefaultWait = Wait{Timeout: 60 * time.Second, Poll: 50 * time.Millisecond}

// Until polls cond until it holds, or fails the test once the timeout has
// passed; describe, when given, adds the last state seen to the failure.
func (w Wait) Until(t testing.TB, what string, cond func() bool, describe ...func() string) {
	t.Helper()
	deadline := time.Now().Add(w.Timeout)
	for !cond() {
		if time.Now().After(deadline) {
			msg := fmt.Sprintf("timed out after %s waiting for %s", w.Timeout, what)
			for _, d := range describe {
				msg += "; " + d()
			}
			t.Fatal(msg)
		}
		time.Sleep(w.Poll)
	}
}

// Eventually is Until with the default poll.
func Eventually(t testing.TB, timeout time.Duration, what string, cond func() bool, describe ...func() string) {
	t.Helper()
	Wait{Timeout: timeout, Poll: DefaultWait.Poll}.Until(t, what, cond, describe...)
}

// UntilEqual waits until get returns want, in order.
func UntilEqual[E comparable](t testing.TB, w Wait, what string, get func() []E, want []E) {
	t.Helper()
	var got []E
	w.Until(t, what, func() bool {
		got = get()
		return slices.Equal(got, want)
	}, func() string { return fmt.Sprintf("got %v, want %v", got, want) })
}
