package drivers_test

import (
	"context"
	"testing"
	"time"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
	_ "github.com/serverimage-operator/serverimage-operator/internal/cloud/drivers"
	"github.com/serverimage-operator/serverimage-operator/internal/cloud/drivertest"
	"github.com/serverimage-operator/serverimage-operator/internal/fakecloud"
)

// TestPowerCycleAgainstSimulator runs stop → image → start through every
// driver against its dialect of the simulator: Nova's os-stop/os-start
// (202), Rackspace's (202), Huawei's native action (the simulator answers
// 204), SCP's POST /v1/servers/{id}/stop|start (202).
func TestPowerCycleAgainstSimulator(t *testing.T) {
	for name, config := range map[string]func(*fakecloud.Cloud) cloud.Config{
		"OpenStack": func(sim *fakecloud.Cloud) cloud.Config {
			return cloud.Config{Provider: cloud.OpenStack, CloudName: "sim",
				Credentials: map[string][]byte{"clouds.yaml": []byte(sim.CloudsYAML("sim"))}}
		},
		"Rackspace": func(sim *fakecloud.Cloud) cloud.Config {
			return cloud.Config{Provider: cloud.Rackspace, IdentityURL: sim.RackspaceIdentityURL(),
				Credentials: map[string][]byte{"username": []byte(sim.RackspaceUsername()), "apiKey": []byte(sim.RackspaceAPIKey())}}
		},
		"Huawei": func(sim *fakecloud.Cloud) cloud.Config {
			return cloud.Config{Provider: cloud.HuaweiCloud, Region: sim.HuaweiRegion(), ProjectID: sim.HuaweiProjectID(),
				ComputeURL: sim.HuaweiECSURL(), ImageURL: sim.HuaweiIMSURL(),
				Credentials: map[string][]byte{"accessKey": []byte(sim.HuaweiAccessKey()), "secretKey": []byte(sim.HuaweiSecretKey())}}
		},
		"SCP": func(sim *fakecloud.Cloud) cloud.Config {
			return cloud.Config{Provider: cloud.SamsungCloudPlatform, ComputeURL: sim.SCPURL(),
				Credentials: map[string][]byte{"accessKey": []byte(sim.SCPAccessKey()), "secretKey": []byte(sim.SCPSecretKey())}}
		},
	} {
		t.Run(name, func(t *testing.T) {
			sim := drivertest.Sim(t, fakecloud.Options{QueuedFor: 100 * time.Millisecond, SavingFor: 300 * time.Millisecond})
			cfg := config(sim)
			cfg.Timeout = 5 * time.Second
			p, err := cloud.New(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			drivertest.PowerCycle(t, sim, p)
		})
	}
}
