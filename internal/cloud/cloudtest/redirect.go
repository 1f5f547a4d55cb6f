package cloudtest

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
)

// Collector stands for "another server" in redirect tests: it records
// every request that reaches it, token header and body included, so a
// test can assert that no credential was carried there.
type Collector struct {
	mu   sync.Mutex
	seen []string
}

func (c *Collector) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	c.mu.Lock()
	c.seen = append(c.seen, r.Method+" "+r.URL.Path+" token="+r.Header.Get("X-Auth-Token")+" body="+string(body))
	c.mu.Unlock()
	w.WriteHeader(http.StatusOK)
}

// Received returns what reached the collector so far.
func (c *Collector) Received() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.seen...)
}

// RedirectingFront answers every request with a redirect of the given
// status to a Collector on another host. A driver pointed at URL must
// neither succeed nor let the Collector see anything.
type RedirectingFront struct {
	URL string
	Collector
}

// Cleaner is the part of testing.TB a RedirectingFront needs.
type Cleaner interface{ Cleanup(func()) }

// NewRedirectingFront starts both servers; they close with the test.
func NewRedirectingFront(t Cleaner, status int) *RedirectingFront {
	r := &RedirectingFront{}
	other := httptest.NewServer(&r.Collector)
	t.Cleanup(other.Close)
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		http.Redirect(w, req, other.URL+req.URL.Path, status)
	}))
	t.Cleanup(front.Close)
	r.URL = front.URL
	return r
}
