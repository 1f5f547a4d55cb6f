package drivertest

import (
	"context"
	"testing"
	"time"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
	"github.com/serverimage-operator/serverimage-operator/internal/fakecloud"
)

// PowerCycle runs stop → image → start of one server through a driver
// against the simulator, the way the operator does: a repeated stop is a
// Conflict, a start while the snapshot uploads is Busy where the cloud
// reports tasks, and the server reads Running again at the end. The
// simulator's lifecycle must be slow enough (SavingFor) for the upload to
// be seen.
func PowerCycle(t *testing.T, sim *fakecloud.Cloud, p cloud.Provider) {
	t.Helper()
	ctx := context.Background()
	srv := sim.AddServer(fakecloud.Server{Name: "db-1"})
	if s := WaitPower(t, p, srv.ID, cloud.PowerRunning); s.VolumeBacked {
		t.Errorf("an image-backed server reads volume-backed")
	}
	if err := p.StopServer(ctx, srv.ID); err != nil {
		t.Fatalf("StopServer: %v", err)
	}
	WaitPower(t, p, srv.ID, cloud.PowerStopped)
	if err := p.StopServer(ctx, srv.ID); cloud.ClassOf(err) != cloud.ClassConflict {
		t.Errorf("stopping a stopped server: %v, want class Conflict", err)
	}
	id, err := p.CreateImage(ctx, cloud.CreateImageRequest{ServerID: srv.ID, Name: "db-1-stopped", IdempotencyKey: "power-cycle"})
	if err != nil {
		t.Fatalf("CreateImage: %v", err)
	}
	// The simulator runs Nova underneath every dialect: a start during the
	// snapshot is refused until the task clears.
	if err := p.StartServer(ctx, srv.ID); cloud.ClassOf(err) != cloud.ClassBusy {
		t.Errorf("starting during the snapshot: %v, want class Busy", err)
	}
	Eventually(t, "image active", func() bool {
		img, err := p.GetImage(ctx, id)
		return err == nil && img.Phase == cloud.PhaseActive
	})
	if err := p.StartServer(ctx, srv.ID); err != nil {
		t.Fatalf("StartServer: %v", err)
	}
	WaitPower(t, p, srv.ID, cloud.PowerRunning)
	if got := sim.PowerCalls(srv.ID); len(got) != 4 {
		t.Errorf("power calls %v, want stop, stop (refused), start (refused), start", got)
	}
	if err := p.StartServer(ctx, "00000000-0000-4000-8000-000000000000"); cloud.ClassOf(err) != cloud.ClassNotFound {
		t.Errorf("starting an unknown server: %v, want class NotFound", err)
	}
}

// WaitPower waits until GetServer reads power want, and returns the server.
func WaitPower(t *testing.T, p cloud.Provider, id string, want cloud.PowerState) *cloud.Server {
	t.Helper()
	var last *cloud.Server
	Eventually(t, "server "+string(want), func() bool {
		s, err := p.GetServer(context.Background(), id)
		if err != nil {
			t.Fatalf("GetServer: %v", err)
		}
		last = s
		return s.Power == want
	})
	return last
}

// Eventually polls cond every 10ms for up to 5s.
func Eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}
