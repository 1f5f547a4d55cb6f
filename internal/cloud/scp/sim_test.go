package scp

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
	"github.com/serverimage-operator/serverimage-operator/internal/cloud/drivertest"
	"github.com/serverimage-operator/serverimage-operator/internal/fakecloud"
)

// These tests run the driver against the simulator's SCP front, whose
// signature verifier is written independently of the driver's signer.

// simConfig is the Cloud a user would write for the simulator.
func simConfig(sim *fakecloud.Cloud) cloud.Config {
	return cloud.Config{
		Provider:    cloud.SamsungCloudPlatform,
		Credentials: creds(keyAccessKey, sim.SCPAccessKey(), keySecretKey, sim.SCPSecretKey()),
		ComputeURL:  sim.SCPURL(),
		Timeout:     10 * time.Second,
	}
}

func newSimProvider(t *testing.T, sim *fakecloud.Cloud, mutate ...func(*cloud.Config)) cloud.Provider {
	t.Helper()
	cfg := simConfig(sim)
	for _, m := range mutate {
		m(&cfg)
	}
	p, err := cloud.New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestSimulatorEndToEnd(t *testing.T) {
	ctx := context.Background()
	sim := drivertest.Sim(t, fakecloud.Options{QueuedFor: 200 * time.Millisecond, SavingFor: 200 * time.Millisecond})
	srv := sim.AddServer(fakecloud.Server{Name: "web-1"})
	p := newSimProvider(t, sim)

	if err := p.Authenticate(ctx); err != nil {
		t.Fatalf("authenticate: %v", err)
	}
	s, err := p.GetServer(ctx, srv.ID)
	if err != nil || s.ID != srv.ID || s.Readiness != cloud.ServerIdle {
		t.Fatalf("server %+v, %v", s, err)
	}

	id, err := p.CreateImage(ctx, cloud.CreateImageRequest{ServerID: srv.ID, Name: "web golden", IdempotencyKey: testUID})
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	stored, _ := sim.Image(id)
	if stored.Name != "web golden-3f2a9c1e" {
		t.Errorf("image created as %q", stored.Name)
	}

	img, err := p.GetImage(ctx, id)
	if err != nil || img.Status != "queued" || img.Phase != cloud.PhaseQueued {
		t.Fatalf("new image %+v, %v (queued must be pending)", img, err)
	}
	// Found again by name while it is still being built (pending list).
	found, err := p.FindImages(ctx, cloud.FindImagesQuery{ServerID: srv.ID, Name: "web golden", IdempotencyKey: testUID})
	if err != nil || len(found) != 1 || found[0].ID != id || found[0].IdempotencyKey != testUID {
		t.Fatalf("find while queued: %+v, %v", found, err)
	}
	// Another key, same name: not ours.
	other, err := p.FindImages(ctx, cloud.FindImagesQuery{Name: "web golden", IdempotencyKey: "99999999-0000-4000-8000-000000000000"})
	if err != nil || len(other) != 0 {
		t.Fatalf("find with another key: %+v, %v", other, err)
	}

	deadline := time.Now().Add(10 * time.Second)
	for img.Phase != cloud.PhaseActive {
		if time.Now().After(deadline) {
			t.Fatalf("never active: %+v", img)
		}
		time.Sleep(50 * time.Millisecond)
		if img, err = p.GetImage(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	if img.SizeBytes == nil || img.Checksum == "" || img.CreatedAt.IsZero() {
		t.Errorf("active image lacks details: %+v", img)
	}
	// Found again through the image list once active.
	found, err = p.FindImages(ctx, cloud.FindImagesQuery{Name: "web golden", IdempotencyKey: testUID})
	if err != nil || len(found) != 1 || found[0].ID != id {
		t.Fatalf("find once active: %+v, %v", found, err)
	}

	if err := p.DeleteImage(ctx, id); err != nil {
		t.Fatalf("delete: %v", err)
	}
	if _, err := p.GetImage(ctx, id); !cloud.IsNotFound(err) {
		t.Fatalf("get after delete: %v", err)
	}
	if err := p.DeleteImage(ctx, id); err != nil {
		t.Fatalf("deleting a deleted image: %v", err)
	}
}

func TestSimulatorFailures(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name      string
		setup     func(sim *fakecloud.Cloud, serverID string)
		mutate    func(*cloud.Config)
		call      func(p cloud.Provider, serverID string) error
		wantClass cloud.ErrorClass
		wantMsg   string
		wantRetry time.Duration
		// wantCreates is how many createImage requests reached the cloud.
		wantCreates int
	}{
		{
			name:      "wrong secret key",
			mutate:    func(c *cloud.Config) { c.Credentials[keySecretKey] = []byte("wrong-secret-key-value") },
			call:      func(p cloud.Provider, _ string) error { return p.Authenticate(ctx) },
			wantClass: cloud.ClassUnauthorized, wantMsg: "HTTP 401: The request signature does not match.",
		},
		{
			name:      "unknown access key",
			mutate:    func(c *cloud.Config) { c.Credentials[keyAccessKey] = []byte("AKsomebodyElse0001") },
			call:      func(p cloud.Provider, _ string) error { return p.Authenticate(ctx) },
			wantClass: cloud.ClassUnauthorized, wantMsg: "access key is not valid",
		},
		{
			name:      "unsupported API version",
			mutate:    func(c *cloud.Config) { c.Options = map[string]string{OptionAPIVersion: "9.9"} },
			call:      func(p cloud.Provider, _ string) error { return p.Authenticate(ctx) },
			wantClass: cloud.ClassInvalid, wantMsg: "HTTP 400: Unsupported Scp-Api-Version",
		},
		{
			name: "metadata refused before any call",
			call: func(p cloud.Provider, id string) error {
				_, err := p.CreateImage(ctx, cloud.CreateImageRequest{ServerID: id, Name: "x", IdempotencyKey: testUID, Metadata: map[string]string{"a": "b"}})
				return err
			},
			wantClass: cloud.ClassInvalid, wantMsg: "Samsung Cloud Platform images take no metadata; remove spec.metadata",
		},
		{
			name: "name rule checked before any call",
			call: func(p cloud.Provider, id string) error {
				_, err := p.CreateImage(ctx, cloud.CreateImageRequest{ServerID: id, Name: "web.golden", IdempotencyKey: testUID})
				return err
			},
			wantClass: cloud.ClassInvalid, wantMsg: "contains '.'",
		},
		{
			name: "rate limited with Retry-After",
			setup: func(sim *fakecloud.Cloud, _ string) {
				sim.InjectFault(fakecloud.Fault{Op: fakecloud.OpCreateImage, Status: 429, RetryAfter: "7"})
			},
			call: func(p cloud.Provider, id string) error {
				_, err := p.CreateImage(ctx, cloud.CreateImageRequest{ServerID: id, Name: "x", IdempotencyKey: testUID})
				return err
			},
			wantClass: cloud.ClassRateLimited, wantRetry: 7 * time.Second, wantMsg: "HTTP 429", wantCreates: 1,
		},
		{
			name: "busy server answers 409",
			setup: func(sim *fakecloud.Cloud, id string) {
				sim.SetServer(fakecloud.Server{ID: id, TaskState: "image_uploading"})
			},
			call: func(p cloud.Provider, id string) error {
				_, err := p.CreateImage(ctx, cloud.CreateImageRequest{ServerID: id, Name: "x", IdempotencyKey: testUID})
				return err
			},
			wantClass: cloud.ClassBusy, wantMsg: "task_state image_uploading", wantCreates: 1,
		},
		{
			name: "unknown server is a confirmed 404",
			call: func(p cloud.Provider, _ string) error {
				_, err := p.CreateImage(ctx, cloud.CreateImageRequest{ServerID: "0b6e5c1f-9d0a-4c55-9a53-1f3b2f0e7a10", Name: "x", IdempotencyKey: testUID})
				return err
			},
			wantClass: cloud.ClassNotFound, wantMsg: "scp-virtualserver.server.not-found", wantCreates: 1,
		},
		{
			name:      "server in ERROR state is not snapshottable",
			setup:     func(sim *fakecloud.Cloud, id string) { sim.SetServer(fakecloud.Server{ID: id, Status: "ERROR"}) },
			call:      func(p cloud.Provider, id string) error { return notSnapshottable(p.GetServer(ctx, id)) },
			wantClass: cloud.ClassConflict, wantMsg: "ERROR",
		},
		{
			name: "server 500 is transient",
			setup: func(sim *fakecloud.Cloud, _ string) {
				sim.InjectFault(fakecloud.Fault{Op: fakecloud.OpGetServer, Status: 500})
			},
			call: func(p cloud.Provider, id string) error {
				_, err := p.GetServer(ctx, id)
				return err
			},
			wantClass: cloud.ClassTransient, wantMsg: "HTTP 500",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sim := drivertest.Sim(t, fakecloud.Options{})
			srv := sim.AddServer(fakecloud.Server{})
			if tc.setup != nil {
				tc.setup(sim, srv.ID)
			}
			var mutate []func(*cloud.Config)
			if tc.mutate != nil {
				mutate = append(mutate, tc.mutate)
			}
			p := newSimProvider(t, sim, mutate...)
			err := tc.call(p, srv.ID)
			var ce *cloud.Error
			if !errors.As(err, &ce) || ce.Class != tc.wantClass || !strings.Contains(ce.Error(), tc.wantMsg) || ce.RetryAfter != tc.wantRetry {
				t.Fatalf("error %v (%+v), want class %s containing %q, retry %s", err, ce, tc.wantClass, tc.wantMsg, tc.wantRetry)
			}
			for _, secret := range []string{sim.SCPSecretKey(), "wrong-secret-key-value"} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("the error carries a key: %v", err)
				}
			}
			if n := sim.Calls(fakecloud.OpCreateImage); n != tc.wantCreates {
				t.Errorf("createImage reached the cloud %d times, want %d", n, tc.wantCreates)
			}
		})
	}
}

