package cloud

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestCacheBuildsCloudsInParallel: a slow build of one Cloud does not hold
// up another Cloud's. Cloud a's build finishes only once b's has started,
// which can happen only if both run at the same time.
func TestCacheBuildsCloudsInParallel(t *testing.T) {
	cache := NewCache()
	bStarted := make(chan struct{})
	errs := make(chan error, 2)
	go func() {
		_, err := cache.Get(context.Background(), "a", "v1", func(context.Context) (Provider, error) {
			select {
			case <-bStarted:
				return &countingProvider{}, nil
			case <-time.After(10 * time.Second):
				return nil, errors.New("cloud b's build never started while a's was running")
			}
		})
		errs <- err
	}()
	go func() {
		// Give a's build the head start that makes the serialised order a, b.
		time.Sleep(20 * time.Millisecond)
		_, err := cache.Get(context.Background(), "b", "v1", func(context.Context) (Provider, error) {
			close(bStarted)
			return &countingProvider{}, nil
		})
		errs <- err
	}()
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}

// TestCacheBuildsOneCloudOnce: callers that ask for the same Cloud at the
// same version while it builds all get that one build's Provider; a new
// version builds again.
func TestCacheBuildsOneCloudOnce(t *testing.T) {
	cache := NewCache()
	var builds atomic.Int32
	started, release := make(chan struct{}), make(chan struct{})
	build := func(context.Context) (Provider, error) {
		if builds.Add(1) == 1 {
			close(started)
		}
		<-release
		return &countingProvider{}, nil
	}
	const callers = 8
	got := make([]Provider, callers)
	var wg sync.WaitGroup
	for i := range callers {
		wg.Go(func() {
			p, err := cache.Get(context.Background(), "a", "v1", build)
			if err != nil {
				t.Error(err)
			}
			got[i] = p
		})
	}
	<-started
	// Let the other callers reach the cache while the build is under way.
	time.Sleep(50 * time.Millisecond)
	close(release)
	wg.Wait()
	if n := builds.Load(); n != 1 {
		t.Fatalf("%d builds for one Cloud at one version, want 1", n)
	}
	for i, p := range got {
		if p != got[0] {
			t.Errorf("caller %d got another Provider", i)
		}
	}
	p, err := cache.Get(context.Background(), "a", "v2", build)
	if err != nil {
		t.Fatal(err)
	}
	if n := builds.Load(); n != 2 || p == got[0] {
		t.Errorf("after a version change: %d builds, same Provider %t; want 2 builds and a new Provider", n, p == got[0])
	}
}

// TestCacheWaiterLeavesOnItsOwnCancel: a caller waiting for another's
// build returns when its own context ends; the build goes on for the other.
func TestCacheWaiterLeavesOnItsOwnCancel(t *testing.T) {
	cache := NewCache()
	started, release := make(chan struct{}), make(chan struct{})
	first := make(chan error, 1)
	go func() {
		_, err := cache.Get(context.Background(), "a", "v1", func(context.Context) (Provider, error) {
			close(started)
			<-release
			return &countingProvider{}, nil
		})
		first <- err
	}()
	<-started
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	waiter := make(chan error, 1)
	go func() {
		_, err := cache.Get(ctx, "a", "v1", func(context.Context) (Provider, error) {
			return nil, errors.New("a second build of the same Cloud and version")
		})
		waiter <- err
	}()
	select {
	case err := <-waiter:
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("waiter: %v, want its own deadline", err)
		}
	case <-time.After(10 * time.Second):
		close(release)
		t.Fatal("the waiter did not return when its context ended")
	}
	close(release)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	if _, ok := cache.Existing("a"); !ok {
		t.Error("the build's Provider was not cached")
	}
}
