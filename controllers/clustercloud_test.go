package controllers_test

import (
	"context"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
	"github.com/serverimage-operator/serverimage-operator/internal/fakecloud"
	"github.com/serverimage-operator/serverimage-operator/internal/kubetest"
)

// A namespace matched by the selector and one named both take images; a
// third is Stalled with CloudNotAllowed, naming the ClusterCloud and the
// rule, and its server is never asked about.
func TestClusterCloudAllowsChosenNamespaces(t *testing.T) {
	t.Parallel()
	s := newClusterCloud(t, nil, func(cc *imagesv1.ClusterCloud) {
		cc.Spec.AllowedNamespaces = &imagesv1.AllowedNamespaces{
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"team": "blue"}},
		}
	})
	s.waitReady()
	byLabel := s.namespace(map[string]string{"team": "blue"})
	byName := s.namespace(nil)
	s.update(func(cc *imagesv1.ClusterCloud) { cc.Spec.AllowedNamespaces.Names = []string{byName.Name} })
	other := s.namespace(map[string]string{"team": "red"})

	s.serverImage(byLabel, "a")
	s.serverImage(byName, "b")
	refused := s.serverImage(other, "c")
	byLabel.WaitReady("a")
	byName.WaitReady("b")
	got := other.WaitCondition("c", imagesv1.ConditionStalled, imagesv1.ReasonCloudNotAllowed)
	msg := readyOf(got).Message
	for _, want := range []string{s.name, other.Name, "team=blue", byName.Name} {
		if !strings.Contains(msg, want) {
			t.Errorf("CloudNotAllowed message %q does not name %q", msg, want)
		}
	}
	if n := len(imagesOfServer(s.sim, refused.Spec.ServerID)); n != 0 {
		t.Errorf("a refused namespace got %d image(s)", n)
	}
	if n := s.sim.Calls(fakecloud.OpCreateImage); n != 2 {
		t.Errorf("%d createImage calls, want 2 (the allowed namespaces')", n)
	}
	s.waitFor("counting 3 ServerImages", func(cc *imagesv1.ClusterCloud) bool { return cc.Status.ServerImages == 3 })
}

// Unset allowedNamespaces allows nobody.
func TestClusterCloudUnsetAllowsNobody(t *testing.T) {
	t.Parallel()
	s := newClusterCloud(t, nil)
	s.waitReady()
	ns := s.namespace(map[string]string{"team": "blue"})
	s.serverImage(ns, "x")
	si := ns.WaitCondition("x", imagesv1.ConditionStalled, imagesv1.ReasonCloudNotAllowed)
	if !strings.Contains(readyOf(si).Message, "allows no namespace") {
		t.Errorf("message %q", readyOf(si).Message)
	}
}

// Labels added let a waiting object proceed; labels removed stop a Ready
// one and an in-flight one, which keeps its image ID and makes no more
// cloud calls; restored, both carry on.
func TestClusterCloudFollowsNamespaceLabels(t *testing.T) {
	t.Parallel()
	s := newClusterCloud(t, nil, allowLabel("snapshots", "on"))
	s.waitReady()
	ns := s.namespace(nil)
	s.serverImage(ns, "ready")
	ns.WaitCondition("ready", imagesv1.ConditionStalled, imagesv1.ReasonCloudNotAllowed)

	setNamespaceLabels(t, ns.Name, map[string]string{"snapshots": "on"})
	ns.WaitReady("ready")

	s.sim.FreezeImages(true)
	s.serverImage(ns, "inflight")
	inflight := ns.WaitServerImage("inflight", "an image ID", func(si *imagesv1.ServerImage) bool { return si.Status.ImageID != "" })

	setNamespaceLabels(t, ns.Name, map[string]string{"snapshots": "off"})
	ns.WaitCondition("ready", imagesv1.ConditionStalled, imagesv1.ReasonCloudNotAllowed)
	stopped := ns.WaitCondition("inflight", imagesv1.ConditionStalled, imagesv1.ReasonCloudNotAllowed)
	if stopped.Status.ImageID != inflight.Status.ImageID {
		t.Fatalf("in-flight image ID %q became %q", inflight.Status.ImageID, stopped.Status.ImageID)
	}
	// The poller has let go: no more reads of the frozen image.
	before := s.sim.Ledger()
	kubetest.Eventually(t, waitTimeout, "reads of the stopped image to end", func() bool {
		now := s.sim.Ledger()
		quiet := equalLedgers(before, now)
		before = now
		return quiet
	})

	s.sim.FreezeImages(false)
	setNamespaceLabels(t, ns.Name, map[string]string{"snapshots": "on"})
	ns.WaitReady("ready")
	if got := ns.WaitReady("inflight"); got.Status.ImageID != inflight.Status.ImageID {
		t.Errorf("image ID changed to %q", got.Status.ImageID)
	}
	if n := s.sim.Calls(fakecloud.OpCreateImage); n != 2 {
		t.Errorf("%d createImage calls, want 2", n)
	}
}

