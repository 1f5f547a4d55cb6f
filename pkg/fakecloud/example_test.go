package fakecloud_test

import (
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/serverimage-operator/serverimage-operator/pkg/fakecloud"
)

// A simulated Huawei Cloud account with one server, whose next image
// fails, and the Secret and Cloud that reach it.
func Example() {
	sim, err := fakecloud.Start(fakecloud.Options{Dialect: fakecloud.Huawei, BuildTime: time.Second})
	if err != nil {
		panic(err)
	}
	defer sim.Close()

	server := sim.AddServer("web-1")
	sim.FailNextBuild(server.ID)

	secret, cloud := sim.Objects("default", "sim")
	fmt.Println("secret:", secret.Name, slices.Sorted(maps.Keys(secret.StringData)))
	fmt.Println("cloud:", cloud.Name, cloud.Spec.Provider, cloud.Spec.Region)
	fmt.Println("server:", server.Name, server.Status)
	// Output:
	// secret: sim-credentials [accessKey secretKey]
	// cloud: sim HuaweiCloud RegionOne
	// server: web-1 ACTIVE
}

// Every dialect with the credentials its Secret holds.
func ExampleDialects() {
	for _, d := range fakecloud.Dialects() {
		sim, err := fakecloud.Start(fakecloud.Options{Dialect: d})
		if err != nil {
			panic(err)
		}
		fmt.Println(d, sim.CloudSpec("creds").Provider, slices.Sorted(maps.Keys(sim.SecretData())))
		sim.Close()
	}
	// Output:
	// OpenStack OpenStack [clouds.yaml]
	// OpenStackV2 OpenStack [clouds.yaml]
	// Rackspace Rackspace [apiKey username]
	// HuaweiCloud HuaweiCloud [accessKey secretKey]
	// SamsungCloudPlatform SamsungCloudPlatform [accessKey secretKey]
}

// Faults are used up in the order they were set: here the first
// createImage fails, the second is rate limited, the third creates the
// image but its answer is lost. The ledger counts every call that arrives.
func ExampleCloud_FailNext() {
	sim, err := fakecloud.Start(fakecloud.Options{})
	if err != nil {
		panic(err)
	}
	defer sim.Close()

	sim.FailNext(fakecloud.OpCreateImage, 1, 500)
	sim.RateLimitNext(fakecloud.OpCreateImage, 2*time.Second)
	sim.DropNextCreateResponse()
	sim.ExpireTokens()

	// ... run the operator against sim, then:
	fmt.Println("createImage calls:", sim.Calls(fakecloud.OpCreateImage))
	// Output:
	// createImage calls: 0
}
