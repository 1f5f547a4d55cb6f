package huawei

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
	"github.com/serverimage-operator/serverimage-operator/internal/cloud/drivertest"
	"github.com/serverimage-operator/serverimage-operator/internal/fakecloud"
)

// These tests run the driver against the simulator's Huawei dialect, whose
// gateway verifies every AK/SK signature the way the real one does.

const testKey = "1a2b3c4d-0000-4000-8000-000000000001"

func newSim(t *testing.T) *fakecloud.Cloud {
	t.Helper()
	sim := fakecloud.New(fakecloud.Options{QueuedFor: 30 * time.Millisecond, SavingFor: 30 * time.Millisecond})
	t.Cleanup(sim.Close)
	return sim
}

func akskConfig(sim *fakecloud.Cloud) cloud.Config {
	return cloud.Config{
		Provider: cloud.HuaweiCloud,
		Credentials: map[string][]byte{
			"accessKey": []byte(sim.HuaweiAccessKey()),
			"secretKey": []byte(sim.HuaweiSecretKey()),
		},
		Region:     sim.HuaweiRegion(),
		ProjectID:  sim.HuaweiProjectID(),
		ComputeURL: sim.HuaweiECSURL(),
		ImageURL:   sim.HuaweiIMSURL(),
		Timeout:    5 * time.Second,
	}
}

func tokenConfig(sim *fakecloud.Cloud) cloud.Config {
	return cloud.Config{
		Provider:    cloud.HuaweiCloud,
		Credentials: map[string][]byte{"clouds.yaml": []byte(sim.HuaweiCloudsYAML("hw"))},
		ComputeURL:  sim.HuaweiECSURL(),
		ImageURL:    sim.HuaweiIMSURL(),
		Timeout:     5 * time.Second,
	}
}

func newProvider(t *testing.T, cfg cloud.Config) *Provider {
	t.Helper()
	p, err := New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return p.(*Provider)
}

// simServer is a simulator with one server and a Provider for it, built
// with cfg (akskConfig or tokenConfig).
func simServer(t *testing.T, cfg func(*fakecloud.Cloud) cloud.Config) (*fakecloud.Cloud, *Provider, fakecloud.Server) {
	t.Helper()
	sim := newSim(t)
	return sim, newProvider(t, cfg(sim)), sim.AddServer(fakecloud.Server{})
}

func wantClass(t *testing.T, err error, class cloud.ErrorClass, msgPart string) *cloud.Error {
	t.Helper()
	var ce *cloud.Error
	if !errors.As(err, &ce) {
		t.Fatalf("error %v (%T) is not a *cloud.Error", err, err)
	}
	if ce.Class != class || !strings.Contains(ce.Message, msgPart) {
		t.Fatalf("got class %s message %q, want %s containing %q", ce.Class, ce.Message, class, msgPart)
	}
	return ce
}

