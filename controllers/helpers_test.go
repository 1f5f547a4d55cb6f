package controllers_test

import (
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
	"github.com/serverimage-operator/serverimage-operator/internal/fakecloud"
	"github.com/serverimage-operator/serverimage-operator/internal/kubetest"
)

// waitTimeout bounds every wait on the operator.
var waitTimeout = kubetest.DefaultWait.Timeout

// scenario is one simulator, one namespace and (usually) one Cloud for it,
// named cloud.
type scenario struct {
	*kubetest.NS
	sim   *fakecloud.Cloud
	cloud string
}

// newSimScenario starts a simulator and makes a namespace; the Cloud named
// cloud is the caller's to create.
func newSimScenario(t *testing.T, opts fakecloud.Options, cloud string) *scenario {
	t.Helper()
	sim := fakecloud.New(opts)
	t.Cleanup(sim.Close)
	ns := kubetest.NewNamespace(t, k8s, "t-")
	// Every test Cloud polls fast.
	ns.CloudPoll = 100 * time.Millisecond
	return &scenario{NS: ns, sim: sim, cloud: cloud}
}

// newScenario is an OpenStack simulator with a Ready Cloud "sim".
func newScenario(t *testing.T, opts fakecloud.Options, mutate ...func(*imagesv1.Cloud)) *scenario {
	t.Helper()
	s := newSimScenario(t, opts, "sim")
	s.createCloud(s.cloud, s.sim.CloudsYAML("sim"), mutate...)
	s.WaitCloudReady(s.cloud)
	return s
}

// createCloud creates an OpenStack Cloud using the "sim" entry of
// cloudsYAML.
func (s *scenario) createCloud(name, cloudsYAML string, mutate ...func(*imagesv1.Cloud)) {
	s.T.Helper()
	s.CreateCloud(name, map[string]string{"clouds.yaml": cloudsYAML}, append([]func(*imagesv1.Cloud){openStackCloud(s.sim)}, mutate...)...)
}

func openStackCloud(*fakecloud.Cloud) func(*imagesv1.Cloud) {
	return func(c *imagesv1.Cloud) {
		c.Spec.Provider = imagesv1.ProviderOpenStack
		c.Spec.CloudName = "sim"
	}
}

// serverImage creates a ServerImage of serverID on the scenario's Cloud.
func (s *scenario) serverImage(name, serverID string, mutate ...func(*imagesv1.ServerImage)) *imagesv1.ServerImage {
	s.T.Helper()
	return s.CreateServerImage(name, s.cloud, serverID, mutate...)
}

// readyImage creates a ServerImage of a new server and waits until it is
// Ready.
func (s *scenario) readyImage(name string, mutate ...func(*imagesv1.ServerImage)) *imagesv1.ServerImage {
	s.T.Helper()
	s.serverImage(name, s.sim.AddServer(fakecloud.Server{}).ID, mutate...)
	return s.WaitReady(name)
}

func deleteWithImage(si *imagesv1.ServerImage) {
	si.Spec.DeletionPolicy = imagesv1.DeletionPolicyDelete
}

// imagesWithKey lists the simulator's images that carry the object's key.
func (s *scenario) imagesWithKey(uid string) []fakecloud.Image {
	var out []fakecloud.Image
	for _, img := range s.sim.Images() {
		if img.Properties["serverimage_uid"] == uid {
			out = append(out, img)
		}
	}
	return out
}

func newNamespace(t *testing.T) string {
	t.Helper()
	return kubetest.NewNamespace(t, k8s, "t-").Name
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }

func readyOf(si *imagesv1.ServerImage) *metav1.Condition {
	return kubetest.Condition(si.Status.Conditions, imagesv1.ConditionReady)
}
