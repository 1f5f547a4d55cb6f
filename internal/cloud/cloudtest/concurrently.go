package cloudtest

import (
	"sync"
	"testing"
)

// Concurrently makes n calls at once, call(0) to call(n-1), and fails t
// with every error once all have returned.
func Concurrently(t testing.TB, n int, call func(i int) error) {
	t.Helper()
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { errs <- call(i) })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}