func TestLifecycleAgainstSimulator(t *testing.T) {
	t.Parallel()
	for _, mode := range []struct {
		name string
		cfg  func(*fakecloud.Cloud) cloud.Config
	}{{"AK/SK", akskConfig}, {"IAM token", tokenConfig}} {
		t.Run(mode.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			sim, p, srv := simServer(t, mode.cfg)

			if err := p.Authenticate(ctx); err != nil {
				t.Fatal(err)
			}
			s, err := p.GetServer(ctx, srv.ID)
			if err != nil || s.ID != srv.ID || s.Status != "ACTIVE" || s.Readiness != cloud.ServerIdle {
				t.Fatalf("GetServer: %+v %v", s, err)
			}
			id, err := p.CreateImage(ctx, cloud.CreateImageRequest{ServerID: srv.ID, Name: "web", IdempotencyKey: testKey,
				Metadata: map[string]string{"ImageType": "Gold"}})
			if err != nil {
				t.Fatal(err)
			}
			simImg, ok := sim.Image(id)
			if !ok || simImg.Name != "web-1a2b3c4d" || simImg.Properties["serverimage_uid"] != testKey || simImg.Properties["ImageType"] != "Gold" {
				t.Fatalf("image in the cloud: %+v", simImg)
			}
			var img *cloud.Image
			deadline := time.Now().Add(5 * time.Second)
			for {
				if img, err = p.GetImage(ctx, id); err != nil {
					t.Fatal(err)
				}
				if !img.Phase.InProgress() || time.Now().After(deadline) {
					break
				}
				time.Sleep(10 * time.Millisecond)
			}
			if img.Phase != cloud.PhaseActive || img.Status != "active" || img.SizeBytes == nil || img.Checksum == "" ||
				img.ServerID != srv.ID || img.Name != "web-1a2b3c4d" || !strings.HasSuffix(img.URL, "/v2/images/"+id) {
				t.Errorf("image %+v", img)
			}

			found, err := p.FindImages(ctx, cloud.FindImagesQuery{ServerID: srv.ID, Name: "web", IdempotencyKey: testKey})
			if err != nil || len(found) != 1 || found[0].ID != id || found[0].IdempotencyKey != testKey {
				t.Errorf("FindImages: %+v %v", found, err)
			}
			other, err := p.FindImages(ctx, cloud.FindImagesQuery{ServerID: srv.ID, Name: "web", IdempotencyKey: "ffffffff-0000-4000-8000-000000000000"})
			if err != nil || len(other) != 0 {
				t.Errorf("FindImages with another key: %+v %v", other, err)
			}

			if err := p.DeleteImage(ctx, id); err != nil {
				t.Fatal(err)
			}
			if _, err := p.GetImage(ctx, id); !cloud.IsNotFound(err) {
				t.Errorf("GetImage after delete: %v", err)
			}
			if err := p.DeleteImage(ctx, id); err != nil {
				t.Errorf("deleting a deleted image: %v", err)
			}
			if _, err := p.GetServer(ctx, "0b6e5c1f-9d0a-4c55-9a53-1f3b2f0e7a10"); !cloud.IsNotFound(err) {
				t.Errorf("GetServer of a missing server: %v", err)
			}
		})
	}
}

func TestAuthenticationFailures(t *testing.T) {
	t.Parallel()
	sim := newSim(t)
	tmpAK, tmpSK, tmpToken := sim.HuaweiTemporaryCredentials()
	cases := []struct {
		name   string
		cfg    func() cloud.Config
		now    time.Duration // clock offset of the operator
		class  cloud.ErrorClass
		msg    string
		secret string
	}{
		{name: "wrong secret key", cfg: func() cloud.Config {
			c := akskConfig(sim)
			c.Credentials["secretKey"] = []byte("Wr0ngSecretKeyThatMustNotLeak0000000000")
			return c
		}, class: cloud.ClassUnauthorized, msg: "APIGW.0301: Incorrect IAM authentication information: verify aksk signature fail",
			secret: "Wr0ngSecretKeyThatMustNotLeak0000000000"},
		{name: "operator clock 20 minutes behind", cfg: func() cloud.Config { return akskConfig(sim) }, now: -20 * time.Minute,
			class: cloud.ClassUnauthorized, msg: "signature expired (X-Sdk-Date must be within 15 minutes"},
		{name: "project of another account", cfg: func() cloud.Config {
			c := akskConfig(sim)
			c.ProjectID = strings.Repeat("9", 32)
			return c
		}, class: cloud.ClassUnauthorized, msg: "APIGW.0301"},
		{name: "temporary key without its security token", cfg: func() cloud.Config {
			c := akskConfig(sim)
			c.Credentials["accessKey"], c.Credentials["secretKey"] = []byte(tmpAK), []byte(tmpSK)
			return c
		}, class: cloud.ClassUnauthorized, msg: "security token", secret: tmpSK},
		{name: "temporary key with its security token", cfg: func() cloud.Config {
			c := akskConfig(sim)
			c.Credentials["accessKey"], c.Credentials["secretKey"] = []byte(tmpAK), []byte(tmpSK)
			c.Credentials["securityToken"] = []byte(tmpToken)
			return c
		}},
		{name: "wrong IAM password", cfg: func() cloud.Config {
			c := tokenConfig(sim)
			c.Credentials["clouds.yaml"] = []byte(strings.Replace(sim.HuaweiCloudsYAML("hw"), `password: "secret"`, `password: "hunter2-must-not-leak"`, 1))
			return c
		}, class: cloud.ClassUnauthorized, msg: "The username or password is wrong", secret: "hunter2-must-not-leak"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := newProvider(t, tc.cfg())
			p.now = func() time.Time { return time.Now().Add(tc.now) }
			err := p.Authenticate(context.Background())
			if tc.class == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			ce := wantClass(t, err, tc.class, tc.msg)
			if ce.HTTPStatus != http.StatusUnauthorized {
				t.Errorf("status %d", ce.HTTPStatus)
			}
			if tc.secret != "" && strings.Contains(ce.Error(), tc.secret) {
				t.Errorf("credential in error %q", ce.Error())
			}
		})
	}
}

func TestTokenIsCachedAndRenewedOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	sim, p, srv := simServer(t, tokenConfig)
	for range 3 {
		if _, err := p.GetServer(ctx, srv.ID); err != nil {
			t.Fatal(err)
		}
	}
	if n := sim.Calls(fakecloud.OpAuth); n != 1 {
		t.Errorf("%d logins for three calls, want 1", n)
	}
	sim.ExpireTokens()
	if _, err := p.GetServer(ctx, srv.ID); err != nil {
		t.Fatalf("after the token was revoked: %v", err)
	}
	if n := sim.Calls(fakecloud.OpAuth); n != 2 {
		t.Errorf("%d logins, want 2 (one renewal)", n)
	}
	// A 401 that a new token does not cure is final, after one renewal.
	sim.InjectFault(fakecloud.Fault{Op: fakecloud.OpGetServer, Status: 401, Times: 2})
	_, err := p.GetServer(ctx, srv.ID)
	wantClass(t, err, cloud.ClassUnauthorized, "APIGW.0301")
	if n := sim.Calls(fakecloud.OpAuth); n != 3 {
		t.Errorf("%d logins, want 3", n)
	}
}

func TestCreateImageFailures(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cases := []struct {
		name  string
		setup func(sim *fakecloud.Cloud, serverID string)
		req   func(serverID string) cloud.CreateImageRequest
		class cloud.ErrorClass
		msg   string
		// calls is how many createImage requests must reach the cloud.
		calls      int
		retryAfter time.Duration
	}{
		{name: "name too long is refused before any call",
			req: func(id string) cloud.CreateImageRequest {
				return cloud.CreateImageRequest{ServerID: id, Name: strings.Repeat("n", 240), IdempotencyKey: testKey}
			},
			class: cloud.ClassInvalid, msg: "spec.imageName may be at most 233 bytes", calls: 0},
		{name: "metadata value too long is refused before any call",
			req: func(id string) cloud.CreateImageRequest {
				return cloud.CreateImageRequest{ServerID: id, Name: "x", IdempotencyKey: testKey, Metadata: map[string]string{"k": strings.Repeat("v", 255)}}
			},
			class: cloud.ClassInvalid, msg: "less than 255", calls: 0},
		{name: "busy server",
			setup: func(sim *fakecloud.Cloud, id string) {
				sim.SetServer(fakecloud.Server{ID: id, TaskState: "image_snapshot"})
			},
			class: cloud.ClassBusy, msg: "task_state image_snapshot", calls: 1},
		{name: "throttled",
			setup: func(sim *fakecloud.Cloud, _ string) {
				sim.InjectFault(fakecloud.Fault{Op: fakecloud.OpCreateImage, Status: 429, RetryAfter: "2"})
			},
			class: cloud.ClassRateLimited, msg: "APIG.0308: The throttling threshold has been reached", calls: 1, retryAfter: 2 * time.Second},
		{name: "response dropped after the cloud created the image",
			setup: func(sim *fakecloud.Cloud, _ string) {
				sim.InjectFault(fakecloud.Fault{Op: fakecloud.OpCreateImage, DropResponse: true})
			},
			class: cloud.ClassTransient, msg: "connection", calls: 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			sim, p, srv := simServer(t, akskConfig)
			if tc.setup != nil {
				tc.setup(sim, srv.ID)
			}
			req := cloud.CreateImageRequest{ServerID: srv.ID, Name: "web", IdempotencyKey: testKey}
			if tc.req != nil {
				req = tc.req(srv.ID)
			}
			_, err := p.CreateImage(ctx, req)
			ce := wantClass(t, err, tc.class, tc.msg)
			if ce.RetryAfter != tc.retryAfter {
				t.Errorf("RetryAfter %s, want %s", ce.RetryAfter, tc.retryAfter)
			}
			if n := sim.Calls(fakecloud.OpCreateImage); n != tc.calls {
				t.Errorf("createImage reached the cloud %d times, want %d", n, tc.calls)
			}
		})
	}
}

