package fakecloud

import (
	"maps"
	"math/rand/v2"
	"strconv"
	"time"
)

// FaultKind names what an injected fault did to one call, for reports such
// as the soak's "faults injected" line.
type FaultKind struct {
	Op Op
	// Kind is "drop" (committed, response lost), "body" (raw body
	// instead of the answer), "latency" (delay only) or the HTTP status
	// ("503").
	Kind string
}

func (k FaultKind) String() string { return string(k.Op) + "/" + k.Kind }

// kindOf classifies a fault the way serve applies it (DropResponse first,
// then Body, then Status).
func kindOf(f *Fault) string {
	switch {
	case f.DropResponse:
		return "drop"
	case f.Body != "":
		return "body"
	case f.Status != 0:
		return strconv.Itoa(f.Status)
	}
	return "latency"
}

// roll decides whether a Probability fault strikes. Called with fs.mu held.
func (fs *faultSet) roll(p float64) bool {
	if fs.rng == nil {
		seed := uint64(time.Now().UnixNano())
		fs.rng = rand.New(rand.NewPCG(seed, seed>>1|1))
	}
	return fs.rng.Float64() < p
}

// record counts one strike. Called with fs.mu held.
func (fs *faultSet) record(op Op, f *Fault) {
	if fs.fired == nil {
		fs.fired = map[FaultKind]int{}
	}
	fs.fired[FaultKind{Op: op, Kind: kindOf(f)}]++
}

// SetFaultSeed makes the rolls of Probability faults repeatable: the same
// seed and the same sequence of calls strike the same calls. Without it
// the seed comes from the clock.
func (c *Cloud) SetFaultSeed(seed uint64) {
	c.faults.mu.Lock()
	defer c.faults.mu.Unlock()
	c.faults.rng = rand.New(rand.NewPCG(seed, seed>>1|1))
}

// FaultsFired returns how many calls each kind of fault struck since the
// cloud started (ClearFaults does not reset it).
func (c *Cloud) FaultsFired() map[FaultKind]int {
	c.faults.mu.Lock()
	defer c.faults.mu.Unlock()
	return maps.Clone(c.faults.fired)
}