// notSnapshottable turns GetServer's answer into an error the table can
// check, as the reconciler would read it.
func notSnapshottable(s *cloud.Server, err error) error {
	if err != nil {
		return err
	}
	if s.Readiness == cloud.ServerCannotBeImaged {
		return &cloud.Error{Class: cloud.ClassConflict, Op: cloud.OpGetServer, Message: "server is " + s.Status}
	}
	return nil
}

func TestSimulatorLostResponseIsFoundAgain(t *testing.T) {
	ctx := context.Background()
	sim := drivertest.Sim(t, fakecloud.Options{QueuedFor: time.Minute})
	srv := sim.AddServer(fakecloud.Server{})
	p := newSimProvider(t, sim)
	sim.InjectFault(fakecloud.Fault{Op: fakecloud.OpCreateImage, DropResponse: true})

	req := cloud.CreateImageRequest{ServerID: srv.ID, Name: "web", IdempotencyKey: testUID}
	if _, err := p.CreateImage(ctx, req); cloud.ClassOf(err) != cloud.ClassTransient {
		t.Fatalf("dropped response: %v", err)
	}
	found, err := p.FindImages(ctx, cloud.FindImagesQuery{ServerID: srv.ID, Name: "web", IdempotencyKey: testUID})
	imgs := sim.Images()
	if err != nil || len(found) != 1 || len(imgs) != 1 || found[0].ID != imgs[0].ID || found[0].Status != "queued" {
		t.Fatalf("found %+v (%v); the cloud has %+v", found, err, imgs)
	}
}

