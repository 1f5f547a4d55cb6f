package kubetest

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
)

// recorder is a testing.TB whose Fatal ends the helper under test, so
// that a test can check that the helper fails, and with what.
type recorder struct {
	testing.TB
	fatal string
}

type fatal struct{}

func (r *recorder) Helper() {}
func (r *recorder) Fatal(args ...any) {
	r.fatal = fmt.Sprint(args...)
	panic(fatal{})
}
func (r *recorder) Fatalf(format string, args ...any) { r.Fatal(fmt.Sprintf(format, args...)) }

// failure runs f against a recorder and returns its Fatal message, "" if
// none.
func failure(t *testing.T, f func(tb testing.TB)) (msg string) {
	r := &recorder{TB: t}
	defer func() {
		if p := recover(); p != nil {
			if _, ok := p.(fatal); !ok {
				panic(p)
			}
			msg = r.fatal
		}
	}()
	f(r)
	return ""
}

var short = Wait{Timeout: 100 * time.Millisecond, Poll: time.Millisecond}

func TestUntil(t *testing.T) {
	n := 0
	if msg := failure(t, func(tb testing.TB) { short.Until(tb, "three tries", func() bool { n++; return n == 3 }) }); msg != "" {
		t.Fatalf("a condition that comes true failed: %s", msg)
	}
	msg := failure(t, func(tb testing.TB) {
		short.Until(tb, "never", func() bool { return false }, func() string { return "last: nothing" })
	})
	if !strings.Contains(msg, "waiting for never") || !strings.Contains(msg, "last: nothing") {
		t.Fatalf("timeout message %q does not say what and the last state", msg)
	}
	msg = failure(t, func(tb testing.TB) {
		UntilEqual(tb, short, "names", func() []string { return []string{"a"} }, []string{"a", "b"})
	})
	if !strings.Contains(msg, "got [a], want [a b]") {
		t.Fatalf("UntilEqual message %q", msg)
	}
}

func TestWantError(t *testing.T) {
	for _, tc := range []struct {
		err      error
		want     string
		wantFail string
	}{
		{nil, "", ""},
		{errors.New("spec.serverID is immutable"), "immutable", ""},
		{errors.New("boom"), "", "rejected"},
		{nil, "immutable", "accepted"},
		{errors.New("boom"), "immutable", "does not contain"},
	} {
		msg := failure(t, func(tb testing.TB) { WantError(tb, tc.err, tc.want) })
		if (tc.wantFail == "") != (msg == "") || !strings.Contains(msg, tc.wantFail) {
			t.Errorf("WantError(%v, %q) failed with %q, want %q", tc.err, tc.want, msg, tc.wantFail)
		}
	}
}

func TestNamespaceHelpers(t *testing.T) {
	c := fake.NewClientBuilder().WithScheme(NewScheme()).WithStatusSubresource(&imagesv1.ServerImage{}, &imagesv1.Cloud{}).Build()
	n := NewNamespace(t, c, "ns")
	n.Wait, n.CloudPoll = short, time.Second

	cloud := n.CreateCloud("sim", map[string]string{"k": "v"}, func(c *imagesv1.Cloud) { c.Spec.CloudName = "sim" })
	secret := Get[corev1.Secret](n, "sim-credentials")
	if cloud.Spec.CredentialsSecretRef.Name != secret.Name || cloud.Spec.PollInterval.Duration != time.Second || cloud.Spec.CloudName != "sim" {
		t.Errorf("Cloud %+v, Secret %s", cloud.Spec, secret.Name)
	}
	if msg := failure(t, func(tb testing.TB) { n.T = tb; n.WaitCloudReady("sim") }); !strings.Contains(msg, "sim Ready") {
		t.Errorf("a Cloud without status was Ready: %q", msg)
	}
	n.T = t

	si := n.CreateServerImage("web", "sim", "srv")
	si.Status.Conditions = []metav1.Condition{{Type: imagesv1.ConditionReady, Status: metav1.ConditionTrue, Reason: imagesv1.ReasonImageActive, LastTransitionTime: metav1.Now()}}
	if err := c.Status().Update(t.Context(), si); err != nil {
		t.Fatal(err)
	}
	if got := n.WaitReady("web"); got.Spec.CloudRef.Name != "sim" || got.Spec.ServerID != "srv" {
		t.Errorf("ServerImage %+v", got.Spec)
	}
	if c := Condition(si.Status.Conditions, imagesv1.ConditionStalled); c.Type != imagesv1.ConditionStalled || c.Status != "" {
		t.Errorf("a missing condition reads %+v", c)
	}

	n.Create(&eventsv1.Event{ObjectMeta: n.Meta("e1"), Regarding: corev1.ObjectReference{Name: "web"},
		Type: "Warning", Reason: imagesv1.ReasonServerBusy, Note: "HTTP 409", EventTime: metav1.NowMicro(),
		ReportingController: "x", ReportingInstance: "x", Action: "x"})
	if note := n.WaitEvent("web", "Warning", imagesv1.ReasonServerBusy); note != "HTTP 409" {
		t.Errorf("event note %q", note)
	}

	n.PatchAnnotation(si, "k", "v")
	if got := n.ServerImage("web"); got.Annotations["k"] != "v" {
		t.Errorf("annotations %v", got.Annotations)
	}
	n.Delete(si)
	n.WaitServerImageGone("web")
}
