package fakecloud

import (
	"crypto/rand"
	"encoding/base64"
	"sync"
	"time"
)

// token is an issued credential. Tokens are opaque to clients; the fields
// say who they stand for, so every front can authorise with them.
type token struct {
	ID          string
	UserID      string
	UserName    string
	ProjectID   string
	ProjectName string
	Methods     []string
	AppCredID   string
	AuditID     string
	IssuedAt    time.Time
	ExpiresAt   time.Time
}

// tokenStore issues and validates tokens. It is independent of Keystone's
// wire format so that other identity fronts can issue tokens too.
type tokenStore struct {
	mu     sync.Mutex
	ttl    time.Duration
	tokens map[string]*token
	now    func() time.Time
}

func newTokenStore(ttl time.Duration) *tokenStore {
	return &tokenStore{ttl: ttl, tokens: map[string]*token{}, now: time.Now}
}

// randomToken looks like a Keystone Fernet token (url-safe base64 with the
// Fernet version prefix), long enough to be unguessable.
func randomToken() string {
	b := make([]byte, 120)
	_, _ = rand.Read(b)
	return "gAAAAAB" + base64.RawURLEncoding.EncodeToString(b)
}

func (ts *tokenStore) issue(t token) token {
	now := ts.now().UTC()
	t.ID = randomToken()
	t.AuditID = base64.RawURLEncoding.EncodeToString([]byte(newHexID(8)))[:22]
	t.IssuedAt = now
	t.ExpiresAt = now.Add(ts.ttl)
	ts.mu.Lock()
	defer ts.mu.Unlock()
	// Keep the map bounded in long demo runs: drop expired tokens now and
	// then instead of running a janitor goroutine.
	if len(ts.tokens) >= 4096 {
		for id, old := range ts.tokens {
			if !now.Before(old.ExpiresAt) {
				delete(ts.tokens, id)
			}
		}
	}
	ts.tokens[t.ID] = &t
	return t
}

// validate returns the token if it exists and has not expired.
func (ts *tokenStore) validate(id string) (token, bool) {
	if id == "" {
		return token{}, false
	}
	ts.mu.Lock()
	defer ts.mu.Unlock()
	t, ok := ts.tokens[id]
	if !ok || !ts.now().Before(t.ExpiresAt) {
		return token{}, false
	}
	return *t, true
}

func (ts *tokenStore) revoke(id string) {
	ts.mu.Lock()
	delete(ts.tokens, id)
	ts.mu.Unlock()
}

// expireAll invalidates every token issued so far.
func (ts *tokenStore) expireAll() {
	ts.mu.Lock()
	clear(ts.tokens)
	ts.mu.Unlock()
}
