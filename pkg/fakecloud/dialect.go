package fakecloud

import (
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
	sim "github.com/serverimage-operator/serverimage-operator/internal/fakecloud"
)

// Dialect is the cloud API a Cloud speaks.
type Dialect string

const (
	// OpenStack is Keystone v3, Nova v2.1 with microversions and Glance v2,
	// reached through clouds.yaml.
	OpenStack Dialect = "OpenStack"
	// OpenStackV2 is an OpenStack-compatible public cloud: Nova on
	// /v2/{project_id} without microversions, image status read through
	// the compute API's image proxy.
	OpenStackV2 Dialect = "OpenStackV2"
	// Rackspace is Identity v2.0 with an API key and Cloud Servers v2.
	Rackspace Dialect = "Rackspace"
	// Huawei is Huawei Cloud ECS and IMS with a permanent AK/SK pair.
	Huawei Dialect = "HuaweiCloud"
	// SCP is Samsung Cloud Platform's Virtual Server API with an access
	// key pair.
	SCP Dialect = "SamsungCloudPlatform"
)

// Dialects lists every dialect, for tests that run once per cloud API.
func Dialects() []Dialect { return []Dialect{OpenStack, OpenStackV2, Rackspace, Huawei, SCP} }

// cloudName is the clouds.yaml entry the OpenStack dialects use.
const cloudName = "fakecloud"

// dialectSpec is how the operator reaches one dialect of the simulator:
// the simulator's options, the Secret's keys, the Cloud's spec and the
// status a rate limit answers with.
type dialectSpec struct {
	options     func(*sim.Options)
	secret      func(*sim.Cloud) map[string]string
	spec        func(*sim.Cloud) imagesv1.CloudSpec
	rateLimited int
}

func openStackSpec(*sim.Cloud) imagesv1.CloudSpec {
	return imagesv1.CloudSpec{Provider: imagesv1.ProviderOpenStack, CloudName: cloudName}
}

func cloudsYAMLSecret(s *sim.Cloud) map[string]string {
	return map[string]string{"clouds.yaml": s.CloudsYAML(cloudName)}
}

func accessKeySecret(ak, sk string) map[string]string {
	return map[string]string{"accessKey": ak, "secretKey": sk}
}

var dialects = map[Dialect]dialectSpec{
	OpenStack: {secret: cloudsYAMLSecret, spec: openStackSpec, rateLimited: 429},
	OpenStackV2: {
		options: func(o *sim.Options) { o.MaxMicroversion = "2.1" },
		secret:  cloudsYAMLSecret,
		spec: func(s *sim.Cloud) imagesv1.CloudSpec {
			spec := openStackSpec(s)
			spec.ComputeMicroversion = "2.1"
			spec.ImagePollAPI = "ComputeImages"
			spec.Endpoints = &imagesv1.CloudEndpoints{Compute: s.LegacyComputeURL()}
			return spec
		},
		rateLimited: 413,
	},
	Rackspace: {
		secret: func(s *sim.Cloud) map[string]string {
			return map[string]string{"username": s.RackspaceUsername(), "apiKey": s.RackspaceAPIKey()}
		},
		spec: func(s *sim.Cloud) imagesv1.CloudSpec {
			return imagesv1.CloudSpec{
				Provider:  imagesv1.ProviderRackspace,
				Endpoints: &imagesv1.CloudEndpoints{Identity: s.RackspaceIdentityURL()},
			}
		},
		// Repose's rate control answers 413 overLimit.
		rateLimited: 413,
	},
	Huawei: {
		secret: func(s *sim.Cloud) map[string]string { return accessKeySecret(s.HuaweiAccessKey(), s.HuaweiSecretKey()) },
		spec: func(s *sim.Cloud) imagesv1.CloudSpec {
			return imagesv1.CloudSpec{
				Provider:  imagesv1.ProviderHuaweiCloud,
				Region:    s.HuaweiRegion(),
				ProjectID: s.HuaweiProjectID(),
				Endpoints: &imagesv1.CloudEndpoints{
					Identity: s.HuaweiIAMURL(),
					Compute:  s.HuaweiECSURL(),
					Image:    s.HuaweiIMSURL(),
				},
			}
		},
		rateLimited: 429,
	},
	SCP: {
		secret: func(s *sim.Cloud) map[string]string { return accessKeySecret(s.SCPAccessKey(), s.SCPSecretKey()) },
		spec: func(s *sim.Cloud) imagesv1.CloudSpec {
			return imagesv1.CloudSpec{
				Provider:  imagesv1.ProviderSamsungCloudPlatform,
				Region:    s.SCPRegion(),
				Endpoints: &imagesv1.CloudEndpoints{Compute: s.SCPURL()},
			}
		},
		rateLimited: 429,
	},
}

// defaultPollInterval is how often the operator checks images on the
// Clouds this package makes: builds take half a second here, not minutes.
var defaultPollInterval = metav1.Duration{Duration: 200 * time.Millisecond}
