// Package drivertest holds test code the cloud drivers share that needs
// the cloud package itself (cloudtest must not, as package cloud's own
// tests use it).
package drivertest

import (
	"context"
	"testing"
	"time"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
	"github.com/serverimage-operator/serverimage-operator/internal/fakecloud"
)

// CheckPhase fails t when a decoded image's phase is none the reconciler
// knows how to act on.
func CheckPhase(t *testing.T, p cloud.ImagePhase) {
	t.Helper()
	if !p.InProgress() && p != cloud.PhaseActive && !p.Final() {
		t.Fatalf("phase %q", p)
	}
}

// FuzzSignedRequests sends real signed requests, a fuzzed image ID in the
// path and a fuzzed image name in the query, to the simulator through the
// driver configured by cfg. The simulator's gateway rebuilds what was
// signed its own way: any disagreement about encoding comes back as a 401
// or 403.
func FuzzSignedRequests(f *testing.F, cfg func(*fakecloud.Cloud) cloud.Config, idempotencyKey string) {
	sim := fakecloud.New(fakecloud.Options{})
	f.Cleanup(sim.Close)
	p, err := cloud.New(context.Background(), cfg(sim))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, id, name string) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if id != "" {
			_, err := p.GetImage(ctx, id)
			if refusedSignature(err) {
				t.Fatalf("GET image %q: the gateway refused the signature: %v", id, err)
			}
		}
		_, err := p.FindImages(ctx, cloud.FindImagesQuery{Name: name, IdempotencyKey: idempotencyKey})
		if refusedSignature(err) {
			t.Fatalf("list images named %q: the gateway refused the signature: %v", name, err)
		}
	})
}

func refusedSignature(err error) bool {
	c := cloud.ClassOf(err)
	return c == cloud.ClassUnauthorized || c == cloud.ClassForbidden
}
