//go:build openstack

package openstack

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
	"github.com/serverimage-operator/serverimage-operator/internal/kubetest"
)

// waitTimeout bounds each wait on the operator. Generous: the cloud and the
// operators share two cores with whatever else the machine is doing.
const waitTimeout = 3 * time.Minute

// cloudWait bounds a wait on the cloud itself; its API is not polled as
// often as the local API server.
var cloudWait = kubetest.Wait{Timeout: 2 * time.Minute, Poll: 200 * time.Millisecond}

// scenario is one namespace with its own operator process.
type scenario struct {
	*kubetest.NS
	op *operator
}

func newScenario(t *testing.T) *scenario {
	t.Helper()
	ns := kubetest.NewNamespace(t, k8s, fmt.Sprintf("%s-%04x", dnsLabel(t.Name(), 40), rand.IntN(1<<16)))
	ns.Wait = kubetest.Wait{Timeout: waitTimeout, Poll: 200 * time.Millisecond}
	ns.CloudPoll = time.Second
	return &scenario{NS: ns, op: startOperator(t, ns.Name)}
}

// restartOperator starts a new operator process for the namespace (the
// old one must have exited).
func (s *scenario) restartOperator() {
	s.T.Helper()
	if !s.op.exited() {
		s.T.Fatal("restartOperator: the old operator still runs")
	}
	s.op = startOperator(s.T, s.Name)
}

// createCloud creates a Secret holding the suite's clouds.yaml (both
// entries, as a user would paste it) and a Cloud using entry. Every Cloud
// polls every second unless mutate says otherwise.
func (s *scenario) createCloud(name, entry string, mutate ...func(*imagesv1.Cloud)) {
	s.T.Helper()
	s.CreateCloud(name, map[string]string{"clouds.yaml": string(cloudsYAML)}, append([]func(*imagesv1.Cloud){func(c *imagesv1.Cloud) {
		c.Spec.Provider = imagesv1.ProviderOpenStack
		c.Spec.CloudName = entry
	}}, mutate...)...)
}

// dnsLabel turns a test name into a lowercase DNS label of at most n
// characters (namespaces must be one).
func dnsLabel(name string, n int) string {
	b := []byte(strings.ToLower(name))
	for i, c := range b {
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') {
			b[i] = '-'
		}
	}
	if len(b) > n {
		b = b[:n]
	}
	return strings.Trim(string(b), "-")
}

func readyOf(si *imagesv1.ServerImage) *metav1.Condition {
	return kubetest.Condition(si.Status.Conditions, imagesv1.ConditionReady)
}
