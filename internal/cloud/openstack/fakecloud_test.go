package openstack

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
	"github.com/serverimage-operator/serverimage-operator/internal/cloud/drivertest"
	"github.com/serverimage-operator/serverimage-operator/internal/fakecloud"
)

// Integration tests against the project's simulator: the driver is
// exercised over real HTTP against an independent model of Keystone, Nova
// and Glance, rather than against stubs shaped by the driver's author.

func newFake(t *testing.T, opts fakecloud.Options) *fakecloud.Cloud {
	t.Helper()
	if opts.QueuedFor == 0 {
		opts.QueuedFor, opts.SavingFor = 30*time.Millisecond, 30*time.Millisecond
	}
	c := fakecloud.New(opts)
	t.Cleanup(c.Close)
	return c
}

func fakeProvider(t *testing.T, c *fakecloud.Cloud, yaml string, mut ...func(*cloud.Config)) cloud.Provider {
	t.Helper()
	cfg := cloud.Config{
		Provider:    cloud.OpenStack,
		Credentials: map[string][]byte{"clouds.yaml": []byte(yaml)},
		CloudName:   "fake",
		Timeout:     5 * time.Second,
	}
	for _, m := range mut {
		m(&cfg)
	}
	p, err := cloud.New(context.Background(), cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return p
}

// waitActive polls GetImage until the image is active.
func waitActive(t *testing.T, p cloud.Provider, id string) *cloud.Image {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		img, err := p.GetImage(context.Background(), id)
		if err != nil {
			t.Fatalf("GetImage: %v", err)
		}
		if img.Phase == cloud.PhaseActive {
			return img
		}
		if img.Phase == cloud.PhaseFailed || time.Now().After(deadline) {
			t.Fatalf("image %s ended %s (%s)", id, img.Phase, img.Status)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestFakeCloudAuth(t *testing.T) {
	c := newFake(t, fakecloud.Options{})
	for _, tt := range []struct {
		name string
		yaml string
	}{
		{"password", c.CloudsYAML("fake")},
		{"application credential", c.AppCredCloudsYAML("fake")},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c.ResetLedger()
			p := fakeProvider(t, c, tt.yaml)
			if c.Calls(fakecloud.OpAuth) != 0 {
				t.Fatal("New called the cloud")
			}
			for range 2 {
				if err := p.Authenticate(context.Background()); err != nil {
					t.Fatal(err)
				}
			}
			if n := c.Calls(fakecloud.OpAuth); n != 1 {
				t.Fatalf("%d token requests, want 1", n)
			}
		})
	}
}

func TestFakeCloudWrongPassword(t *testing.T) {
	c := newFake(t, fakecloud.Options{Password: "right-Passw0rd"})
	const wrong = "wrong-Passw0rd"
	yaml := strings.Replace(c.CloudsYAML("fake"), "right-Passw0rd", wrong, 1)
	err := fakeProvider(t, c, yaml).Authenticate(context.Background())
	ce := wantClass(t, err, cloud.ClassUnauthorized)
	if ce.HTTPStatus != 401 || ce.Message == "" || ce.Op != "authenticate" {
		t.Fatalf("got %+v", ce)
	}
	assertNoSecret(t, err, wrong)
	assertNoSecret(t, err, "right-Passw0rd")
}

func TestFakeCloudCreateImage(t *testing.T) {
	for _, tt := range []struct {
		name     string
		maxMV    string
		pin      string
		legacyV2 bool
	}{
		{name: "negotiated 2.45, image_id in body"},
		{name: "pinned 2.1, Location header", pin: "2.1"},
		{name: "cloud max 2.1, Location header", maxMV: "2.1"},
		{name: "legacy /v2/{project_id} endpoint", legacyV2: true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := newFake(t, fakecloud.Options{MaxMicroversion: tt.maxMV})
			srv := c.AddServer(fakecloud.Server{Name: "web"})
			p := fakeProvider(t, c, c.CloudsYAML("fake"), func(cfg *cloud.Config) {
				cfg.ComputeMicroversion = tt.pin
				if tt.legacyV2 {
					cfg.ComputeURL = c.URL() + "/compute/v2/{project_id}"
				}
			})
			id, err := p.CreateImage(context.Background(), cloud.CreateImageRequest{
				ServerID: srv.ID, Name: "snap", Metadata: map[string]string{"team": "a"}, IdempotencyKey: "uid-1",
			})
			if err != nil {
				t.Fatal(err)
			}
			imgs := c.Images()
			if len(imgs) != 1 || imgs[0].ID != id {
				t.Fatalf("created %q, cloud has %+v", id, imgs)
			}
			if imgs[0].Properties[cloud.IdempotencyMetadataKey] != "uid-1" || imgs[0].Properties["team"] != "a" {
				t.Fatalf("properties %v", imgs[0].Properties)
			}
			img := waitActive(t, p, id)
			if img.ServerID != srv.ID || img.IdempotencyKey != "uid-1" || img.SizeBytes == nil || img.URL == "" {
				t.Fatalf("image %+v", img)
			}
		})
	}
}

