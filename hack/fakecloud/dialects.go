package main

import (
	"fmt"

	"github.com/serverimage-operator/serverimage-operator/internal/fakecloud"
)

// printOtherDialects shows how to reach the same servers and images as
// Rackspace, Huawei Cloud and Samsung Cloud Platform: each dialect is a
// front on the one store, with its own credentials.
func printOtherDialects(c *fakecloud.Cloud) {
	fmt.Println("Rackspace (provider: Rackspace; Secret keys username, apiKey):")
	fmt.Printf("  identity:  %s   (Cloud spec.endpoints.identity)\n", c.RackspaceIdentityURL())
	fmt.Printf("  compute:   %s\n", c.RackspaceComputeURL(c.RackspaceDefaultRegion()))
	fmt.Printf("  username %s, apiKey %s, password %s, tenant %s, default region %s\n\n",
		c.RackspaceUsername(), c.RackspaceAPIKey(), c.RackspacePassword(), c.RackspaceTenantID(), c.RackspaceDefaultRegion())

	fmt.Println("Huawei Cloud (provider: HuaweiCloud; Secret keys accessKey, secretKey):")
	fmt.Printf("  iam:       %s   (spec.endpoints.identity)\n", c.HuaweiIAMURL())
	fmt.Printf("  ecs:       %s   (spec.endpoints.compute)\n", c.HuaweiECSURL())
	fmt.Printf("  ims:       %s   (spec.endpoints.image)\n", c.HuaweiIMSURL())
	fmt.Printf("  accessKey %s, secretKey %s, projectID %s, region %s\n\n",
		c.HuaweiAccessKey(), c.HuaweiSecretKey(), c.HuaweiProjectID(), c.HuaweiRegion())

	fmt.Println("Samsung Cloud Platform (provider: SamsungCloudPlatform; Secret keys accessKey, secretKey):")
	fmt.Printf("  virtual server: %s   (spec.endpoints.compute)\n", c.SCPURL())
	fmt.Printf("  accessKey %s, secretKey %s\n\n", c.SCPAccessKey(), c.SCPSecretKey())
}
