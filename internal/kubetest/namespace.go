package kubetest

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// NS is one test's namespace on one API server.
type NS struct {
	T    testing.TB
	C    client.Client
	Name string
	Wait
	// CloudPoll is the spec.pollInterval of the Clouds CreateCloud makes;
	// zero leaves the CRD's default.
	CloudPoll time.Duration
}

// NewNamespace creates a namespace: name, or a generated one when name
// ends in "-" (a prefix). It waits with DefaultWait unless told otherwise.
func NewNamespace(t testing.TB, c client.Client, name string) *NS {
	t.Helper()
	ns := &corev1.Namespace{}
	if strings.HasSuffix(name, "-") {
		ns.GenerateName = name
	} else {
		ns.Name = name
	}
	if err := c.Create(context.Background(), ns); err != nil {
		t.Fatal(err)
	}
	return &NS{T: t, C: c, Name: ns.Name, Wait: DefaultWait}
}

// Key is the key of the named object in the namespace.
func (n *NS) Key(name string) client.ObjectKey {
	return client.ObjectKey{Namespace: n.Name, Name: name}
}

// Meta is the ObjectMeta of the named object in the namespace.
func (n *NS) Meta(name string) metav1.ObjectMeta {
	return metav1.ObjectMeta{Namespace: n.Name, Name: name}
}

// Create creates obj, failing the test if it cannot.
func (n *NS) Create(obj client.Object) {
	n.T.Helper()
	if err := n.C.Create(context.Background(), obj); err != nil {
		n.T.Fatal(err)
	}
}

// Delete deletes obj, failing the test if it cannot.
func (n *NS) Delete(obj client.Object) {
	n.T.Helper()
	if err := n.C.Delete(context.Background(), obj); err != nil {
		n.T.Fatal(err)
	}
}

// PatchAnnotation sets one annotation with a merge patch.
func (n *NS) PatchAnnotation(obj client.Object, key, value string) {
	n.T.Helper()
	patch, err := json.Marshal(map[string]any{"metadata": map[string]any{"annotations": map[string]string{key: value}}})
	if err != nil {
		n.T.Fatal(err)
	}
	if err := n.C.Patch(context.Background(), obj, client.RawPatch("application/merge-patch+json", patch)); err != nil {
		n.T.Fatal(err)
	}
}

// object is a pointer to an API type (P) of struct T.
type object[T any] interface {
	*T
	client.Object
}

// Get reads the named object of type T, failing the test if it cannot.
func Get[T any, P object[T]](n *NS, name string) P {
	n.T.Helper()
	obj := P(new(T))
	if err := n.C.Get(context.Background(), n.Key(name), obj); err != nil {
		n.T.Fatal(err)
	}
	return obj
}

// WaitFor waits until cond holds for the named object and returns it; a
// timeout shows the last status seen.
func WaitFor[T any, P object[T]](n *NS, name, what string, cond func(P) bool) P {
	n.T.Helper()
	var last P
	n.Until(n.T, name+" "+what, func() bool {
		last = Get[T, P](n, name)
		return cond(last)
	}, func() string { return "status: " + statusOf(last) })
	return last
}

// WaitGone waits until the named object of type T no longer exists.
func WaitGone[T any, P object[T]](n *NS, name string) {
	n.T.Helper()
	n.Until(n.T, name+" deleted", func() bool {
		err := n.C.Get(context.Background(), n.Key(name), P(new(T)))
		return err != nil && client.IgnoreNotFound(err) == nil
	})
}

func statusOf(obj client.Object) string {
	u, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	if err != nil {
		return err.Error()
	}
	b, _ := json.Marshal(u["status"])
	return string(b)
}