func TestFakeCloudServerStates(t *testing.T) {
	c := newFake(t, fakecloud.Options{})
	busy := c.AddServer(fakecloud.Server{Name: "busy", TaskState: "image_snapshot"})
	broken := c.AddServer(fakecloud.Server{Name: "broken", Status: "ERROR"})
	p := fakeProvider(t, c, c.CloudsYAML("fake"))
	ctx := context.Background()

	s, err := p.GetServer(ctx, busy.ID)
	if err != nil || !strings.Contains(s.Status, "image_snapshot") || s.Readiness != cloud.ServerBusy {
		t.Fatalf("GetServer = %+v, %v", s, err)
	}
	_, err = p.CreateImage(ctx, cloud.CreateImageRequest{ServerID: busy.ID, Name: "x"})
	ce := wantClass(t, err, cloud.ClassBusy)
	if ce.HTTPStatus != 409 || !strings.Contains(ce.Message, "task_state") {
		t.Fatalf("got %+v", ce)
	}
	_, err = p.CreateImage(ctx, cloud.CreateImageRequest{ServerID: broken.ID, Name: "x"})
	ce = wantClass(t, err, cloud.ClassConflict)
	if !strings.Contains(ce.Message, "vm_state") {
		t.Fatalf("got %+v", ce)
	}
	_, err = p.GetServer(ctx, "no-such-server")
	ce = wantClass(t, err, cloud.ClassNotFound)
	if !strings.Contains(ce.Message, "no-such-server") {
		t.Fatalf("got %+v", ce)
	}
	_, err = p.CreateImage(ctx, cloud.CreateImageRequest{ServerID: "no-such-server", Name: "x"})
	wantClass(t, err, cloud.ClassNotFound)
}

