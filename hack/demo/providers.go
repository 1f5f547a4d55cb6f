package main

import (
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
	"github.com/serverimage-operator/serverimage-operator/internal/fakecloud"
)

// demoProvider says how to reach the simulator as one provider: the Secret's
// keys and the Cloud's spec, chosen with DEMO_PROVIDER. The drivers are
// linked by internal/cloud/drivers, as in the operator.
type demoProvider struct {
	secret func(sim *fakecloud.Cloud) map[string]string
	// cloud fills the provider-specific fields; the reference to the
	// Secret and the poll interval are set by the demo.
	cloud func(sim *fakecloud.Cloud) imagesv1.CloudSpec
}

var demoProviders = map[string]demoProvider{
	"openstack": {
		secret: func(sim *fakecloud.Cloud) map[string]string {
			return map[string]string{"clouds.yaml": sim.CloudsYAML("mycloud")}
		},
		cloud: func(*fakecloud.Cloud) imagesv1.CloudSpec {
			return imagesv1.CloudSpec{Provider: imagesv1.ProviderOpenStack, CloudName: "mycloud"}
		},
	},
	// Rackspace Identity v2.0 (username + API key) and Cloud Servers API v2,
	// in the user's default region.
	"rackspace": {
		secret: func(sim *fakecloud.Cloud) map[string]string {
			return map[string]string{"username": sim.RackspaceUsername(), "apiKey": sim.RackspaceAPIKey()}
		},
		cloud: func(sim *fakecloud.Cloud) imagesv1.CloudSpec {
			return imagesv1.CloudSpec{
				Provider:  imagesv1.ProviderRackspace,
				Endpoints: &imagesv1.CloudEndpoints{Identity: sim.RackspaceIdentityURL()},
			}
		},
	},
	// AK/SK signing, verified by the simulator's gateway. Region and project
	// are set as a real Cloud would set them; the endpoints point at the
	// simulator instead of ecs./ims.{region}.myhuaweicloud.com.
	"huawei": {
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
	},
	// Samsung Cloud Platform with a signed access key; the region would give
	// the real endpoint, the demo talks to the simulator's SCP front.
	"scp": {
		secret: func(sim *fakecloud.Cloud) map[string]string {
			return map[string]string{"accessKey": sim.SCPAccessKey(), "secretKey": sim.SCPSecretKey()}
		},
		cloud: func(sim *fakecloud.Cloud) imagesv1.CloudSpec {
			return imagesv1.CloudSpec{
				Provider:  imagesv1.ProviderSamsungCloudPlatform,
				Region:    "kr-west1",
				Endpoints: &imagesv1.CloudEndpoints{Compute: sim.SCPURL()},
			}
		},
	},
}

// chosenProvider reads DEMO_PROVIDER (default openstack).
func chosenProvider() (string, demoProvider, error) {
	name := strings.ToLower(os.Getenv("DEMO_PROVIDER"))
	if name == "" {
		name = "openstack"
	}
	p, ok := demoProviders[name]
	if !ok {
		names := slices.Sorted(maps.Keys(demoProviders))
		return "", demoProvider{}, fmt.Errorf("DEMO_PROVIDER=%s is not one of %s", name, strings.Join(names, ", "))
	}
	return name, p, nil
}

func cloudSpecFor(p demoProvider, sim *fakecloud.Cloud, secretName string) imagesv1.CloudSpec {
	spec := p.cloud(sim)
	spec.CredentialsSecretRef = imagesv1.SecretReference{Name: secretName}
	spec.PollInterval = &metav1.Duration{Duration: time.Second}
	return spec
}
