package rackspace

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud/cloudtest"
	"github.com/serverimage-operator/serverimage-operator/internal/cloud/drivertest"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
	"github.com/serverimage-operator/serverimage-operator/internal/fakecloud"
)

// These tests run the driver against the simulator's Rackspace dialect,
// which models the protocol independently of this package.

func simConfig(sim *fakecloud.Cloud, mut ...func(*cloud.Config)) cloud.Config {
	cfg := cloud.Config{
		Provider: cloud.Rackspace,
		Credentials: map[string][]byte{
			"username": []byte(sim.RackspaceUsername()),
			"apiKey":   []byte(sim.RackspaceAPIKey() + "\n"),
		},
		IdentityURL: sim.RackspaceIdentityURL(),
		Timeout:     5 * time.Second,
	}
	for _, m := range mut {
		m(&cfg)
	}
	return cfg
}

func newProvider(t *testing.T, cfg cloud.Config) *Provider {
	t.Helper()
	p, err := New(context.Background(), cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return p.(*Provider)
}

// wantClass fails the test unless err is a *cloud.Error of class c.
func wantClass(t *testing.T, err error, c cloud.ErrorClass) *cloud.Error {
	t.Helper()
	if err == nil {
		t.Fatalf("want error of class %s, got nil", c)
	}
	var ce *cloud.Error
	if !errors.As(err, &ce) {
		t.Fatalf("want *cloud.Error, got %T %v", err, err)
	}
	if ce.Class != c {
		t.Fatalf("want class %s, got %s (%v)", c, ce.Class, err)
	}
	return ce
}

func TestSimulatorImageLifecycle(t *testing.T) {
	ctx := context.Background()
	sim := drivertest.Sim(t, fakecloud.Options{})
	p := newProvider(t, simConfig(sim))
	srv := sim.AddServer(fakecloud.Server{Name: "web"})
	sim.FreezeImages(true)

	if err := p.Authenticate(ctx); err != nil {
		t.Fatal(err)
	}
	s, err := p.GetServer(ctx, srv.ID)
	if err != nil || s.ID != srv.ID || s.Status != "ACTIVE" || s.Readiness != cloud.ServerIdle {
		t.Fatalf("GetServer = %+v, %v", s, err)
	}
	id, err := p.CreateImage(ctx, cloud.CreateImageRequest{
		ServerID: srv.ID, Name: "web-golden", Metadata: map[string]string{"ImageType": "Gold"}, IdempotencyKey: "uid-1",
	})
	if err != nil {
		t.Fatal(err)
	}
	simImg, ok := sim.Image(id)
	if !ok || simImg.Properties[cloud.IdempotencyMetadataKey] != "uid-1" || simImg.Properties["ImageType"] != "Gold" || simImg.Name != "web-golden" {
		t.Fatalf("the driver's ID %q is not the simulator's image: %+v", id, simImg)
	}

	img, err := p.GetImage(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if img.Status != "SAVING" || img.Phase != cloud.PhasePending || img.Progress == nil || *img.Progress != 25 ||
		img.ServerID != srv.ID || img.IdempotencyKey != "uid-1" || img.CreatedAt.IsZero() ||
		!strings.HasPrefix(img.URL, sim.RackspaceComputeURL("DFW")+"/images/") {
		t.Errorf("saving image = %+v", img)
	}
	if s, _ := p.GetServer(ctx, srv.ID); s.Readiness != cloud.ServerBusy {
		t.Errorf("server not busy during the snapshot: %+v", s)
	}
	_, err = p.CreateImage(ctx, cloud.CreateImageRequest{ServerID: srv.ID, Name: "again", IdempotencyKey: "uid-2"})
	if ce := wantClass(t, err, cloud.ClassBusy); ce.HTTPStatus != 409 || !strings.Contains(ce.Message, "task_state") {
		t.Errorf("second create: %+v", ce)
	}

	for _, tc := range []struct {
		q    cloud.FindImagesQuery
		want int
	}{
		{cloud.FindImagesQuery{ServerID: srv.ID, Name: "web-golden", IdempotencyKey: "uid-1"}, 1},
		{cloud.FindImagesQuery{ServerID: srv.ID, IdempotencyKey: "uid-1"}, 1},
		{cloud.FindImagesQuery{ServerID: srv.ID, Name: "web-golden", IdempotencyKey: "someone-else"}, 0},
		{cloud.FindImagesQuery{ServerID: srv.ID, Name: "other-name", IdempotencyKey: "uid-1"}, 0},
	} {
		found, err := p.FindImages(ctx, tc.q)
		if err != nil || len(found) != tc.want || (tc.want == 1 && found[0].ID != id) {
			t.Errorf("FindImages(%+v) = %+v, %v; want %d", tc.q, found, err, tc.want)
		}
	}
	_, err = p.FindImages(ctx, cloud.FindImagesQuery{ServerID: srv.ID})
	wantClass(t, err, cloud.ClassInvalid)

	sim.FreezeImages(false)
	deadline := time.Now().Add(5 * time.Second)
	for img.Phase != cloud.PhaseActive && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
		if img, err = p.GetImage(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	if img.Status != "ACTIVE" || img.Progress == nil || *img.Progress != 100 || img.SizeBytes == nil {
		t.Errorf("active image = %+v", img)
	}

	if err := p.DeleteImage(ctx, id); err != nil {
		t.Fatal(err)
	}
	if _, ok := sim.Image(id); ok {
		t.Error("image still in the simulator after DeleteImage")
	}
	if err := p.DeleteImage(ctx, id); err != nil {
		t.Errorf("deleting a deleted image: %v", err)
	}
	_, err = p.GetImage(ctx, id)
	wantClass(t, err, cloud.ClassNotFound)
	if n := sim.Calls(fakecloud.OpAuth); n != 1 {
		t.Errorf("%d authentications, want 1 (the token is cached)", n)
	}
}

func TestSimulatorImageStatuses(t *testing.T) {
	ctx := context.Background()
	sim := drivertest.Sim(t, fakecloud.Options{})
	p := newProvider(t, simConfig(sim))
	tests := []struct {
		simStatus string
		status    string
		phase     cloud.ImagePhase
	}{
		{fakecloud.StatusQueued, "SAVING", cloud.PhasePending},
		{fakecloud.StatusSaving, "SAVING", cloud.PhasePending},
		{fakecloud.StatusActive, "ACTIVE", cloud.PhaseActive},
		{fakecloud.StatusKilled, "ERROR", cloud.PhaseFailed},
		{fakecloud.StatusPendingDelete, "DELETED", cloud.PhaseDeleted},
		// UNKNOWN covers image-service states without a name in this API,
		// uploads among them: not terminal.
		{fakecloud.StatusDeactivated, "UNKNOWN", cloud.PhasePending},
	}
	for _, tc := range tests {
		t.Run(tc.simStatus, func(t *testing.T) {
			added := sim.AddImage(fakecloud.Image{Status: tc.simStatus})
			img, err := p.GetImage(ctx, added.ID)
			if err != nil || img.Status != tc.status || img.Phase != tc.phase {
				t.Errorf("GetImage = %+v, %v; want %s/%s", img, err, tc.status, tc.phase)
			}
		})
	}
}

func TestSimulatorCredentialsAndRegions(t *testing.T) {
	ctx := context.Background()
	sim := drivertest.Sim(t, fakecloud.Options{})
	srv := sim.AddServer(fakecloud.Server{})
	const wrongKey = "f00dfeedf00dfeedf00dfeedf00dfeed"
	tests := []struct {
		name      string
		mut       func(*cloud.Config)
		wantClass cloud.ErrorClass
		wantMsg   string
		wantBase  string
	}{
		{name: "api key, user's default region", wantBase: sim.RackspaceComputeURL("DFW")},
		{name: "password", mut: func(c *cloud.Config) {
			c.Credentials = map[string][]byte{"username": []byte(sim.RackspaceUsername()), "password": []byte(sim.RackspacePassword())}
		}, wantBase: sim.RackspaceComputeURL("DFW")},
		{name: "api key wins over a wrong password", mut: func(c *cloud.Config) { c.Credentials["password"] = []byte("wrong") },
			wantBase: sim.RackspaceComputeURL("DFW")},
		{name: "region ORD", mut: func(c *cloud.Config) { c.Region = "ORD" }, wantBase: sim.RackspaceComputeURL("ORD")},
		{name: "region in lower case", mut: func(c *cloud.Config) { c.Region = "ord" }, wantBase: sim.RackspaceComputeURL("ORD")},
		{name: "compute URL override with tenant placeholder", mut: func(c *cloud.Config) {
			c.ComputeURL = sim.URL() + "/rackspace/ord/servers/v2/{tenant_id}/"
		}, wantBase: sim.RackspaceComputeURL("ORD")},
		{name: "region not in the catalog", mut: func(c *cloud.Config) { c.Region = "SYD" },
			wantClass: cloud.ClassInvalid, wantMsg: "no cloudServersOpenStack endpoint in the Cloud's region SYD (available: DFW, ORD)"},
		{name: "wrong api key", mut: func(c *cloud.Config) { c.Credentials["apiKey"] = []byte(wrongKey) },
			wantClass: cloud.ClassUnauthorized, wantMsg: "HTTP 401: Username or api key is invalid."},
		{name: "wrong password", mut: func(c *cloud.Config) {
			c.Credentials = map[string][]byte{"username": []byte(sim.RackspaceUsername()), "password": []byte(wrongKey)}
		}, wantClass: cloud.ClassUnauthorized, wantMsg: "Unable to authenticate user"},
		{name: "wrong identity path", mut: func(c *cloud.Config) { c.IdentityURL = sim.URL() + "/rackspace/identity/v3" },
			wantClass: cloud.ClassNotFound, wantMsg: "HTTP 404"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := newProvider(t, simConfig(sim, func(c *cloud.Config) {
				c.Credentials = map[string][]byte{"username": []byte(sim.RackspaceUsername()), "apiKey": []byte(sim.RackspaceAPIKey())}
			}, func(c *cloud.Config) {
				if tc.mut != nil {
					tc.mut(c)
				}
			}))
			err := p.Authenticate(ctx)
			if tc.wantClass != "" {
				ce := wantClass(t, err, tc.wantClass)
				if !strings.Contains(ce.Error(), tc.wantMsg) || ce.Op != cloud.OpAuthenticate {
					t.Errorf("error %q (op %s) does not say %q", ce.Error(), ce.Op, tc.wantMsg)
				}
				if strings.Contains(fmt.Sprintf("%v %+v", err, ce), wrongKey) {
					t.Errorf("the credential leaked into the error: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := p.sess.Load().compute; got != tc.wantBase {
				t.Errorf("compute endpoint %q, want %q", got, tc.wantBase)
			}
			if _, err := p.GetServer(ctx, srv.ID); err != nil {
				t.Errorf("GetServer through %s: %v", tc.wantBase, err)
			}
		})
	}
}

func TestSimulatorErrorsAreClassified(t *testing.T) {
	ctx := context.Background()
	sim := drivertest.Sim(t, fakecloud.Options{})
	idle := sim.AddServer(fakecloud.Server{})
	broken := sim.AddServer(fakecloud.Server{Status: "ERROR"})
	create := func(p *Provider, serverID string, meta map[string]string) error {
		_, err := p.CreateImage(ctx, cloud.CreateImageRequest{ServerID: serverID, Name: "n", Metadata: meta, IdempotencyKey: "k"})
		return err
	}
	tests := []struct {
		name      string
		fault     *fakecloud.Fault
		mut       func(*cloud.Config)
		do        func(p *Provider) error
		class     cloud.ErrorClass
		status    int
		msg       string
		retry     time.Duration
		wantCalls int // createImage calls that reached the simulator
	}{
		{name: "busy 409", fault: &fakecloud.Fault{Op: fakecloud.OpCreateImage, Status: 409, Message: "Cannot 'createImage' instance x while it is in task_state image_uploading"},
			do: func(p *Provider) error { return create(p, idle.ID, nil) }, class: cloud.ClassBusy, status: 409, msg: "task_state image_uploading", wantCalls: 1},
		{name: "server in error", do: func(p *Provider) error { return create(p, broken.ID, nil) },
			class: cloud.ClassConflict, status: 409, msg: "vm_state error", wantCalls: 1},
		{name: "rate limited with Retry-After", fault: &fakecloud.Fault{Op: fakecloud.OpCreateImage, Status: 413, RetryAfter: "1"},
			do: func(p *Provider) error { return create(p, idle.ID, nil) }, class: cloud.ClassRateLimited, status: 413, msg: "rate-limited", retry: time.Second, wantCalls: 1},
		{name: "server gone", do: func(p *Provider) error { return create(p, "7c1f0000-0000-4000-8000-000000000000", nil) },
			class: cloud.ClassNotFound, status: 404, msg: "could not be found", wantCalls: 1},
		{name: "compute fault", fault: &fakecloud.Fault{Op: fakecloud.OpCreateImage, Status: 500},
			do: func(p *Provider) error { return create(p, idle.ID, nil) }, class: cloud.ClassTransient, status: 500, wantCalls: 1},
		{name: "39 metadata entries plus the key fit", do: func(p *Provider) error { return create(p, idle.ID, cloudtest.Metadata(39)) }, wantCalls: 1},
		{name: "40 metadata entries plus the key are refused before any call", do: func(p *Provider) error { return create(p, idle.ID, cloudtest.Metadata(40)) },
			class: cloud.ClassInvalid, msg: "41 metadata items (spec.metadata plus the operator's serverimage_uid key) but Rackspace allows at most 40 per image", wantCalls: 0},
		{name: "a raised limit lets the cloud decide: 403", mut: func(c *cloud.Config) { c.Options = map[string]string{OptionMaxImageMeta: "100"} },
			do: func(p *Provider) error { return create(p, idle.ID, cloudtest.Metadata(45)) }, class: cloud.ClassForbidden, status: 403, msg: "Image metadata limit exceeded", wantCalls: 1},
		{name: "getImage unavailable", fault: &fakecloud.Fault{Op: fakecloud.OpGetImage, Status: 503},
			do: func(p *Provider) error { _, err := p.GetImage(ctx, "5a3b0000-0000-4000-8000-000000000000"); return err }, class: cloud.ClassTransient, status: 503},
		{name: "findImages rate limited", fault: &fakecloud.Fault{Op: fakecloud.OpListImages, Status: 413, RetryAfter: "7"},
			do: func(p *Provider) error {
				_, err := p.FindImages(ctx, cloud.FindImagesQuery{ServerID: idle.ID, IdempotencyKey: "k"})
				return err
			}, class: cloud.ClassRateLimited, status: 413, retry: 7 * time.Second},
		{name: "deleteImage forbidden", fault: &fakecloud.Fault{Op: fakecloud.OpDeleteImage, Status: 403, Message: "Policy doesn't allow"},
			do: func(p *Provider) error { return p.DeleteImage(ctx, "5a3b0000-0000-4000-8000-000000000000") }, class: cloud.ClassForbidden, status: 403, msg: "Policy doesn't allow"},
		{name: "identity rate limited", fault: &fakecloud.Fault{Op: fakecloud.OpAuth, Status: 413, RetryAfter: "30"},
			do: func(p *Provider) error { return p.Authenticate(ctx) }, class: cloud.ClassRateLimited, status: 413, retry: 30 * time.Second},
		{name: "identity down", fault: &fakecloud.Fault{Op: fakecloud.OpAuth, Status: 503},
			do: func(p *Provider) error { return create(p, idle.ID, nil) }, class: cloud.ClassTransient, status: 503},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sim.ClearFaults()
			sim.ResetLedger()
			if tc.fault != nil {
				sim.InjectFault(*tc.fault)
			}
			p := newProvider(t, simConfig(sim, func(c *cloud.Config) {
				if tc.mut != nil {
					tc.mut(c)
				}
			}))
			err := tc.do(p)
			if tc.class == "" {
				if err != nil {
					t.Fatal(err)
				}
			} else {
				ce := wantClass(t, err, tc.class)
				if ce.HTTPStatus != tc.status || !strings.Contains(ce.Message, tc.msg) {
					t.Errorf("got status %d message %q; want %d containing %q", ce.HTTPStatus, ce.Message, tc.status, tc.msg)
				}
				// Retry-After is whole seconds; allow for the request's age.
				if ce.RetryAfter > tc.retry || ce.RetryAfter < tc.retry-time.Second/2 {
					t.Errorf("RetryAfter %v, want %v", ce.RetryAfter, tc.retry)
				}
			}
			if n := sim.Calls(fakecloud.OpCreateImage); n != tc.wantCalls {
				t.Errorf("%d createImage calls reached the cloud, want %d", n, tc.wantCalls)
			}
		})
	}
}

func TestSimulatorTokenRenewal(t *testing.T) {
	ctx := context.Background()
	sim := drivertest.Sim(t, fakecloud.Options{})
	srv := sim.AddServer(fakecloud.Server{})

	t.Run("expired token: one re-authentication for many callers", func(t *testing.T) {
		p := newProvider(t, simConfig(sim))
		if err := p.Authenticate(ctx); err != nil {
			t.Fatal(err)
		}
		sim.ExpireTokens()
		before := sim.Calls(fakecloud.OpAuth)
		cloudtest.Concurrently(t, 8, func(int) error {
			_, err := p.GetServer(ctx, srv.ID)
			return err
		})
		if n := sim.Calls(fakecloud.OpAuth) - before; n != 1 {
			t.Errorf("%d re-authentications, want 1", n)
		}
	})

	t.Run("token about to expire is renewed before use", func(t *testing.T) {
		p := newProvider(t, simConfig(sim))
		if err := p.Authenticate(ctx); err != nil {
			t.Fatal(err)
		}
		before := sim.Calls(fakecloud.OpAuth)
		p.now = func() time.Time { return time.Now().Add(time.Hour - time.Minute) } // the simulator's tokens live 1h
		if _, err := p.GetServer(ctx, srv.ID); err != nil {
			t.Fatal(err)
		}
		if n := sim.Calls(fakecloud.OpAuth) - before; n != 1 {
			t.Errorf("%d authentications, want 1", n)
		}
		if n := sim.Calls(fakecloud.OpGetServer); n == 0 {
			t.Error("no getServer call")
		}
	})

	t.Run("401 after re-authentication is terminal", func(t *testing.T) {
		p := newProvider(t, simConfig(sim))
		sim.InjectFault(fakecloud.Fault{Op: fakecloud.OpGetServer, Status: 401, Times: 2})
		_, err := p.GetServer(ctx, srv.ID)
		if ce := wantClass(t, err, cloud.ClassUnauthorized); ce.Op != cloud.OpGetServer || ce.HTTPStatus != 401 {
			t.Errorf("got %+v", ce)
		}
	})

	t.Run("failed re-authentication says so", func(t *testing.T) {
		p := newProvider(t, simConfig(sim))
		if err := p.Authenticate(ctx); err != nil {
			t.Fatal(err)
		}
		sim.ExpireTokens()
		sim.InjectFault(fakecloud.Fault{Op: fakecloud.OpAuth, Status: 401, Message: "Username or api key is invalid."})
		_, err := p.GetImage(ctx, "5a3b0000-0000-4000-8000-000000000000")
		ce := wantClass(t, err, cloud.ClassUnauthorized)
		if ce.Op != cloud.OpGetImage || !strings.HasPrefix(ce.Message, "re-authentication failed: Username or api key is invalid.") {
			t.Errorf("got %+v", ce)
		}
	})
}

func TestSimulatorDroppedCreateIsFoundAgain(t *testing.T) {
	ctx := context.Background()
	sim := drivertest.Sim(t, fakecloud.Options{})
	p := newProvider(t, simConfig(sim))
	srv := sim.AddServer(fakecloud.Server{})
	sim.InjectFault(fakecloud.Fault{Op: fakecloud.OpCreateImage, DropResponse: true})
	req := cloud.CreateImageRequest{ServerID: srv.ID, Name: "lost", IdempotencyKey: "uid-lost"}
	_, err := p.CreateImage(ctx, req)
	wantClass(t, err, cloud.ClassTransient)
	found, err := p.FindImages(ctx, cloud.FindImagesQuery{ServerID: srv.ID, Name: "lost", IdempotencyKey: "uid-lost"})
	if err != nil || len(found) != 1 {
		t.Fatalf("FindImages = %+v, %v", found, err)
	}
	if imgs := sim.Images(); len(imgs) != 1 || imgs[0].ID != found[0].ID {
		t.Errorf("simulator images %+v", imgs)
	}
}

// TestSimulatorPropertiesAndMembers drives the Cloud Images calls against
// the simulator: members go on a private image, every step is safe to
// repeat, and GetImage returns the properties only when asked.
func TestSimulatorPropertiesAndMembers(t *testing.T) {
	ctx := context.Background()
	sim := drivertest.Sim(t, fakecloud.Options{})
	p := newProvider(t, simConfig(sim))
	img := sim.AddImage(fakecloud.Image{Name: "golden"})
	const consumer = "654321"

	caps := p.Capabilities().Properties
	if !caps.Tags || !caps.Protected || !caps.Sharing || caps.SharingNeedsShared || !caps.PropsNeedImageRead ||
		caps.CanSetVisibility(cloud.VisibilityShared) || !caps.CanSetVisibility(cloud.VisibilityPrivate) {
		t.Fatalf("capabilities %+v", caps)
	}
	yes := true
	u := cloud.PropertyUpdate{AddTags: []string{"golden", "nightly"}, Protected: &yes, Visibility: cloud.VisibilityPrivate}
	for range 2 {
		if err := p.UpdateImageProperties(ctx, img.ID, u); err != nil {
			t.Fatalf("UpdateImageProperties: %v", err)
		}
		if err := p.AddMember(ctx, img.ID, consumer); err != nil {
			t.Fatalf("AddMember on a private image (repeated calls are no error): %v", err)
		}
	}
	got, err := p.GetImage(cloud.WithImageProps(ctx), img.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !got.PropsKnown || !slices.Equal(got.Tags, []string{"golden", "nightly"}) || !got.Protected || got.Visibility != cloud.VisibilityPrivate || got.Phase != cloud.PhaseActive {
		t.Fatalf("image with properties: %+v", got)
	}
	if plain, err := p.GetImage(ctx, img.ID); err != nil || plain.PropsKnown {
		t.Fatalf("the poll read carries properties (%+v, %v): it should not need Cloud Images", plain, err)
	}
	ms, err := p.ListMembers(ctx, img.ID)
	if err != nil || len(ms) != 1 || ms[0] != (cloud.Member{Project: consumer, Status: cloud.MemberPending}) {
		t.Fatalf("ListMembers = %+v, %v", ms, err)
	}
	// The owner may not answer for the consumer (403): the call reaches
	// the member, as the consumer's own would.
	wantClass(t, p.AcceptShare(ctx, img.ID), cloud.ClassForbidden)
	// Cloud Images has no shared visibility.
	wantClass(t, p.UpdateImageProperties(ctx, img.ID, cloud.PropertyUpdate{Visibility: cloud.VisibilityShared}), cloud.ClassInvalid)
	if err := p.DeleteImage(ctx, img.ID); err == nil {
		t.Fatal("a protected image was deleted")
	}

	no := false
	for range 2 {
		if err := p.UpdateImageProperties(ctx, img.ID, cloud.PropertyUpdate{RemoveTags: []string{"nightly"}, Protected: &no}); err != nil {
			t.Fatalf("UpdateImageProperties (remove): %v", err)
		}
		if err := p.RemoveMember(ctx, img.ID, consumer); err != nil {
			t.Fatalf("RemoveMember (a member already gone is no error): %v", err)
		}
	}
	after, _ := sim.Image(img.ID)
	if !slices.Equal(after.Tags, []string{"golden"}) || after.Protected || len(after.Members) != 0 {
		t.Fatalf("simulator image after removal: %+v", after.ImageProps)
	}
	if err := p.DeleteImage(ctx, img.ID); err != nil {
		t.Fatalf("DeleteImage after unprotecting: %v", err)
	}
}