func TestFakeCloudFindByKey(t *testing.T) {
	c := newFake(t, fakecloud.Options{})
	srv := c.AddServer(fakecloud.Server{Name: "web"})
	p := fakeProvider(t, c, c.CloudsYAML("fake"))
	ctx := context.Background()
	ids := map[string]string{}
	for _, key := range []string{"uid-1", "uid-2"} {
		id, err := p.CreateImage(ctx, cloud.CreateImageRequest{ServerID: srv.ID, Name: "snap-" + key, IdempotencyKey: key})
		if err != nil {
			t.Fatal(err)
		}
		ids[key] = id
		waitActive(t, p, id) // the server is busy while a snapshot runs
	}
	got, err := p.FindImages(ctx, cloud.FindImagesQuery{ServerID: srv.ID, IdempotencyKey: "uid-2"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].ID != ids["uid-2"] || got[0].IdempotencyKey != "uid-2" {
		t.Fatalf("found %+v, want only %s", got, ids["uid-2"])
	}
	got, err = p.FindImages(ctx, cloud.FindImagesQuery{ServerID: srv.ID, IdempotencyKey: "uid-none"})
	if err != nil || len(got) != 0 {
		t.Fatalf("found %+v, %v", got, err)
	}

	if err := p.DeleteImage(ctx, ids["uid-1"]); err != nil {
		t.Fatal(err)
	}
	if err := p.DeleteImage(ctx, ids["uid-1"]); err != nil {
		t.Fatalf("second delete: %v", err)
	}
	_, err = p.GetImage(ctx, ids["uid-1"])
	wantClass(t, err, cloud.ClassNotFound)
	got, err = p.FindImages(ctx, cloud.FindImagesQuery{ServerID: srv.ID, IdempotencyKey: "uid-1"})
	if err != nil || len(got) != 0 {
		t.Fatalf("deleted image found: %+v, %v", got, err)
	}
}

func TestFakeCloudTokenExpiry(t *testing.T) {
	c := newFake(t, fakecloud.Options{})
	srv := c.AddServer(fakecloud.Server{Name: "web"})
	p := fakeProvider(t, c, c.CloudsYAML("fake"))
	ctx := context.Background()
	if _, err := p.GetServer(ctx, srv.ID); err != nil {
		t.Fatal(err)
	}
	c.ExpireTokens()
	if _, err := p.GetServer(ctx, srv.ID); err != nil {
		t.Fatalf("not renewed transparently: %v", err)
	}
	if n := c.Calls(fakecloud.OpAuth); n != 2 {
		t.Fatalf("%d token requests, want 2", n)
	}
}

func TestFakeCloudFaults(t *testing.T) {
	c := newFake(t, fakecloud.Options{})
	srv := c.AddServer(fakecloud.Server{Name: "web"})
	p := fakeProvider(t, c, c.CloudsYAML("fake"))
	ctx := context.Background()
	id, err := p.CreateImage(ctx, cloud.CreateImageRequest{ServerID: srv.ID, Name: "snap", IdempotencyKey: "k"})
	if err != nil {
		t.Fatal(err)
	}
	later := time.Now().Add(90 * time.Second).UTC().Format(http.TimeFormat)

	for _, tt := range []struct {
		name      string
		fault     fakecloud.Fault
		call      func() error
		wantClass cloud.ErrorClass
		wantRetry time.Duration // minimum
	}{
		{"503 on get", fakecloud.Fault{Op: fakecloud.OpGetImage, Status: 503},
			func() error { _, err := p.GetImage(ctx, id); return err }, cloud.ClassTransient, 0},
		{"500 on server", fakecloud.Fault{Op: fakecloud.OpGetServer, Status: 500},
			func() error { _, err := p.GetServer(ctx, srv.ID); return err }, cloud.ClassTransient, 0},
		{"413 Retry-After seconds", fakecloud.Fault{Op: fakecloud.OpCreateImage, Status: 413, RetryAfter: "30"},
			func() error {
				_, err := p.CreateImage(ctx, cloud.CreateImageRequest{ServerID: srv.ID, Name: "x"})
				return err
			}, cloud.ClassRateLimited, 30 * time.Second},
		{"429 Retry-After date", fakecloud.Fault{Op: fakecloud.OpListImages, Status: 429, RetryAfter: later},
			func() error { _, err := p.FindImages(ctx, cloud.FindImagesQuery{IdempotencyKey: "k"}); return err },
			cloud.ClassRateLimited, 80 * time.Second},
		{"403 on delete", fakecloud.Fault{Op: fakecloud.OpDeleteImage, Status: 403},
			func() error { return p.DeleteImage(ctx, id) }, cloud.ClassForbidden, 0},
		{"401 twice is unauthorized", fakecloud.Fault{Op: fakecloud.OpGetImage, Status: 401, Times: 2},
			func() error { _, err := p.GetImage(ctx, id); return err }, cloud.ClassUnauthorized, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c.InjectFault(tt.fault)
			ce := wantClass(t, tt.call(), tt.wantClass)
			if ce.Message == "" {
				t.Errorf("no message: %+v", ce)
			}
			if ce.RetryAfter < tt.wantRetry || (tt.wantRetry > 0 && ce.RetryAfter > tt.wantRetry+15*time.Second) {
				t.Errorf("RetryAfter %v, want about %v", ce.RetryAfter, tt.wantRetry)
			}
			c.ClearFaults()
		})
	}
}

