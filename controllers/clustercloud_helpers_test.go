package controllers_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/rand"
	"k8s.io/client-go/util/retry"
	"sigs.k8s.io/controller-runtime/pkg/client"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
	"github.com/serverimage-operator/serverimage-operator/internal/fakecloud"
	"github.com/serverimage-operator/serverimage-operator/internal/kubetest"
)

// clusterCloudNS holds the ClusterClouds' Secrets in the test manager.
const clusterCloudNS = "serverimage-credentials"

// clusterScenario is one simulator behind one ClusterCloud, whose Secret
// is in clusterCloudNS.
type clusterScenario struct {
	t    *testing.T
	sim  *fakecloud.Cloud
	name string
}

// newClusterCloud creates a ClusterCloud (and its Secret) on a new
// simulator; mutate sets allowedNamespaces and the like. Its ServerImages
// are the test's to delete: the ClusterCloud waits for them.
func newClusterCloud(t *testing.T, cloudsYAML func(*fakecloud.Cloud) string, mutate ...func(*imagesv1.ClusterCloud)) *clusterScenario {
	t.Helper()
	sim := fakecloud.New(fakecloud.Options{})
	t.Cleanup(sim.Close)
	return newClusterCloudOn(t, sim, cloudsYAML, mutate...)
}

// newClusterCloudOn is newClusterCloud on a given simulator.
func newClusterCloudOn(t *testing.T, sim *fakecloud.Cloud, cloudsYAML func(*fakecloud.Cloud) string, mutate ...func(*imagesv1.ClusterCloud)) *clusterScenario {
	t.Helper()
	s := &clusterScenario{t: t, sim: sim, name: "cc-" + rand.String(6)}
	if cloudsYAML == nil {
		cloudsYAML = func(sim *fakecloud.Cloud) string { return sim.CloudsYAML("sim") }
	}
	ctx := context.Background()
	secret := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: clusterCloudNS, Name: s.name},
		StringData: map[string]string{"clouds.yaml": cloudsYAML(sim)},
	}
	if err := k8s.Create(ctx, secret); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = k8s.Delete(context.Background(), secret) })
	cc := &imagesv1.ClusterCloud{ObjectMeta: metav1.ObjectMeta{Name: s.name}}
	cc.Spec.Provider = imagesv1.ProviderOpenStack
	cc.Spec.CloudName = "sim"
	cc.Spec.CredentialsSecretRef.Name = secret.Name
	cc.Spec.PollInterval = &metav1.Duration{Duration: 100 * time.Millisecond}
	for _, m := range mutate {
		m(cc)
	}
	if err := k8s.Create(ctx, cc); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = k8s.Delete(context.Background(), cc) })
	return s
}

func allowNames(names ...string) func(*imagesv1.ClusterCloud) {
	return func(cc *imagesv1.ClusterCloud) {
		cc.Spec.AllowedNamespaces = &imagesv1.AllowedNamespaces{Names: names}
	}
}

func allowLabel(key, value string) func(*imagesv1.ClusterCloud) {
	return func(cc *imagesv1.ClusterCloud) {
		cc.Spec.AllowedNamespaces = &imagesv1.AllowedNamespaces{
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{key: value}},
		}
	}
}

func (s *clusterScenario) get() *imagesv1.ClusterCloud {
	s.t.Helper()
	cc := &imagesv1.ClusterCloud{}
	if err := k8s.Get(context.Background(), client.ObjectKey{Name: s.name}, cc); err != nil {
		s.t.Fatal(err)
	}
	return cc
}

// waitFor waits until cond holds for the ClusterCloud.
func (s *clusterScenario) waitFor(what string, cond func(*imagesv1.ClusterCloud) bool) *imagesv1.ClusterCloud {
	s.t.Helper()
	var cc imagesv1.ClusterCloud
	kubetest.Eventually(s.t, waitTimeout, "ClusterCloud "+what, func() bool {
		return k8s.Get(context.Background(), client.ObjectKey{Name: s.name}, &cc) == nil && cond(&cc)
	}, func() string { return fmt.Sprintf("%+v", cc.Status) })
	return &cc
}

func (s *clusterScenario) waitReady() {
	s.t.Helper()
	s.waitFor("Ready", func(cc *imagesv1.ClusterCloud) bool {
		return meta.IsStatusConditionTrue(cc.Status.Conditions, imagesv1.ConditionReady)
	})
}

// update changes the ClusterCloud's spec.
func (s *clusterScenario) update(change func(*imagesv1.ClusterCloud)) {
	s.t.Helper()
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		cc := s.get()
		change(cc)
		return k8s.Update(context.Background(), cc)
	})
	if err != nil {
		s.t.Fatal(err)
	}
}

// namespace makes a test namespace with labels.
func (s *clusterScenario) namespace(labels map[string]string) *kubetest.NS {
	s.t.Helper()
	ns := kubetest.NewNamespace(s.t, k8s, "t-")
	if len(labels) > 0 {
		setNamespaceLabels(s.t, ns.Name, labels)
	}
	return ns
}

func setNamespaceLabels(t *testing.T, name string, labels map[string]string) {
	t.Helper()
	ns := &corev1.Namespace{}
	if err := k8s.Get(context.Background(), client.ObjectKey{Name: name}, ns); err != nil {
		t.Fatal(err)
	}
	ns.Labels = labels
	if err := k8s.Update(context.Background(), ns); err != nil {
		t.Fatal(err)
	}
}

// serverImage creates, in ns, a ServerImage of a new server on the
// ClusterCloud, and deletes it when the test ends so the ClusterCloud can
// go.
func (s *clusterScenario) serverImage(ns *kubetest.NS, name string) *imagesv1.ServerImage {
	s.t.Helper()
	si := ns.CreateServerImage(name, s.name, s.sim.AddServer(fakecloud.Server{}).ID, onClusterCloud)
	s.t.Cleanup(func() { _ = k8s.Delete(context.Background(), si) })
	return si
}

func onClusterCloud(si *imagesv1.ServerImage) { si.Spec.CloudRef.Kind = imagesv1.KindClusterCloud }

// allowingOne is a Ready ClusterCloud that allows one new namespace by name.
func allowingOne(t *testing.T) (*clusterScenario, *kubetest.NS) {
	t.Helper()
	s := newClusterCloud(t, nil)
	ns := s.namespace(nil)
	s.update(allowNames(ns.Name))
	s.waitReady()
	return s, ns
}
