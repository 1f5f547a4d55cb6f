//go:build openstack

package openstack

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// novaURL is nova-api as hack/openstack/up runs it.
const novaURL = "http://127.0.0.1:8774"

// call is one createImage request the operator sent to Nova, and Nova's
// answer, as seen on the wire.
type call struct {
	ServerID     string
	Microversion string // the OpenStack-API-Version header sent, "" when none
	Status       int
	Location     string
	Body         string
}

// recorder is a reverse proxy in front of nova-api that remembers every
// createImage: the Cloud's endpoints.compute points at it, so the suite
// sees which microversion the operator negotiated and what Nova answered,
// without reading the operator's logs.
type recorder struct {
	URL   string // use as endpoints.compute (it ends in /v2.1)
	mu    sync.Mutex
	calls []call
}

func newRecorder(t *testing.T) *recorder {
	t.Helper()
	target, _ := url.Parse(novaURL)
	r := &recorder{}
	proxy := httputil.NewSingleHostReverseProxy(target)
	proxy.ModifyResponse = func(resp *http.Response) error {
		req := resp.Request
		if req.Method != http.MethodPost || !strings.HasSuffix(req.URL.Path, "/action") {
			return nil
		}
		// Only read what is small: createImage answers are a few bytes.
		body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
		_ = resp.Body.Close()
		if err != nil {
			return err
		}
		resp.Body = io.NopCloser(bytes.NewReader(body))
		parts := strings.Split(strings.TrimSuffix(req.URL.Path, "/action"), "/")
		r.mu.Lock()
		r.calls = append(r.calls, call{
			ServerID:     parts[len(parts)-1],
			Microversion: req.Header.Get("OpenStack-API-Version"),
			Status:       resp.StatusCode,
			Location:     resp.Header.Get("Location"),
			Body:         string(body),
		})
		r.mu.Unlock()
		return nil
	}
	srv := httptest.NewServer(proxy)
	t.Cleanup(srv.Close)
	r.URL = srv.URL + "/v2.1"
	return r
}

// createImageCalls returns the recorded server actions for serverID (the
// operator sends no other action).
func (r *recorder) createImageCalls(serverID string) []call {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []call
	for _, c := range r.calls {
		if c.ServerID == serverID {
			out = append(out, c)
		}
	}
	return out
}