// A create whose response is lost has still happened: the error is
// transient and the key finds the image, so nothing is created twice. (A
// dropped GET is not tested: net/http itself retries an idempotent request
// whose reused connection closes before any response byte.)
func TestFakeCloudDroppedCreate(t *testing.T) {
	c := newFake(t, fakecloud.Options{})
	srv := c.AddServer(fakecloud.Server{Name: "web"})
	p := fakeProvider(t, c, c.CloudsYAML("fake"))
	ctx := context.Background()
	c.InjectFault(fakecloud.Fault{Op: fakecloud.OpCreateImage, DropResponse: true})
	_, err := p.CreateImage(ctx, cloud.CreateImageRequest{ServerID: srv.ID, Name: "snap", IdempotencyKey: "uid-lost"})
	wantClass(t, err, cloud.ClassTransient)
	got, err := p.FindImages(ctx, cloud.FindImagesQuery{ServerID: srv.ID, IdempotencyKey: "uid-lost"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || len(c.Images()) != 1 || got[0].ID != c.Images()[0].ID {
		t.Fatalf("found %+v, cloud has %+v", got, c.Images())
	}
}

func TestFakeCloudBatchGet(t *testing.T) {
	c := newFake(t, fakecloud.Options{})
	p := fakeProvider(t, c, c.CloudsYAML("fake"))
	ctx := context.Background()
	var ids []string
	for i := range 3 {
		srv := c.AddServer(fakecloud.Server{Name: "web"})
		id, err := p.CreateImage(ctx, cloud.CreateImageRequest{ServerID: srv.ID, Name: "snap", IdempotencyKey: string(rune('a' + i))})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	c.ResetLedger()
	got, err := p.GetImages(ctx, append(ids, "00000000-0000-0000-0000-000000000000"))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 {
		t.Fatalf("got %d images: %+v", len(got), got)
	}
	for _, id := range ids {
		if got[id].ID != id {
			t.Fatalf("missing %s", id)
		}
	}
	if n := c.Calls(fakecloud.OpListImages); n != 1 || c.Calls(fakecloud.OpGetImage) != 0 {
		t.Fatalf("ledger %v, want one list call", c.Ledger())
	}
}

func TestFakeCloudComputeImagesMode(t *testing.T) {
	c := newFake(t, fakecloud.Options{})
	srv := c.AddServer(fakecloud.Server{Name: "web"})
	p := fakeProvider(t, c, c.CloudsYAML("fake"), func(cfg *cloud.Config) { cfg.ImagePollAPI = "ComputeImages" })
	ctx := context.Background()
	id, err := p.CreateImage(ctx, cloud.CreateImageRequest{ServerID: srv.ID, Name: "snap", IdempotencyKey: "uid-1"})
	if err != nil {
		t.Fatal(err)
	}
	img := waitActive(t, p, id)
	if img.IdempotencyKey != "uid-1" || img.ServerID != srv.ID || img.Progress == nil || *img.Progress != 100 {
		t.Fatalf("image %+v", img)
	}
	got, err := p.FindImages(ctx, cloud.FindImagesQuery{ServerID: srv.ID, IdempotencyKey: "uid-1"})
	if err != nil || len(got) != 1 || got[0].ID != id {
		t.Fatalf("found %+v, %v", got, err)
	}
	batch, err := p.GetImages(ctx, []string{id, "missing"})
	if err != nil || len(batch) != 1 {
		t.Fatalf("batch %+v, %v", batch, err)
	}
	if err := p.DeleteImage(ctx, id); err != nil {
		t.Fatal(err)
	}
	_, err = p.GetImage(ctx, id)
	wantClass(t, err, cloud.ClassNotFound)
}

func TestFakeCloudTLS(t *testing.T) {
	c := newFake(t, fakecloud.Options{TLS: true})
	srv := c.AddServer(fakecloud.Server{Name: "web"})
	err := fakeProvider(t, c, c.CloudsYAML("fake")).Authenticate(context.Background())
	ce := wantClass(t, err, cloud.ClassTransient)
	if !strings.Contains(ce.Message, "TLS") {
		t.Fatalf("message %q", ce.Message)
	}
	p := fakeProvider(t, c, c.CloudsYAML("fake"), func(cfg *cloud.Config) { cfg.Credentials["cacert"] = c.CACertPEM() })
	if _, err := p.GetServer(context.Background(), srv.ID); err != nil {
		t.Fatal(err)
	}
}

// TestFakeCloudBatchGetCostsOneCallPerBatch pins the cost the per-Cloud
// poller relies on: ceil(N/batchSize) list calls, no empty extra pages.
func TestFakeCloudBatchGetCostsOneCallPerBatch(t *testing.T) {
	c := newFake(t, fakecloud.Options{})
	p := fakeProvider(t, c, c.CloudsYAML("fake"))
	const n = 2*batchSize + 20
	var ids []string
	for range n {
		ids = append(ids, c.AddImage(fakecloud.Image{Name: "x", Status: "active"}).ID)
	}
	c.ResetLedger()
	got, err := p.GetImages(context.Background(), ids)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != n {
		t.Fatalf("got %d of %d images", len(got), n)
	}
	if calls := c.Calls(fakecloud.OpListImages); calls != 3 {
		t.Fatalf("%d list calls for %d images, want 3", calls, n)
	}
}

// TestImagesChangedSince: through Glance (updated_at=gte:, sorted by
// updated_at) and through the Nova proxy (changes-since).
func TestImagesChangedSince(t *testing.T) {
	for _, api := range []string{"Glance", "ComputeImages"} {
		t.Run(api, func(t *testing.T) {
			c := newFake(t, fakecloud.Options{QueuedFor: time.Hour, SavingFor: time.Hour})
			p := fakeProvider(t, c, c.CloudsYAML("fake"), func(cfg *cloud.Config) { cfg.ImagePollAPI = api })
			drivertest.CheckChangeFeed(t, c, p, api == "Glance")
		})
	}
}
