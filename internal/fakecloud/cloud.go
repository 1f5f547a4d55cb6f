package fakecloud

import (
	"crypto/tls"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Cloud is a running simulated cloud: the store plus the HTTP server that
// hosts every front. All methods are safe for concurrent use.
type Cloud struct {
	opts   Options
	store  *store
	faults faultSet
	ledger *ledger
	tokens *tokenStore

	maxMinorV atomic.Int32

	srv       *http.Server
	ln        net.Listener
	url       string
	caPEM     []byte
	closeOnce sync.Once

	// imsJobs are IMS's member jobs (huawei_sharing.go).
	imsJobs imsJobBook
}

// New creates a cloud and starts serving it (on 127.0.0.1 and a free port
// unless Options.Addr says otherwise). It panics if it cannot listen, which
// in tests is the right outcome; use Start to get the error instead.
func New(opts Options) *Cloud {
	c, err := Start(opts)
	if err != nil {
		panic(err)
	}
	return c
}

// Start is New returning the error instead of panicking.
func Start(opts Options) (*Cloud, error) {
	opts = opts.withDefaults()
	minor, err := parseMinor(opts.MaxMicroversion)
	if err != nil {
		return nil, err
	}
	c := &Cloud{
		opts:   opts,
		store:  newStore(opts),
		ledger: newLedger(),
		tokens: newTokenStore(opts.TokenTTL),
	}
	c.maxMinorV.Store(int32(minor))

	ln, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		return nil, fmt.Errorf("fakecloud: listen %s: %w", opts.Addr, err)
	}
	host, port, _ := net.SplitHostPort(ln.Addr().String())
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		// Listening on every interface: advertise loopback, which the
		// certificate covers and every local client can reach.
		host = "127.0.0.1"
	}
	scheme := "http"
	if opts.TLS {
		certHost, _, _ := net.SplitHostPort(opts.Addr)
		cert, caPEM, err := selfSignedCert(certHost)
		if err != nil {
			_ = ln.Close()
			return nil, fmt.Errorf("fakecloud: certificate: %w", err)
		}
		c.caPEM = caPEM
		// HTTP/1.1 only: DropResponse needs to hijack the connection.
		ln = tls.NewListener(ln, &tls.Config{
			Certificates: []tls.Certificate{cert},
			NextProtos:   []string{"http/1.1"},
			MinVersion:   tls.VersionTLS12,
		})
		scheme = "https"
	}
	c.ln = ln
	c.url = scheme + "://" + net.JoinHostPort(host, port)
	c.srv = &http.Server{
		Handler:           http.HandlerFunc(c.route),
		ReadHeaderTimeout: 10 * time.Second,
		// Handshake failures from untrusting clients are expected in
		// tests; the simulator reports through its API, not its log.
		ErrorLog: log.New(io.Discard, "", 0),
	}
	go func() { _ = c.srv.Serve(ln) }()
	return c, nil
}

// Close stops the server and drops open connections.
func (c *Cloud) Close() {
	c.closeOnce.Do(func() { _ = c.srv.Close() })
}

// URL is the base URL, e.g. http://127.0.0.1:PORT.
func (c *Cloud) URL() string { return c.url }

// IdentityURL is the Keystone v3 endpoint, the auth_url of clouds.yaml.
func (c *Cloud) IdentityURL() string { return c.url + "/identity/v3" }

// ComputeURL is the compute endpoint the catalog publishes.
func (c *Cloud) ComputeURL() string { return c.url + "/compute/v2.1" }

// LegacyComputeURL is the /v2/{project_id} form of the compute endpoint.
func (c *Cloud) LegacyComputeURL() string { return c.url + "/compute/v2/" + c.opts.ProjectID }

// ImageURL is the (unversioned) Glance endpoint the catalog publishes.
func (c *Cloud) ImageURL() string { return c.url + "/image" }

// CACertPEM is the PEM certificate to trust with TLS; nil without TLS.
func (c *Cloud) CACertPEM() []byte { return append([]byte(nil), c.caPEM...) }

// Options returns the effective options (defaults filled in).
func (c *Cloud) Options() Options { return c.opts }

