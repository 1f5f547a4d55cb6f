package fakecloud

import (
	"math/rand/v2"
	"net/http"
	"sync"
	"time"
)

// Fault makes matching calls misbehave. Faults are consulted in the order
// they were injected; the first one that matches a call is used up by it.
type Fault struct {
	Op Op
	// Times is how many matching calls are affected (default 1).
	Times int
	// Status is the HTTP status to answer with, with the dialect's error
	// body. 0 (and DropResponse false) means latency only.
	Status int
	// Message is the error message in the body (default: per status).
	Message string
	// RetryAfter is sent as the Retry-After header (seconds or HTTP date)
	// and, for Nova 413/429, copied into the body as "retryAfter".
	RetryAfter string
	// Latency is slept before answering.
	Latency time.Duration
	// DropResponse performs the operation for real (e.g. the image is
	// created) and then closes the connection without writing a response,
	// the "lost response" that idempotent creates must survive.
	DropResponse bool
	// ServerID, when set, restricts the fault to calls about that server
	// (for image calls: images of that server, or lists filtered by it).
	ServerID string
	// Probability, when above zero, makes the fault a standing one: it is
	// never used up (Times is ignored) and strikes each matching call with
	// this probability; a call it spares goes on to the next fault. This
	// is how a soak run gets random 5xx, 409s and lost responses.
	// (faultstats.go counts what struck; SetFaultSeed makes it repeatable.)
	Probability float64
	// Body is written raw as the answer instead of the real one, with
	// Status (200 when 0) and Content-Type application/json: a malformed
	// or truncated success response, or an error body of any shape
	// (RetryAfter still sets the Retry-After header).
	Body string
}

type faultSet struct {
	mu     sync.Mutex
	faults []*Fault
	// rng rolls Probability faults; fired counts what struck (faultstats.go).
	rng   *rand.Rand
	fired map[FaultKind]int
}

func (fs *faultSet) inject(f Fault) {
	if f.Times <= 0 {
		f.Times = 1
	}
	fs.mu.Lock()
	fs.faults = append(fs.faults, &f)
	fs.mu.Unlock()
}

func (fs *faultSet) clear() {
	fs.mu.Lock()
	fs.faults = nil
	fs.mu.Unlock()
}

// take returns (a copy of) the first fault matching op and serverID and
// uses up one of its Times; ok is false when none matches.
func (fs *faultSet) take(op Op, serverID string) (Fault, bool) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	for i, f := range fs.faults {
		if f.Op != op || (f.ServerID != "" && f.ServerID != serverID) {
			continue
		}
		if f.Probability > 0 {
			if !fs.roll(f.Probability) {
				continue
			}
			fs.record(op, f)
			return *f, true
		}
		fs.record(op, f)
		f.Times--
		if f.Times <= 0 {
			fs.faults = append(fs.faults[:i:i], fs.faults[i+1:]...)
		}
		return *f, true
	}
	return Fault{}, false
}

// defaultFaultMessage gives an injected fault a plausible message.
func defaultFaultMessage(status int) string {
	switch status {
	case http.StatusBadRequest:
		return "Bad request (injected fault)."
	case http.StatusUnauthorized:
		return "The request you have made requires authentication."
	case http.StatusForbidden:
		return "Policy doesn't allow this operation to be performed."
	case http.StatusNotFound:
		return "The resource could not be found."
	case http.StatusConflict:
		return "There was a conflict when trying to complete your request."
	case http.StatusRequestEntityTooLarge, http.StatusTooManyRequests:
		return "This request was rate-limited."
	case http.StatusServiceUnavailable:
		return "The service is temporarily unavailable."
	case http.StatusInternalServerError:
		return "Unexpected API Error. Please report this at http://bugs.launchpad.net/nova/ and attach the Nova API log if possible."
	}
	if t := http.StatusText(status); t != "" {
		return t + " (injected fault)."
	}
	return "Injected fault."
}