// Taking a namespace out of allowedNamespaces.names stops its objects;
// putting it back lets them proceed.
func TestClusterCloudFollowsAllowedNamespaces(t *testing.T) {
	t.Parallel()
	s, ns := allowingOne(t)
	s.serverImage(ns, "a")
	ns.WaitReady("a")
	s.update(allowNames("somewhere-else"))
	ns.WaitCondition("a", imagesv1.ConditionStalled, imagesv1.ReasonCloudNotAllowed)
	s.update(allowNames(ns.Name))
	ns.WaitReady("a")
}

// A changed Secret in the credentials namespace is picked up without a
// restart.
func TestClusterCloudCredentialRotation(t *testing.T) {
	t.Parallel()
	s := newClusterCloud(t, func(sim *fakecloud.Cloud) string {
		return strings.Replace(sim.CloudsYAML("sim"), "password: ", "password: wrong-", 1)
	})
	s.waitFor("AuthenticationFailed", func(cc *imagesv1.ClusterCloud) bool {
		return kubetest.Has(cc.Status.Conditions, imagesv1.ConditionReady, metav1.ConditionFalse, imagesv1.ReasonAuthenticationFailed)
	})
	secret := &corev1.Secret{}
	if err := k8s.Get(context.Background(), client.ObjectKey{Namespace: clusterCloudNS, Name: s.name}, secret); err != nil {
		t.Fatal(err)
	}
	secret.Data["clouds.yaml"] = []byte(s.sim.CloudsYAML("sim"))
	if err := k8s.Update(context.Background(), secret); err != nil {
		t.Fatal(err)
	}
	s.waitReady()
}

// The ClusterCloud stays while a ServerImage uses it, and that image is
// still deleted with the cached credentials after the Secret is gone.
func TestClusterCloudDeletionWaitsForUsers(t *testing.T) {
	t.Parallel()
	s, ns := allowingOne(t)
	si := s.serverImage(ns, "a")
	image := ns.WaitReady("a").Status.ImageID
	ctx := context.Background()
	if err := k8s.Delete(ctx, s.get()); err != nil {
		t.Fatal(err)
	}
	if err := k8s.Delete(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: clusterCloudNS, Name: s.name}}); err != nil {
		t.Fatal(err)
	}
	// Events about cluster-scoped objects go to namespace default.
	events := &kubetest.NS{T: t, C: k8s, Name: metav1.NamespaceDefault, Wait: kubetest.DefaultWait}
	if note := events.WaitEvent(s.name, "Normal", "InUse"); !strings.Contains(note, ns.Name+"/a") {
		t.Errorf("InUse Event %q does not name the ServerImage", note)
	}
	if cc := s.get(); !controllerutil.ContainsFinalizer(cc, imagesv1.CloudFinalizer) {
		t.Fatal("the ClusterCloud in use lost its finalizer")
	}
	patch := client.MergeFrom(si.DeepCopy())
	si.Spec.DeletionPolicy = imagesv1.DeletionPolicyDelete
	if err := k8s.Patch(ctx, si, patch); err != nil {
		t.Fatal(err)
	}
	ns.Delete(si)
	ns.WaitServerImageGone("a")
	if _, ok := s.sim.Image(image); ok {
		t.Error("the image survived its ServerImage (cleanup with cached credentials)")
	}
	kubetest.Eventually(t, waitTimeout, "the ClusterCloud to go", func() bool {
		return apierrors.IsNotFound(k8s.Get(ctx, client.ObjectKey{Name: s.name}, &imagesv1.ClusterCloud{}))
	})
}

// cloudRef.kind is immutable like the rest of cloudRef.
func TestCloudRefKindIsImmutable(t *testing.T) {
	t.Parallel()
	ns := kubetest.NewNamespace(t, k8s, "t-")
	si := ns.CreateServerImage("a", "x", "2a9be312-5d4b-4bc8-b2ae-35100fa9241f")
	// A merge patch: the operator's finalizer may land in between.
	patch := client.MergeFrom(si.DeepCopy())
	si.Spec.CloudRef.Kind = imagesv1.KindClusterCloud
	kubetest.WantError(t, k8s.Patch(context.Background(), si, patch), "cloudRef is immutable")
}

func imagesOfServer(sim *fakecloud.Cloud, serverID string) []fakecloud.Image {
	var out []fakecloud.Image
	for _, img := range sim.Images() {
		if img.ServerID == serverID {
			out = append(out, img)
		}
	}
	return out
}

func equalLedgers(a, b map[fakecloud.Op]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