// ProjectID and UserID are the IDs tokens are issued for.
func (c *Cloud) ProjectID() string { return c.opts.ProjectID }
func (c *Cloud) UserID() string    { return defaultUserID }

// route dispatches to the front that owns the path prefix.
func (c *Cloud) route(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	for _, front := range []struct {
		prefix string
		serve  func(http.ResponseWriter, *http.Request, string)
	}{
		{"/identity", c.keystoneRoutes},
		{"/compute", c.novaRoutes},
		{"/image", c.glanceRoutes},
	} {
		if rest, ok := strings.CutPrefix(p, front.prefix); ok && (rest == "" || rest[0] == '/') {
			front.serve(w, r, rest)
			return
		}
	}
	if c.routeExtra(w, r) {
		return
	}
	c.serveNotFound(w, r, dialectNova)
}

func (c *Cloud) maxMinor() int { return int(c.maxMinorV.Load()) }

// SetMaxMicroversion changes the highest compute microversion ("" restores
// the default). It panics on a malformed version: that is a test bug.
func (c *Cloud) SetMaxMicroversion(v string) {
	if v == "" {
		v = defaultMaxMicroversion
	}
	minor, err := parseMinor(v)
	if err != nil {
		panic(err)
	}
	c.maxMinorV.Store(int32(minor))
}

// AddServer adds a server (ID generated if empty, Status default ACTIVE).
func (c *Cloud) AddServer(s Server) Server { return c.store.addServer(s) }

// SetServer updates a server's name, status, task state or vm state (an
// unknown ID adds it).
func (c *Cloud) SetServer(s Server) { c.store.setServer(s) }

// GetServer returns the server as the API shows it now.
func (c *Cloud) GetServer(id string) (Server, bool) {
	s, ok := c.store.server(id)
	return s.Server, ok
}

// DeleteServer removes a server; its snapshots in progress are deleted,
// as Nova deletes the image of a snapshot that fails.
func (c *Cloud) DeleteServer(id string) { c.store.deleteServer(id) }

// Images returns every existing image, oldest first.
func (c *Cloud) Images() []Image { return c.store.imageList() }

// Image returns one image with its status as of now.
func (c *Cloud) Image(id string) (Image, bool) { return c.store.image(id) }

// AddImage adds a pre-existing image with a fixed status (default active).
func (c *Cloud) AddImage(img Image) Image { return c.store.addImage(img) }

// SetImageStatus pins an image's status (e.g. "killed"), ending its
// lifecycle; "deleted" removes it. Unknown IDs are ignored.
func (c *Cloud) SetImageStatus(id, status string) { _ = c.store.setImageStatus(id, status) }

// RemoveImage deletes an image out of band: GET answers 404 afterwards.
func (c *Cloud) RemoveImage(id string) { c.store.removeImage(id) }

// FailNextSnapshot makes the next createImage of the server fail after it
// was accepted: the image is created queued and, as Nova does when the
// compute side fails, deleted QueuedFor later (GET answers 404).
func (c *Cloud) FailNextSnapshot(serverID string) { c.store.failNextSnapshot(serverID) }

// FreezeImages stops (true) or resumes (false) every snapshot lifecycle:
// images stay in their current status, as when the compute service is down.
func (c *Cloud) FreezeImages(frozen bool) { c.store.freeze(frozen) }

// InjectFault adds a fault; see Fault.
func (c *Cloud) InjectFault(f Fault) { c.faults.inject(f) }

// ClearFaults removes every pending fault.
func (c *Cloud) ClearFaults() { c.faults.clear() }

// ExpireTokens invalidates every token issued so far (401 on next use).
func (c *Cloud) ExpireTokens() { c.tokens.expireAll() }

// Calls is how many requests of op arrived, failed and faulted included.
func (c *Cloud) Calls(op Op) int { return c.ledger.get(op) }

// Ledger returns the request count of every operation seen.
func (c *Cloud) Ledger() map[Op]int { return c.ledger.snapshot() }

// ResetLedger zeroes every count.
func (c *Cloud) ResetLedger() { c.ledger.reset() }
