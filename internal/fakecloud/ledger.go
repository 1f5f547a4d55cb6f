package fakecloud

import (
	"maps"
	"sync"
)

// Op is a dialect-neutral operation name, shared by fault matching and the
// ledger, so a test reads the same whatever protocol the driver speaks.
type Op string

const (
	OpAuth        Op = "auth"        // POST /v3/auth/tokens
	OpVersions    Op = "versions"    // GET compute version document(s)
	OpGetServer   Op = "getServer"   // GET /servers/{id}
	OpCreateImage Op = "createImage" // POST /servers/{id}/action {"createImage":...}
	OpGetImage    Op = "getImage"    // GET /v2/images/{id} (Glance) and GET /images/{id} (Nova proxy)
	OpListImages  Op = "listImages"  // GET /v2/images?... and GET /images/detail
	OpDeleteImage Op = "deleteImage" // DELETE /v2/images/{id} and /images/{id}

	// Requests outside the operator's critical path, counted separately so
	// that they do not disturb the counts above.
	OpIdentityVersions Op = "identityVersions" // GET identity version documents
	OpImageVersions    Op = "imageVersions"    // GET Glance version documents
	OpValidateToken    Op = "validateToken"    // GET/HEAD/DELETE /v3/auth/tokens
	OpOther            Op = "other"            // anything the simulator does not serve
)

// ledger counts requests per operation, failed and faulted ones included.
type ledger struct {
	mu     sync.Mutex
	counts map[Op]int
}

func newLedger() *ledger { return &ledger{counts: map[Op]int{}} }

func (l *ledger) add(op Op) {
	l.mu.Lock()
	l.counts[op]++
	l.mu.Unlock()
}

func (l *ledger) get(op Op) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.counts[op]
}

func (l *ledger) snapshot() map[Op]int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return maps.Clone(l.counts)
}

func (l *ledger) reset() {
	l.mu.Lock()
	clear(l.counts)
	l.mu.Unlock()
}
