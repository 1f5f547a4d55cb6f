package openstack

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
	"github.com/serverimage-operator/serverimage-operator/internal/fakecloud"
	"github.com/serverimage-operator/serverimage-operator/internal/faultmatrix"
)

var update = flag.Bool("update", false, "rewrite docs/fault-matrix.md from the fault-matrix test")

// docPath is the rendered matrix, relative to this package.
var docPath = filepath.Join("..", "..", "..", "docs", "fault-matrix.md")

// The driver's request timeout is short in the timeout row, and the
// simulator's latency well past it; the other rows get a timeout a busy
// machine cannot hit by accident (a TLS handshake included).
const (
	matrixShortTimeout = 300 * time.Millisecond
	matrixLatency      = 3 * time.Second
	matrixTimeout      = 10 * time.Second
)

// matrixKey is the idempotency key the cell's pre-existing image carries.
const matrixKey = "0f5c7a52-4f0e-4a3e-9a61-5d3b2f7d8c10"

// simOp is the simulator operation each matrix operation meets.
var simOp = map[faultmatrix.Op]fakecloud.Op{
	faultmatrix.OpAuth:       fakecloud.OpAuth,
	faultmatrix.OpGetServer:  fakecloud.OpGetServer,
	faultmatrix.OpCreate:     fakecloud.OpCreateImage,
	faultmatrix.OpGetImage:   fakecloud.OpGetImage,
	faultmatrix.OpFindImages: fakecloud.OpListImages,
	faultmatrix.OpDelete:     fakecloud.OpDeleteImage,
}

// successStatus is the status of each operation's real answer, used for
// the malformed-JSON row (a success status with a body that is not JSON).
var successStatus = map[faultmatrix.Op]int{
	faultmatrix.OpAuth:       http.StatusCreated,
	faultmatrix.OpGetServer:  http.StatusOK,
	faultmatrix.OpCreate:     http.StatusAccepted,
	faultmatrix.OpGetImage:   http.StatusOK,
	faultmatrix.OpFindImages: http.StatusOK,
	faultmatrix.OpDelete:     http.StatusNoContent,
}

// matrixCell is one simulator with one server and one image of it (carrying
// matrixKey), and a driver with a short timeout and no connection reuse.
type matrixCell struct {
	sim      *fakecloud.Cloud
	p        cloud.Provider
	serverID string
	imageID  string
}

// newMatrixCell builds the cell for fault f on op; untrusted, when set, is
// a TLS endpoint whose CA the driver is not given, used for op's service.
func newMatrixCell(t *testing.T, f faultmatrix.Fault, op faultmatrix.Op, untrusted *fakecloud.Cloud) *matrixCell {
	t.Helper()
	sim := newFake(t, fakecloud.Options{})
	srv := sim.AddServer(fakecloud.Server{})
	img := sim.AddImage(fakecloud.Image{ServerID: srv.ID, Properties: map[string]string{cloud.IdempotencyMetadataKey: matrixKey}})
	p := fakeProvider(t, sim, sim.CloudsYAML("fake"), func(cfg *cloud.Config) {
		cfg.Timeout = matrixTimeout
		if f == faultmatrix.FaultTimeout {
			cfg.Timeout = matrixShortTimeout
		}
		// A fresh connection per request: Go resends an idempotent
		// request that fails on a reused connection, which would hide a
		// single dropped response.
		cfg.Transport = &http.Transport{DisableKeepAlives: true}
		if untrusted == nil {
			return
		}
		switch op {
		case faultmatrix.OpAuth:
			cfg.IdentityURL = untrusted.IdentityURL()
		case faultmatrix.OpGetServer, faultmatrix.OpCreate:
			cfg.ComputeURL = untrusted.ComputeURL()
		default:
			cfg.ImageURL = untrusted.ImageURL()
		}
	})
	if op != faultmatrix.OpAuth {
		if err := p.Authenticate(context.Background()); err != nil {
			t.Fatalf("authenticate before the fault: %v", err)
		}
	}
	return &matrixCell{sim: sim, p: p, serverID: srv.ID, imageID: img.ID}
}

// call performs op through the driver.
func (c *matrixCell) call(op faultmatrix.Op) error {
	ctx := context.Background()
	var err error
	switch op {
	case faultmatrix.OpAuth:
		err = c.p.Authenticate(ctx)
	case faultmatrix.OpGetServer:
		_, err = c.p.GetServer(ctx, c.serverID)
	case faultmatrix.OpCreate:
		_, err = c.p.CreateImage(ctx, cloud.CreateImageRequest{ServerID: c.serverID, Name: "matrix", IdempotencyKey: "new-key"})
	case faultmatrix.OpGetImage:
		_, err = c.p.GetImage(ctx, c.imageID)
	case faultmatrix.OpFindImages:
		_, err = c.p.FindImages(ctx, cloud.FindImagesQuery{ServerID: c.serverID, IdempotencyKey: matrixKey})
	case faultmatrix.OpDelete:
		err = c.p.DeleteImage(ctx, c.imageID)
	}
	return err
}

