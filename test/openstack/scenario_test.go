//go:build openstack

package openstack

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
)

// waitTimeout bounds each wait on the operator. Generous: the cloud and the
// operators share two cores with whatever else the machine is doing.
const waitTimeout = 3 * time.Minute

// scenario is one namespace with its own operator process.
type scenario struct {
	t  *testing.T
	ns string
	op *operator
}

func newScenario(t *testing.T) *scenario {
	t.Helper()
	ns := fmt.Sprintf("%s-%04x", dnsLabel(t.Name(), 40), rand.IntN(1<<16))
	if err := k8s.Create(context.Background(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}); err != nil {
		t.Fatal(err)
	}
	s := &scenario{t: t, ns: ns}
	s.op = startOperator(t, ns)
	return s
}

// restartOperator starts a new operator process for the namespace (the
// old one must have exited).
func (s *scenario) restartOperator() {
	s.t.Helper()
	if !s.op.exited() {
		s.t.Fatal("restartOperator: the old operator still runs")
	}
	s.op = startOperator(s.t, s.ns)
}

// createCloud creates a Secret holding the suite's clouds.yaml (both
// entries, as a user would paste it) and a Cloud using entry. Every Cloud
// polls every second unless mutate says otherwise.
func (s *scenario) createCloud(name, entry string, mutate ...func(*imagesv1.Cloud)) {
	s.t.Helper()
	ctx := context.Background()
	secret := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: s.ns, Name: name + "-credentials"},
		Data:       map[string][]byte{"clouds.yaml": cloudsYAML},
	}
	if err := k8s.Create(ctx, secret); err != nil {
		s.t.Fatal(err)
	}
	c := &imagesv1.Cloud{
		ObjectMeta: metav1.ObjectMeta{Namespace: s.ns, Name: name},
		Spec: imagesv1.CloudSpec{
			Provider:             imagesv1.ProviderOpenStack,
			CloudName:            entry,
			CredentialsSecretRef: imagesv1.SecretReference{Name: secret.Name},
			PollInterval:         &metav1.Duration{Duration: time.Second},
		},
	}
	for _, m := range mutate {
		m(c)
	}
	if err := k8s.Create(ctx, c); err != nil {
		s.t.Fatal(err)
	}
}

func (s *scenario) getCloud(name string) *imagesv1.Cloud {
	s.t.Helper()
	c := &imagesv1.Cloud{}
	if err := k8s.Get(context.Background(), client.ObjectKey{Namespace: s.ns, Name: name}, c); err != nil {
		s.t.Fatal(err)
	}
	return c
}

func (s *scenario) waitCloudReady(name string) {
	s.t.Helper()
	var c *imagesv1.Cloud
	eventually(s.t, waitTimeout, "Cloud "+name+" Ready", func() bool {
		c = s.getCloud(name)
		return meta.IsStatusConditionTrue(c.Status.Conditions, imagesv1.ConditionReady)
	}, func() string { return fmt.Sprintf("conditions: %+v", c.Status.Conditions) })
}

// serverImage creates a ServerImage of serverID on Cloud cloudName.
func (s *scenario) serverImage(name, cloudName, serverID string, mutate ...func(*imagesv1.ServerImage)) *imagesv1.ServerImage {
	s.t.Helper()
	si := &imagesv1.ServerImage{
		ObjectMeta: metav1.ObjectMeta{Namespace: s.ns, Name: name},
		Spec: imagesv1.ServerImageSpec{
			CloudRef: imagesv1.CloudReference{Name: cloudName},
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

// waitFor waits until cond holds for the ServerImage and returns it.
func (s *scenario) waitFor(name, what string, cond func(*imagesv1.ServerImage) bool) *imagesv1.ServerImage {
	s.t.Helper()
	var si *imagesv1.ServerImage
	eventually(s.t, waitTimeout, "ServerImage "+name+" "+what, func() bool {
		si = s.get(name)
		return cond(si)
	}, func() string { return fmt.Sprintf("status: %+v", si.Status) })
	return si
}

// waitCondition waits until condition typ is True with the reason.
func (s *scenario) waitCondition(name, typ, reason string) *imagesv1.ServerImage {
	s.t.Helper()
	return s.waitFor(name, typ+"="+reason, func(si *imagesv1.ServerImage) bool {
		c := meta.FindStatusCondition(si.Status.Conditions, typ)
		return c != nil && c.Status == metav1.ConditionTrue && c.Reason == reason
	})
}

func (s *scenario) waitReady(name string) *imagesv1.ServerImage {
	s.t.Helper()
	return s.waitCondition(name, imagesv1.ConditionReady, imagesv1.ReasonImageActive)
}

func (s *scenario) delete(name string) {
	s.t.Helper()
	si := &imagesv1.ServerImage{ObjectMeta: metav1.ObjectMeta{Namespace: s.ns, Name: name}}
	if err := k8s.Delete(context.Background(), si); err != nil {
		s.t.Fatal(err)
	}
}

func (s *scenario) waitGone(name string) {
	s.t.Helper()
	eventually(s.t, waitTimeout, "ServerImage "+name+" gone", func() bool {
		err := k8s.Get(context.Background(), client.ObjectKey{Namespace: s.ns, Name: name}, &imagesv1.ServerImage{})
		return err != nil && client.IgnoreNotFound(err) == nil
	})
}

// events lists the Events about the named object.
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

// eventually polls cond until it holds or the timeout passes; describe,
// when given, adds the last state seen to the failure.
func eventually(t *testing.T, timeout time.Duration, what string, cond func() bool, describe ...func() string) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		if cond() {
			return
		}
		if time.Now().After(deadline) {
			msg := fmt.Sprintf("timed out after %s waiting for %s", timeout, what)
			for _, d := range describe {
				msg += "; " + d()
			}
			t.Fatal(msg)
		}
		time.Sleep(200 * time.Millisecond)
	}
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

func keyOf(ns, name string) client.ObjectKey { return client.ObjectKey{Namespace: ns, Name: name} }

func readyOf(si *imagesv1.ServerImage) *metav1.Condition {
	return conditionOf(si, imagesv1.ConditionReady)
}

// conditionOf returns the condition, or an empty one (so that a failure
// message can still print it).
func conditionOf(si *imagesv1.ServerImage, typ string) *metav1.Condition {
	if c := meta.FindStatusCondition(si.Status.Conditions, typ); c != nil {
		return c
	}
	return &metav1.Condition{Type: typ}
}
