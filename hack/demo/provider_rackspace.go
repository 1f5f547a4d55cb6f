package main

import (
	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
	// Linked here as well so that DEMO_PROVIDER=rackspace works before
	// internal/cloud/drivers lists the driver; a second import is harmless.
	_ "github.com/serverimage-operator/serverimage-operator/internal/cloud/rackspace"
	"github.com/serverimage-operator/serverimage-operator/internal/fakecloud"
)

// DEMO_PROVIDER=rackspace: Rackspace Identity v2.0 (username + API key)
// and Cloud Servers API v2 of the simulator, in the user's default region.
func init() {
	registerDemoProvider("rackspace", demoProvider{
		secret: func(sim *fakecloud.Cloud) map[string]string {
			return map[string]string{"username": sim.RackspaceUsername(), "apiKey": sim.RackspaceAPIKey()}
		},
		cloud: func(sim *fakecloud.Cloud) imagesv1.CloudSpec {
			return imagesv1.CloudSpec{
				Provider:  imagesv1.ProviderRackspace,
				Endpoints: &imagesv1.CloudEndpoints{Identity: sim.RackspaceIdentityURL()},
			}
		},
	})
}
