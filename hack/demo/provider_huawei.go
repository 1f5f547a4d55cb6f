package main

import (
	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
	// Registers the HuaweiCloud driver for the demo even before
	// internal/cloud/drivers links it.
	_ "github.com/serverimage-operator/serverimage-operator/internal/cloud/huawei"
	"github.com/serverimage-operator/serverimage-operator/internal/fakecloud"
)

// DEMO_PROVIDER=huawei: AK/SK signing against the simulator's Huawei
// dialect, whose gateway verifies every signature. Region and project are
// set as a real Cloud would set them; the endpoints point at the simulator
// instead of ecs./ims.{region}.myhuaweicloud.com.
func init() {
	registerDemoProvider("huawei", demoProvider{
		secret: func(sim *fakecloud.Cloud) map[string]string {
			return map[string]string{"accessKey": sim.HuaweiAccessKey(), "secretKey": sim.HuaweiSecretKey()}
		},
		cloud: func(sim *fakecloud.Cloud) imagesv1.CloudSpec {
			return imagesv1.CloudSpec{
				Provider:  imagesv1.ProviderHuaweiCloud,
				Region:    sim.HuaweiRegion(),
				ProjectID: sim.HuaweiProjectID(),
				Endpoints: &imagesv1.CloudEndpoints{
					Identity: sim.HuaweiIAMURL(),
					Compute:  sim.HuaweiECSURL(),
					Image:    sim.HuaweiIMSURL(),
				},
			}
		},
	})
}
