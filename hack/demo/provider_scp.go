package main

import (
	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
	// Linked here as well so that DEMO_PROVIDER=scp works before
	// internal/cloud/drivers lists the driver; a second import is harmless.
	_ "github.com/serverimage-operator/serverimage-operator/internal/cloud/scp"
	"github.com/serverimage-operator/serverimage-operator/internal/fakecloud"
)

// DEMO_PROVIDER=scp: a Samsung Cloud Platform Cloud whose virtual server
// endpoint is the simulator's SCP front, with its signed access key.
func init() {
	registerDemoProvider("scp", demoProvider{
		secret: func(sim *fakecloud.Cloud) map[string]string {
			return map[string]string{"accessKey": sim.SCPAccessKey(), "secretKey": sim.SCPSecretKey()}
		},
		cloud: func(sim *fakecloud.Cloud) imagesv1.CloudSpec {
			return imagesv1.CloudSpec{
				Provider: imagesv1.ProviderSamsungCloudPlatform,
				Region:   "kr-west1",
				// The region would give the real endpoint; the demo talks
				// to the simulator.
				Endpoints: &imagesv1.CloudEndpoints{Compute: sim.SCPURL()},
			}
		},
	})
}
