package cloud

import (
	"context"
	"sync"

	"golang.org/x/sync/singleflight"
)

// Cache keeps one Provider per Cloud so that tokens, negotiated
// microversions and rate limiters are shared by every object of that Cloud.
// An entry is rebuilt when its version changes (the Cloud's generation or
// the Secret's resourceVersion), which is how credential rotation is picked
// up without a restart.
//
// A build reads a Secret and may talk to the cloud, so it runs outside the
// lock: Clouds build in parallel, and callers asking for the same Cloud at
// the same version while it builds share that one build.
type Cache struct {
	mu      sync.Mutex
	entries map[string]cacheEntry
	builds  singleflight.Group
}

type cacheEntry struct {
	version  string
	provider Provider
}

// NewCache returns an empty cache.
func NewCache() *Cache { return &Cache{entries: map[string]cacheEntry{}} }

// Get returns the Provider cached under id when its version matches, or
// builds, caches and returns a new one. A caller whose ctx ends while it
// waits for another caller's build returns at once with ctx's error.
func (c *Cache) Get(ctx context.Context, id, version string, build func(context.Context) (Provider, error)) (Provider, error) {
	if p, ok := c.lookup(id, version); ok {
		return p, nil
	}
	// The NUL cannot occur in a UID, so no two (id, version) pairs share a key.
	key := id + "\x00" + version
	done := c.builds.DoChan(key, func() (any, error) {
		// A build that finished between the lookup and here is reused.
		if p, ok := c.lookup(id, version); ok {
			return p, nil
		}
		p, err := build(ctx)
		if err != nil {
			return nil, err
		}
		c.mu.Lock()
		c.entries[id] = cacheEntry{version: version, provider: p}
		c.mu.Unlock()
		return p, nil
	})
	select {
	case r := <-done:
		if r.Err != nil {
			return nil, r.Err
		}
		p, _ := r.Val.(Provider)
		return p, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (c *Cache) lookup(id, version string) (Provider, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[id]
	if !ok || e.version != version {
		return nil, false
	}
	return e.provider, true
}

// Existing returns the cached Provider of id whatever its version: the
// last credentials known to work, for cleaning up after the Secret is gone.
func (c *Cache) Existing(id string) (Provider, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[id]
	return e.provider, ok
}

// Forget drops the entry of a deleted Cloud.
func (c *Cache) Forget(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.entries, id)
}
