package main

import (
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
	"github.com/serverimage-operator/serverimage-operator/internal/fakecloud"
)

// demoProvider says how to reach the simulator as one provider: the Secret's
// keys and the Cloud's spec. Each provider registers itself from its own
// file (provider_*.go), chosen with DEMO_PROVIDER.
type demoProvider struct {
	secret func(sim *fakecloud.Cloud) map[string]string
	// cloud fills the provider-specific fields; the reference to the
	// Secret and the poll interval are set by the demo.
	cloud func(sim *fakecloud.Cloud) imagesv1.CloudSpec
}

var demoProviders = map[string]demoProvider{}

func registerDemoProvider(name string, p demoProvider) { demoProviders[name] = p }

func init() {
	registerDemoProvider("openstack", demoProvider{
		secret: func(sim *fakecloud.Cloud) map[string]string {
			return map[string]string{"clouds.yaml": sim.CloudsYAML("mycloud")}
		},
		cloud: func(*fakecloud.Cloud) imagesv1.CloudSpec {
			return imagesv1.CloudSpec{Provider: imagesv1.ProviderOpenStack, CloudName: "mycloud"}
		},
	})
}

// chosenProvider reads DEMO_PROVIDER (default openstack).
func chosenProvider() (string, demoProvider, error) {
	name := strings.ToLower(os.Getenv("DEMO_PROVIDER"))
	if name == "" {
		name = "openstack"
	}
	p, ok := demoProviders[name]
	if !ok {
		names := make([]string, 0, len(demoProviders))
		for n := range demoProviders {
			names = append(names, n)
		}
		sort.Strings(names)
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
