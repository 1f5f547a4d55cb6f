package rackspace

import (
	"testing"
	"time"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud/drivertest"
	"github.com/serverimage-operator/serverimage-operator/internal/fakecloud"
)

func TestPowerCycleAgainstSimulator(t *testing.T) {
	sim := drivertest.Sim(t, fakecloud.Options{QueuedFor: 100 * time.Millisecond, SavingFor: 300 * time.Millisecond})
	drivertest.PowerCycle(t, sim, newProvider(t, simConfig(sim)))
}