func TestDroppedCreateIsFoundAgainByName(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	sim, p, srv := simServer(t, akskConfig)
	sim.InjectFault(fakecloud.Fault{Op: fakecloud.OpCreateImage, DropResponse: true})
	if _, err := p.CreateImage(ctx, cloud.CreateImageRequest{ServerID: srv.ID, Name: "web", IdempotencyKey: testKey}); err == nil {
		t.Fatal("the dropped response was not an error")
	}
	found, err := p.FindImages(ctx, cloud.FindImagesQuery{ServerID: srv.ID, Name: "web", IdempotencyKey: testKey})
	if err != nil || len(found) != 1 || found[0].ID != sim.Images()[0].ID {
		t.Fatalf("FindImages: %+v %v", found, err)
	}
}

func TestMicroversionPinnedBelow245ReadsLocation(t *testing.T) {
	t.Parallel()
	sim := newSim(t)
	cfg := akskConfig(sim)
	cfg.ComputeMicroversion = "2.1"
	p := newProvider(t, cfg)
	srv := sim.AddServer(fakecloud.Server{})
	id, err := p.CreateImage(context.Background(), cloud.CreateImageRequest{ServerID: srv.ID, Name: "old", IdempotencyKey: testKey})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := sim.Image(id); !ok {
		t.Errorf("ID %q from Location is not the simulator's image", id)
	}
}

func TestFindImagesRechecksWhatIMSReturns(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	sim, p, srv := simServer(t, akskConfig)
	name := "web-1a2b3c4d"
	mine := sim.AddImage(fakecloud.Image{Name: name, ServerID: srv.ID, Properties: map[string]string{"serverimage_uid": testKey}})
	// Same name: another object's key, another server, no key at all (IMS
	// may not show our metadata: the name decides).
	sim.AddImage(fakecloud.Image{Name: name, Properties: map[string]string{"serverimage_uid": "1a2b3c4d-ffff-4000-8000-000000000000"}})
	sim.AddImage(fakecloud.Image{Name: name, ServerID: "other-server"})
	bare := sim.AddImage(fakecloud.Image{Name: name})
	sim.AddImage(fakecloud.Image{Name: "web", ServerID: srv.ID, Properties: map[string]string{"serverimage_uid": testKey}})

	found, err := p.FindImages(ctx, cloud.FindImagesQuery{ServerID: srv.ID, Name: "web", IdempotencyKey: testKey})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, img := range found {
		got[img.ID] = true
	}
	if len(found) != 2 || !got[mine.ID] || !got[bare.ID] {
		t.Errorf("found %+v, want %s and %s", found, mine.ID, bare.ID)
	}
	if tooLong, err := p.FindImages(ctx, cloud.FindImagesQuery{Name: strings.Repeat("n", 240), IdempotencyKey: testKey}); err != nil || tooLong != nil {
		t.Errorf("a name CreateImage refuses cannot exist: %v %v", tooLong, err)
	}
	if _, err := p.FindImages(ctx, cloud.FindImagesQuery{Name: "web"}); cloud.ClassOf(err) != cloud.ClassInvalid {
		t.Errorf("FindImages without a key: %v", err)
	}
}

// imsPages serves /v2/cloudimages by hand: pages[marker] is the page
// asked for with that marker. It records every raw query.
func imsPages(t *testing.T, pages map[string][]map[string]any) (*Provider, *[]string) {
	t.Helper()
	var queries []string
	ims := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		queries = append(queries, r.URL.RawQuery)
		_ = json.NewEncoder(w).Encode(map[string]any{"images": pages[r.URL.Query().Get("marker")]})
	}))
	t.Cleanup(ims.Close)
	cfg := aksk(strings.Repeat("a", 32), "")
	cfg.ComputeURL, cfg.ImageURL = ims.URL, ims.URL
	return newProvider(t, cfg), &queries
}

