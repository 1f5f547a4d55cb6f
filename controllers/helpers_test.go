package controllers_test

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
	"github.com/serverimage-operator/serverimage-operator/internal/fakecloud"
)

// waitTimeout bounds every wait on the operator. Generous: the race
// detector and a busy 2-core machine slow everything down.
const waitTimeout = 60 * time.Second

// scenario is one simulator, one namespace and one Ready Cloud for it.
type scenario struct {
	t     *testing.T
	sim   *fakecloud.Cloud
	ns    string
	cloud string
}

func newScenario(t *testing.T, opts fakecloud.Options, mutate ...func(*imagesv1.Cloud)) *scenario {
	t.Helper()
	sim := fakecloud.New(opts)
	t.Cleanup(sim.Close)
	s := &scenario{t: t, sim: sim, ns: newNamespace(t), cloud: "sim"}
	s.createCloud(s.cloud, sim.CloudsYAML("sim"), mutate...)
	s.waitCloudReady(s.cloud)
	return s
}

func (s *scenario) createCloud(name, cloudsYAML string, mutate ...func(*imagesv1.Cloud)) {
	s.t.Helper()
	s.createCloudWith(name, map[string]string{"clouds.yaml": cloudsYAML}, append([]func(*imagesv1.Cloud){func(c *imagesv1.Cloud) {
		c.Spec.Provider = imagesv1.ProviderOpenStack
		c.Spec.CloudName = "sim"
	}}, mutate...)...)
}

// createCloudWith creates a Secret with the given data and a Cloud that
// references it; mutate sets the provider and its fields. Every test Cloud
// polls fast.
func (s *scenario) createCloudWith(name string, secretData map[string]string, mutate ...func(*imagesv1.Cloud)) {
	s.t.Helper()
	ctx := context.Background()
	secret := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: s.ns, Name: name + "-credentials"},
		StringData: secretData,
	}
	if err := k8s.Create(ctx, secret); err != nil {
		s.t.Fatal(err)
	}
	c := &imagesv1.Cloud{
		ObjectMeta: metav1.ObjectMeta{Namespace: s.ns, Name: name},
		Spec: imagesv1.CloudSpec{
			CredentialsSecretRef: imagesv1.SecretReference{Name: secret.Name},
			PollInterval:         &metav1.Duration{Duration: 100 * time.Millisecond},
		},
	}
	for _, m := range mutate {
		m(c)
	}
	if err := k8s.Create(ctx, c); err != nil {
		s.t.Fatal(err)
	}
}

// newProviderScenario is newScenario for any provider: the Secret data and
// Cloud fields come from the caller.
func newProviderScenario(t *testing.T, opts fakecloud.Options, secretData map[string]string, mutate ...func(*imagesv1.Cloud)) *scenario {
	t.Helper()
	sim := fakecloud.New(opts)
	t.Cleanup(sim.Close)
	s := &scenario{t: t, sim: sim, ns: newNamespace(t), cloud: "sim"}
	s.createCloudWith(s.cloud, secretData, mutate...)
	s.waitCloudReady(s.cloud)
	return s
}

func (s *scenario) waitCloudReady(name string) {
	s.t.Helper()
	eventually(s.t, waitTimeout, "Cloud "+name+" Ready", func() bool {
		c := &imagesv1.Cloud{}
		if err := k8s.Get(context.Background(), client.ObjectKey{Namespace: s.ns, Name: name}, c); err != nil {
			return false
		}
		return meta.IsStatusConditionTrue(c.Status.Conditions, imagesv1.ConditionReady)
	})
}

// serverImage creates a ServerImage of serverID with the given tweaks.
func (s *scenario) serverImage(name, serverID string, mutate ...func(*imagesv1.ServerImage)) *imagesv1.ServerImage {
	s.t.Helper()
	si := &imagesv1.ServerImage{
		ObjectMeta: metav1.ObjectMeta{Namespace: s.ns, Name: name},
		Spec: imagesv1.ServerImageSpec{
			CloudRef: imagesv1.CloudReference{Name: s.cloud},
			ServerID: serverID,
		},
	}
	for _, m := range mutate {
		m(si)
	}
	if err := k8s.Create(context.Background(), si); err != nil {
		s.t.Fatal(err)
	}
	return si
}

func (s *scenario) get(name string) *imagesv1.ServerImage {
	s.t.Helper()
	si := &imagesv1.ServerImage{}
	if err := k8s.Get(context.Background(), client.ObjectKey{Namespace: s.ns, Name: name}, si); err != nil {
		s.t.Fatal(err)
	}
	return si
}

// waitCondition waits until the ServerImage has condition typ True with
// the given reason, and returns the object.
func (s *scenario) waitCondition(name, typ, reason string) *imagesv1.ServerImage {
	s.t.Helper()
	var last *imagesv1.ServerImage
	deadline := time.Now().Add(waitTimeout)
	for time.Now().Before(deadline) {
		last = s.get(name)
		c := meta.FindStatusCondition(last.Status.Conditions, typ)
		if c != nil && c.Status == metav1.ConditionTrue && c.Reason == reason {
			return last
		}
		time.Sleep(50 * time.Millisecond)
	}
	s.t.Fatalf("ServerImage %s never got %s=True reason %s; conditions: %+v", name, typ, reason, last.Status.Conditions)
	return nil
}

func (s *scenario) waitReady(name string) *imagesv1.ServerImage {
	s.t.Helper()
	return s.waitCondition(name, imagesv1.ConditionReady, imagesv1.ReasonImageActive)
}

func (s *scenario) waitGone(name string) {
	s.t.Helper()
	eventually(s.t, waitTimeout, "ServerImage "+name+" deleted", func() bool {
		err := k8s.Get(context.Background(), client.ObjectKey{Namespace: s.ns, Name: name}, &imagesv1.ServerImage{})
		return client.IgnoreNotFound(err) == nil && err != nil
	})
}

// events returns the Events about the named object in the scenario's
// namespace.
func (s *scenario) events(name string) []eventsv1.Event {
	s.t.Helper()
	var list eventsv1.EventList
	if err := k8s.List(context.Background(), &list, client.InNamespace(s.ns)); err != nil {
		s.t.Fatal(err)
	}
	var out []eventsv1.Event
	for _, e := range list.Items {
		if e.Regarding.Name == name {
			out = append(out, e)
		}
	}
	return out
}

// waitEvent waits for an Event of the given type and reason about name and
// returns its note.
func (s *scenario) waitEvent(name, typ, reason string) string {
	s.t.Helper()
	var note string
	eventually(s.t, waitTimeout, "Event "+typ+"/"+reason+" on "+name, func() bool {
		for _, e := range s.events(name) {
			if e.Type == typ && e.Reason == reason {
				note = e.Note
				return true
			}
		}
		return false
	})
	return note
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

// syncBuffer collects the manager's logs for the secret-leak checks.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }

func readyOf(si *imagesv1.ServerImage) *metav1.Condition {
	return meta.FindStatusCondition(si.Status.Conditions, imagesv1.ConditionReady)
}

func patchAnnotation(t *testing.T, obj client.Object, key, value string) {
	t.Helper()
	patch := []byte(`{"metadata":{"annotations":{"` + key + `":"` + value + `"}}}`)
	if err := k8s.Patch(context.Background(), obj, client.RawPatch("application/merge-patch+json", patch)); err != nil {
		t.Fatal(err)
	}
}
