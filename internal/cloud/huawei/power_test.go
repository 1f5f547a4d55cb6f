package huawei

import (
	"testing"
	"time"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud/drivertest"
	"github.com/serverimage-operator/serverimage-operator/internal/fakecloud"
)

// The simulator answers the native action with 204, the code the
// bare-metal twin of the page documents; the Nova fronts answer 202.
func TestPowerCycleAgainstSimulator(t *testing.T) {
	sim := drivertest.Sim(t, fakecloud.Options{QueuedFor: 100 * time.Millisecond, SavingFor: 300 * time.Millisecond})
	drivertest.PowerCycle(t, sim, newProvider(t, akskConfig(sim)))
}
