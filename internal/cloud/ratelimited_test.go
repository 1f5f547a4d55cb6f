package cloud

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"golang.org/x/time/rate"
)

// The limiter in these tests refills one token an hour: nothing a test
// waits for, so every outcome follows from the bucket's state and the
// contexts' deadlines, never from how fast the machine is. x/time/rate
// decides at the call whether a wait fits before the deadline and answers
// at once when it does not.
const slot = time.Hour

func hourlyLimiter(burst int) *rate.Limiter { return rate.NewLimiter(rate.Every(slot), burst) }

// within is a context whose deadline allows waiting for n more slots (and
// a half, so that the boundary is never hit).
func within(t *testing.T, n int) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Duration(n)*slot+slot/2)
	t.Cleanup(cancel)
	return ctx
}

// countingProvider records the operations that got through, in order.
type countingProvider struct {
	NoImageProperties
	mu  sync.Mutex
	ops []string
}

func (c *countingProvider) note(op string) {
	c.mu.Lock()
	c.ops = append(c.ops, op)
	c.mu.Unlock()
}

func (c *countingProvider) calls() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.ops...)
}

func (c *countingProvider) Authenticate(context.Context) error { c.note("authenticate"); return nil }
func (c *countingProvider) GetServer(context.Context, string) (*Server, error) {
	c.note("getServer")
	return &Server{}, nil
}
func (c *countingProvider) CreateImage(context.Context, CreateImageRequest) (string, error) {
	c.note("createImage")
	return "id", nil
}
func (c *countingProvider) GetImage(context.Context, string) (*Image, error) {
	c.note("getImage")
	return &Image{}, nil
}
func (c *countingProvider) FindImages(context.Context, FindImagesQuery) ([]Image, error) {
	c.note("findImages")
	return nil, nil
}
func (c *countingProvider) ImagesChangedSince(context.Context, time.Time) ([]Image, error) {
	c.note("imagesChangedSince")
	return nil, nil
}
func (c *countingProvider) DeleteImage(context.Context, string) error {
	c.note("deleteImage")
	return nil
}
func (c *countingProvider) Capabilities() Capabilities { return Capabilities{ImagesPerCall: 7} }

func (c *countingProvider) GetImages(context.Context, []string) (map[string]Image, error) {
	c.note("getImages")
	return nil, nil
}

// ops are every call of the wrapped provider, with the name its errors use.
var ops = []struct {
	name string
	call func(ctx context.Context, p Provider) error
}{
	{"authenticate", func(ctx context.Context, p Provider) error { return p.Authenticate(ctx) }},
	{"getServer", func(ctx context.Context, p Provider) error { _, err := p.GetServer(ctx, "s"); return err }},
	{"createImage", func(ctx context.Context, p Provider) error {
		_, err := p.CreateImage(ctx, CreateImageRequest{ServerID: "s"})
		return err
	}},
	{"getImage", func(ctx context.Context, p Provider) error { _, err := p.GetImage(ctx, "i"); return err }},
	{"findImages", func(ctx context.Context, p Provider) error {
		_, err := p.FindImages(ctx, FindImagesQuery{IdempotencyKey: "k"})
		return err
	}},
	{"deleteImage", func(ctx context.Context, p Provider) error { return p.DeleteImage(ctx, "i") }},
	{"imagesChangedSince", func(ctx context.Context, p Provider) error {
		_, err := p.ImagesChangedSince(ctx, time.Time{})
		return err
	}},
	{"getImages", func(ctx context.Context, p Provider) error {
		_, err := p.GetImages(ctx, []string{"i"})
		return err
	}},
}

func wantRateLimited(t *testing.T, err error, op string) {
	t.Helper()
	var ce *Error
	if !errors.As(err, &ce) || ce.Class != ClassRateLimited || ce.Op != op {
		t.Fatalf("got %v, want a %s error of class RateLimited", err, op)
	}
}

// TestRateLimitEveryCallTakesAToken: each operation, the batched read
// included, takes one token; past the burst every one of them is refused
// with ClassRateLimited when its context cannot wait, and the cloud is
// not called.
func TestRateLimitEveryCallTakesAToken(t *testing.T) {
	inner := &countingProvider{}
	p := RateLimit(inner, hourlyLimiter(len(ops)))
	want := inner.Capabilities().ImagesPerCall
	if got := p.Capabilities().ImagesPerCall; got != want {
		t.Fatalf("the rate-limited provider reads %d images per call, the driver %d", got, want)
	}
	if got := Instrument("x", p).Capabilities().ImagesPerCall; got != want {
		t.Fatalf("the instrumented provider reads %d images per call, the driver %d", got, want)
	}
	for _, op := range ops {
		if err := op.call(within(t, 0), p); err != nil {
			t.Fatalf("%s within the burst: %v", op.name, err)
		}
	}
	for _, op := range ops {
		t.Run(op.name, func(t *testing.T) {
			wantRateLimited(t, op.call(within(t, 0), p), op.name)
		})
	}
	if n := len(inner.calls()); n != len(ops) {
		t.Errorf("the cloud saw %d calls, want the burst of %d", n, len(ops))
	}
}