// fullIMSPage is a page of imsPageLimit images named name; the last has ID last.
func fullIMSPage(name, last string) []map[string]any {
	page := make([]map[string]any, imsPageLimit)
	for i := range page {
		page[i] = map[string]any{"id": fmt.Sprintf("%s-%d", last, i), "name": name, "status": "active", "created_at": "2026-01-01T00:00:00Z"}
	}
	page[len(page)-1]["id"] = last
	return page
}

// TestFindImagesPagesWithMarker: IMS gives no next link; a full page is
// followed by asking again from its last image ID, and a short page ends
// the listing.
func TestFindImagesPagesWithMarker(t *testing.T) {
	t.Parallel()
	first := fullIMSPage("other-1a2b3c4d", "i1")
	first[len(first)-1]["name"] = "web-1a2b3c4d"
	p, queries := imsPages(t, map[string][]map[string]any{
		"":   first,
		"i1": {{"id": "i2", "name": "web-1a2b3c4d", "status": "queued", "created_at": "2026-01-02T00:00:00Z"}},
	})
	found, err := p.FindImages(context.Background(), cloud.FindImagesQuery{Name: "web", IdempotencyKey: testKey})
	if err != nil || len(found) != 2 || found[0].ID != "i2" || found[1].ID != "i1" {
		t.Fatalf("found %+v %v (want i2, i1: newest first)", found, err)
	}
	q := *queries
	if len(q) != 2 || !strings.Contains(q[0], "limit=500") || strings.Contains(q[0], "marker=") || !strings.Contains(q[1], "marker=i1") {
		t.Errorf("queries %v, want a first page with limit=500, then marker=i1", q)
	}
}

// TestFindImagesRefusesAListingThatDoesNotMove: a cloud that answers a
// marker with the same full page again would be asked forever.
func TestFindImagesRefusesAListingThatDoesNotMove(t *testing.T) {
	t.Parallel()
	page := fullIMSPage("web-1a2b3c4d", "i1")
	p, queries := imsPages(t, map[string][]map[string]any{"": page, "i1": page})
	_, err := p.FindImages(context.Background(), cloud.FindImagesQuery{Name: "web", IdempotencyKey: testKey})
	if err == nil || !strings.Contains(err.Error(), "cannot continue") || len(*queries) != 2 {
		t.Errorf("%v after %d pages, want a refusal after 2", err, len(*queries))
	}
}

// queryRecorder is the base transport: it keeps the raw query of every
// request the signer passed on.
type queryRecorder struct {
	next    http.RoundTripper
	queries []string
}

func (q *queryRecorder) RoundTrip(r *http.Request) (*http.Response, error) {
	q.queries = append(q.queries, r.URL.RawQuery)
	return q.next.RoundTrip(r)
}

// TestImageNameWithSpacesIsSentAsSigned looks an image up by a name with
// spaces, a plus and a non-ASCII letter. The simulator's gateway reads the
// query by RFC 3986 rules ('+' is a plus), so a space sent as '+' after
// being signed as %20 is refused there as a signature mismatch.
func TestImageNameWithSpacesIsSentAsSigned(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	sim := newSim(t)
	cfg := akskConfig(sim)
	rec := &queryRecorder{next: http.DefaultTransport}
	cfg.Transport = rec
	p := newProvider(t, cfg)
	srv := sim.AddServer(fakecloud.Server{})
	const name = "web golden+1 é"
	id, err := p.CreateImage(ctx, cloud.CreateImageRequest{ServerID: srv.ID, Name: name, IdempotencyKey: testKey})
	if err != nil {
		t.Fatal(err)
	}
	found, err := p.FindImages(ctx, cloud.FindImagesQuery{ServerID: srv.ID, Name: name, IdempotencyKey: testKey})
	if err != nil || len(found) != 1 || found[0].ID != id {
		t.Fatalf("FindImages: %+v %v (want %s)", found, err, id)
	}
	want := "__imagetype=private&limit=500&name=web%20golden%2B1%20%C3%A9-1a2b3c4d"
	if !slices.Contains(rec.queries, want) {
		t.Errorf("queries sent %q, want one to be %q", rec.queries, want)
	}
}

// TestImagesChangedSince: the signed list with owner and updated_at=gte:
// (IMS cannot sort by update time).
func TestImagesChangedSince(t *testing.T) {
	sim := newSim(t)
	drivertest.CheckChangeFeed(t, sim, newProvider(t, akskConfig(sim)), false)
}
