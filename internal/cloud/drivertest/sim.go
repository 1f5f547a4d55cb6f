package drivertest

import (
	"testing"

	"github.com/serverimage-operator/serverimage-operator/internal/fakecloud"
)

// Sim starts the simulator for one test and closes it after.
func Sim(t testing.TB, opts fakecloud.Options) *fakecloud.Cloud {
	t.Helper()
	sim := fakecloud.New(opts)
	t.Cleanup(sim.Close)
	return sim
}
