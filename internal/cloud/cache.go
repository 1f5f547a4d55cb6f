package cloud

import (
	"context"
	"sync"
)

// Cache keeps one Provider per Cloud so that tokens, negotiated
// microversions and rate limiters are shared by every object of that Cloud.
// An entry is rebuilt when its version changes (the Cloud's generation or
// the Secret's resourceVersion), which is how credential rotation is picked
// up without a restart.
type Cache struct {
	mu      sync.Mutex
	entries map[string]cacheEntry
}

type cacheEntry struct {
	version  string
	provider Provider
}

// NewCache returns an empty cache.
func NewCache() *Cache { return &Cache{entries: map[string]cacheEntry{}} }

// Get returns the Provider cached under id when its version matches, or
// builds, caches and returns a new one.
func (c *Cache) Get(ctx context.Context, id, version string, build func(context.Context) (Provider, error)) (Provider, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.entries[id]; ok && e.version == version {
		return e.provider, nil
	}
	p, err := build(ctx)
	if err != nil {
		return nil, err
	}
	c.entries[id] = cacheEntry{version: version, provider: p}
	return p, nil
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