func TestSimulatorFailedSnapshotIsAConfirmedNotFound(t *testing.T) {
	ctx := context.Background()
	sim := drivertest.Sim(t, fakecloud.Options{QueuedFor: 50 * time.Millisecond})
	srv := sim.AddServer(fakecloud.Server{})
	sim.FailNextSnapshot(srv.ID)
	p := newSimProvider(t, sim)
	id, err := p.CreateImage(ctx, cloud.CreateImageRequest{ServerID: srv.ID, Name: "doomed", IdempotencyKey: testUID})
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond)
	lists := sim.Calls(fakecloud.OpListImages)
	if _, err := p.GetImage(ctx, id); !cloud.IsNotFound(err) {
		t.Fatalf("failed snapshot: %v", err)
	}
	if sim.Calls(fakecloud.OpListImages) != lists+1 {
		t.Errorf("the 404 was not confirmed with one credential check")
	}
}

func TestSimulatorFindImagesPages(t *testing.T) {
	ctx := context.Background()
	sim := drivertest.Sim(t, fakecloud.Options{})
	for range pageSize + 5 {
		sim.AddImage(fakecloud.Image{Name: "many-3f2a9c1e"})
	}
	sim.AddImage(fakecloud.Image{Name: "many-3f2a9c1e", Status: "deleted"})
	p := newSimProvider(t, sim)
	found, err := p.FindImages(ctx, cloud.FindImagesQuery{Name: "many", IdempotencyKey: testUID})
	if err != nil || len(found) != pageSize+5 {
		t.Fatalf("found %d images, %v", len(found), err)
	}
	// Two pages of the image list, one pending list.
	if n := sim.Calls(fakecloud.OpListImages); n != 3 {
		t.Errorf("%d list calls, want 3", n)
	}
}

func TestSimulatorClockSkew(t *testing.T) {
	sim := drivertest.Sim(t, fakecloud.Options{})
	p, err := newProvider(simConfig(sim), func() time.Time { return time.Now().Add(-10 * time.Minute) })
	if err != nil {
		t.Fatal(err)
	}
	err = p.Authenticate(context.Background())
	if cloud.ClassOf(err) != cloud.ClassUnauthorized || !strings.Contains(err.Error(), "time window") {
		t.Fatalf("skewed clock: %v", err)
	}
}

func TestSimulatorAccountID(t *testing.T) {
	sim := drivertest.Sim(t, fakecloud.Options{})
	p := newSimProvider(t, sim, func(c *cloud.Config) { c.Credentials[keyAccountID] = []byte("acct-42") })
	if err := p.Authenticate(context.Background()); err != nil {
		t.Fatalf("with an account ID: %v", err)
	}
}
