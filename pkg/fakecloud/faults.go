package fakecloud

import (
	"net/http"
	"strconv"
	"time"

	sim "github.com/serverimage-operator/serverimage-operator/internal/fakecloud"
)

// Op is a kind of call the operator makes, named the same whatever the
// dialect, for faults and the call ledger.
type Op string

// The calls the operator makes.
const (
	// OpAuth is a login: a token request (none with AK/SK signing).
	OpAuth Op = Op(sim.OpAuth)
	// OpGetServer reads a server.
	OpGetServer Op = Op(sim.OpGetServer)
	// OpCreateImage asks for an image of a server.
	OpCreateImage Op = Op(sim.OpCreateImage)
	// OpGetImage reads one image.
	OpGetImage Op = Op(sim.OpGetImage)
	// OpListImages reads many images in one call.
	OpListImages Op = Op(sim.OpListImages)
	// OpDeleteImage deletes an image.
	OpDeleteImage Op = Op(sim.OpDeleteImage)
)

// FailNext makes the next times calls of op fail with the HTTP status
// (503 Service Unavailable when 0), in the dialect's error format. The
// call is answered without being carried out: a failed OpCreateImage
// creates nothing. Faults are used up in the order they were set.
func (c *Cloud) FailNext(op Op, times, status int) {
	if status == 0 {
		status = http.StatusServiceUnavailable
	}
	c.sim.InjectFault(sim.Fault{Op: sim.Op(op), Times: times, Status: status})
}

// RateLimitNext refuses the next call of op as the cloud's rate limit
// does (429, or 413 where the cloud says so), asking to retry after the
// given time (rounded up to whole seconds, as the Retry-After header is).
func (c *Cloud) RateLimitNext(op Op, retryAfter time.Duration) {
	secs := int((retryAfter + time.Second - 1) / time.Second)
	c.sim.InjectFault(sim.Fault{Op: sim.Op(op), Status: c.spec.rateLimited, RetryAfter: strconv.Itoa(secs)})
}

// DropNextCreateResponse makes the next createImage happen on the cloud
// but lose its answer: the connection closes before the response. The
// operator must find the image it made rather than make a second one.
func (c *Cloud) DropNextCreateResponse() {
	c.sim.InjectFault(sim.Fault{Op: sim.OpCreateImage, DropResponse: true})
}

// ClearFaults removes every fault not used up yet.
func (c *Cloud) ClearFaults() { c.sim.ClearFaults() }

// ExpireTokens invalidates every token issued so far: their next use is
// answered 401 and the operator must log in again. (AK/SK signed dialects
// have no tokens.)
func (c *Cloud) ExpireTokens() { c.sim.ExpireTokens() }

// Calls is how many calls of op arrived, failed and faulted ones included.
func (c *Cloud) Calls(op Op) int { return c.sim.Calls(sim.Op(op)) }

// Ledger returns how many calls of each kind arrived, including kinds the
// operator makes outside its main path (version documents and the like).
func (c *Cloud) Ledger() map[Op]int {
	out := map[Op]int{}
	for op, n := range c.sim.Ledger() {
		out[Op(op)] = n
	}
	return out
}

// ResetLedger sets every count back to zero.
func (c *Cloud) ResetLedger() { c.sim.ResetLedger() }