// faultFor is the simulator fault that produces f on op. It persists
// (Times large): every attempt the driver makes meets it.
func faultFor(f faultmatrix.Fault, op faultmatrix.Op) fakecloud.Fault {
	ff := fakecloud.Fault{Op: simOp[op], Times: 1000}
	switch f {
	case faultmatrix.FaultTimeout:
		ff.Latency = matrixLatency
	case faultmatrix.FaultReset:
		ff.DropResponse = true
	case faultmatrix.FaultMalformed:
		ff.Status, ff.Body = successStatus[op], `{"malformed": tru}`
	default:
		ff.Status = f.Status()
		if ff.Status == 413 || ff.Status == 429 {
			ff.RetryAfter = "7"
		}
	}
	return ff
}

// TestFaultMatrix injects every fault of the matrix on every operation,
// checks the class (and status, message start, Retry-After) the real
// driver returns, and renders docs/fault-matrix.md from the results.
func TestFaultMatrix(t *testing.T) {
	untrusted := newFake(t, fakecloud.Options{TLS: true})
	var cells []faultmatrix.Observed
	for _, f := range faultmatrix.Faults {
		for _, op := range faultmatrix.Ops {
			t.Run(string(f)+"/"+string(op), func(t *testing.T) {
				var tlsEndpoint *fakecloud.Cloud
				if f == faultmatrix.FaultTLS {
					tlsEndpoint = untrusted
				}
				c := newMatrixCell(t, f, op, tlsEndpoint)
				if f != faultmatrix.FaultTLS {
					c.sim.InjectFault(faultFor(f, op))
				}
				authBefore := c.sim.Calls(fakecloud.OpAuth)
				err := c.call(op)
				obs := faultmatrix.Observed{Fault: f, Op: op}
				want := faultmatrix.Expected(f, op)
				if err != nil {
					ce := cloud.AsError("?", err)
					obs.Class, obs.HTTPStatus = ce.Class, ce.HTTPStatus
					if !strings.HasPrefix(strings.TrimPrefix(ce.Error(), ce.Op+": "), want.Kind) {
						t.Errorf("message %q does not start with %q", ce.Error(), want.Kind)
					}
					obs.Kind = want.Kind
					checkCellDetails(t, c, f, op, ce, authBefore)
				}
				if obs.Class != want.Class || obs.HTTPStatus != want.HTTPStatus {
					t.Errorf("got class %q status %d (%v), want class %q status %d", obs.Class, obs.HTTPStatus, err, want.Class, want.HTTPStatus)
				}
				cells = append(cells, obs)
			})
		}
	}
	if t.Failed() {
		return
	}
	got := faultmatrix.Render(cells, retryAfterCases())
	compareDoc(t, got)
}

// checkCellDetails checks what a class alone does not say: the wait a
// 413/429 asks for, one re-authentication on 401, the create committed
// before its answer was lost, the operation named in the error.
func checkCellDetails(t *testing.T, c *matrixCell, f faultmatrix.Fault, op faultmatrix.Op, ce *cloud.Error, authBefore int) {
	t.Helper()
	if wantOp := driverOp[op]; ce.Op != wantOp {
		t.Errorf("error names operation %q, want %q", ce.Op, wantOp)
	}
	switch status := f.Status(); {
	case status == 413 || status == 429:
		if ce.RetryAfter != 7*time.Second {
			t.Errorf("RetryAfter %s, want 7s", ce.RetryAfter)
		}
	case status == 401 && op != faultmatrix.OpAuth:
		if n := c.sim.Calls(fakecloud.OpAuth) - authBefore; n != 1 {
			t.Errorf("%d token requests after the 401, want exactly one re-authentication", n)
		}
	case f == faultmatrix.FaultReset && op == faultmatrix.OpCreate:
		found, err := c.p.FindImages(context.Background(), cloud.FindImagesQuery{ServerID: c.serverID, IdempotencyKey: "new-key"})
		if err == nil && len(found) != 1 {
			t.Errorf("after the lost answer, %d images carry the key, want the one the cloud created", len(found))
		}
	default:
		if ce.RetryAfter != 0 {
			t.Errorf("RetryAfter %s on a fault that asked for none", ce.RetryAfter)
		}
	}
}

// driverOp is the operation name the driver puts in its errors.
var driverOp = map[faultmatrix.Op]string{
	faultmatrix.OpAuth:       cloud.OpAuthenticate,
	faultmatrix.OpGetServer:  cloud.OpGetServer,
	faultmatrix.OpCreate:     cloud.OpCreateImage,
	faultmatrix.OpGetImage:   cloud.OpGetImage,
	faultmatrix.OpFindImages: cloud.OpFindImages,
	faultmatrix.OpDelete:     cloud.OpDeleteImage,
}

func compareDoc(t *testing.T, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(docPath, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(docPath)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/cloud/openstack -run FaultMatrix -update)", err)
	}
	if string(want) != got {
		t.Errorf("%s is out of date: run go test ./internal/cloud/openstack -run FaultMatrix -update\n%s", docPath, firstDiff(string(want), got))
	}
}

// firstDiff shows the first line that differs, enough to see why.
func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < max(len(al), len(bl)); i++ {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y {
			return fmt.Sprintf("line %d:\n  file: %s\n  test: %s", i+1, x, y)
		}
	}
	return ""
}
