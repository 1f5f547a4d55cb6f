// Package cloudtest holds what the drivers' tests share: a record of the
// requests a hand-written test server received, for asserting what a
// driver sent.
package cloudtest

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"sync"
)

// Request is one request a test server received.
type Request struct {
	Method, Path, Query, Body string
	Header                    http.Header
}

// MV and NovaMV are the two compute microversion headers as received.
func (r Request) MV() string     { return r.Header.Get("OpenStack-API-Version") }
func (r Request) NovaMV() string { return r.Header.Get("X-OpenStack-Nova-API-Version") }

// RequestLog records requests. It is safe for concurrent use; the zero
// value is ready.
type RequestLog struct {
	mu   sync.Mutex
	reqs []Request
}

// Record keeps r. Its body is read and put back for the handler.
func (l *RequestLog) Record(r *http.Request) {
	raw, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(raw))
	l.mu.Lock()
	defer l.mu.Unlock()
	l.reqs = append(l.reqs, Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Body: string(raw), Header: r.Header.Clone()})
}

// Requests returns the recorded requests whose path has the prefix.
func (l *RequestLog) Requests(pathPrefix string) []Request {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []Request
	for _, r := range l.reqs {
		if strings.HasPrefix(r.Path, pathPrefix) {
			out = append(out, r)
		}
	}
	return out
}

// Len is how many requests were recorded.
func (l *RequestLog) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.reqs)
}