// TestRateLimitWaitsUntilTheContextEnds: a call beyond the burst waits
// (it reserves the next token) and gives up with ClassRateLimited when
// its context is cancelled, without calling the cloud.
func TestRateLimitWaitsUntilTheContextEnds(t *testing.T) {
	inner := &countingProvider{}
	lim := hourlyLimiter(1)
	p := RateLimit(inner, lim)
	if _, err := p.GetServer(context.Background(), "s"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { _, err := p.CreateImage(ctx, CreateImageRequest{ServerID: "s"}); done <- err }()
	// The waiting call has reserved the next token: the bucket is in debt.
	waitUntil(t, "the create to wait for a token", func() bool { return lim.Tokens() < -0.5 })
	select {
	case err := <-done:
		t.Fatalf("the create returned (%v) while no token was available", err)
	default:
	}
	cancel()
	err := <-done
	wantRateLimited(t, err, "createImage")
	if !errors.Is(err, context.Canceled) {
		t.Errorf("the error does not say the wait was cancelled: %v", err)
	}
	if got := inner.calls(); len(got) != 1 {
		t.Errorf("the cloud saw %v, want only the first call", got)
	}
	// Its reservation was given back: the bucket is where it was.
	if tok := lim.Tokens(); tok < -0.01 || tok > 0.01 {
		t.Errorf("tokens %.3f after the cancelled wait, want 0", tok)
	}
}

// TestRateLimitSharedPerCloud: every ServerImage of a Cloud gets the same
// Provider from the cache and so draws on the same bucket; another Cloud
// has its own.
func TestRateLimitSharedPerCloud(t *testing.T) {
	cache := NewCache()
	builds := 0
	providerOf := func(cloudUID string) Provider {
		t.Helper()
		p, err := cache.Get(context.Background(), cloudUID, "gen1/rv1", func(context.Context) (Provider, error) {
			builds++
			return RateLimit(&countingProvider{}, hourlyLimiter(1)), nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	// Two ServerImages of cloud A, one of cloud B.
	objA1, objA2, objB := providerOf("cloud-a"), providerOf("cloud-a"), providerOf("cloud-b")
	if objA1 != objA2 || builds != 2 {
		t.Fatalf("objects of one Cloud got different providers (%d builds)", builds)
	}
	if _, err := objA1.GetImage(within(t, 0), "i"); err != nil {
		t.Fatal(err)
	}
	// The first object used cloud A's only token: the second must wait.
	_, err := objA2.CreateImage(within(t, 0), CreateImageRequest{ServerID: "s"})
	wantRateLimited(t, err, "createImage")
	// Cloud B's bucket is untouched.
	if _, err := objB.CreateImage(within(t, 0), CreateImageRequest{ServerID: "s"}); err != nil {
		t.Errorf("cloud B was limited by cloud A's calls: %v", err)
	}
}

// TestRateLimitCreateNotStarvedByPolls: tokens are handed out in the
// order calls arrive (each call reserves the next free slot), so polls that
// come after a create cannot take its turn however many there are, and a
// create's wait is bounded by the calls already queued before it.
func TestRateLimitCreateNotStarvedByPolls(t *testing.T) {
	for _, queuedBefore := range []int{0, 3} {
		inner := &countingProvider{}
		lim := hourlyLimiter(1)
		p := RateLimit(inner, lim)
		prov := p
		if _, err := p.GetImages(context.Background(), []string{"i"}); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		ctx, cancel := context.WithCancel(context.Background())
		// Polls already waiting when the create arrives.
		for i := 0; i < queuedBefore; i++ {
			wg.Add(1)
			go func() { defer wg.Done(); _, _ = p.GetImages(ctx, []string{"i"}) }()
			waitUntil(t, "a poll to queue", func() bool { return lim.Tokens() < -float64(i)-0.5 })
		}
		// The create may wait for the queued polls and then one slot:
		// its deadline allows exactly that, and it is accepted.
		createCtx, cancelCreate := context.WithTimeout(ctx, time.Duration(queuedBefore+1)*slot+slot/2)
		created := make(chan error, 1)
		go func() {
			_, err := prov.CreateImage(createCtx, CreateImageRequest{ServerID: "s"})
			created <- err
		}()
		waitUntil(t, "the create to queue", func() bool { return lim.Tokens() < -float64(queuedBefore)-0.5 })
		// A flood of polls afterwards, each willing to wait as long as the
		// create does: none can be served before it, so all are refused.
		for i := 0; i < 50; i++ {
			pollCtx, cancelPoll := context.WithTimeout(ctx, time.Duration(queuedBefore+1)*slot+slot/2)
			_, err := p.GetImages(pollCtx, []string{"i"})
			cancelPoll()
			wantRateLimited(t, err, "getImages")
		}
		// A poll that accepts one more slot queues behind the create.
		wg.Add(1)
		go func() {
			defer wg.Done()
			pollCtx, cancelPoll := context.WithTimeout(ctx, time.Duration(queuedBefore+2)*slot+slot/2)
			defer cancelPoll()
			_, _ = p.GetImages(pollCtx, []string{"i"})
		}()
		waitUntil(t, "a later poll to queue behind the create", func() bool { return lim.Tokens() < -float64(queuedBefore)-1.5 })
		select {
		case err := <-created:
			t.Fatalf("queued %d: the create returned early: %v", queuedBefore, err)
		default:
		}
		// Nothing got past the first call: all are still waiting their turn.
		if n := len(inner.calls()); n != 1 {
			t.Errorf("queued %d: the cloud saw %d calls, want 1", queuedBefore, n)
		}
		cancelCreate()
		cancel()
		wantRateLimited(t, <-created, "createImage")
		wg.Wait()
	}
}

// waitUntil polls a condition on the limiter's state (not on the clock):
// goroutines reach their Wait in their own time.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}
