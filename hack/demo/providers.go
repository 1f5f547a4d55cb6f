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
	"github.com/serverimage-operator/serverimage-operator/pkg/fakecloud"
)

// demoProviders are the simulator's dialects by the name DEMO_PROVIDER
// takes. pkg/fakecloud knows each one's Secret and Cloud spec; the drivers
// are linked by internal/cloud/drivers, as in the operator.
var demoProviders = map[string]fakecloud.Dialect{
	"openstack":   fakecloud.OpenStack,
	"publiccloud": fakecloud.OpenStackV2,
	"rackspace":   fakecloud.Rackspace,
	"huawei":      fakecloud.Huawei,
	"scp":         fakecloud.SCP,
}

// chosenProvider reads DEMO_PROVIDER (default openstack).
func chosenProvider() (string, fakecloud.Dialect, error) {
	name := strings.ToLower(os.Getenv("DEMO_PROVIDER"))
	if name == "" {
		name = "openstack"
	}
	d, ok := demoProviders[name]
	if !ok {
		names := slices.Sorted(maps.Keys(demoProviders))
		return "", "", fmt.Errorf("DEMO_PROVIDER=%s is not one of %s", name, strings.Join(names, ", "))
	}
	return name, d, nil
}

// cloudSpecFor is the simulator's Cloud spec, polled every second so that
// the demo's output shows each phase.
func cloudSpecFor(sim *fakecloud.Cloud, secretName string) imagesv1.CloudSpec {
	spec := sim.CloudSpec(secretName)
	spec.PollInterval = &metav1.Duration{Duration: time.Second}
	return spec
}
