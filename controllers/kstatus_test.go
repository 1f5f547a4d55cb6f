package controllers_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
	"sigs.k8s.io/controller-runtime/pkg/client"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
	"github.com/serverimage-operator/serverimage-operator/internal/fakecloud"
	"github.com/serverimage-operator/serverimage-operator/internal/kubetest"
)

// Flux, kpt and `cli-utils`-based CI waits decide whether an object is
// done with kstatus (sigs.k8s.io/cli-utils/pkg/kstatus/status.Compute).
// These tests run that library on the objects the reconcilers really write,
// read back the way those tools read them: unstructured, from the API
// server.

// kstatusStep is one moment of an object's life: act brings it there and
// returns the object as a tool would see it at that moment.
type kstatusStep struct {
	name string
	act  func(t *testing.T) *unstructured.Unstructured
	want status.Status
	// msg must appear in the result's message (the message is what
	// `flux get` and kpt print next to the status); {image} stands for the
	// object's status.imageID.
	msg string
}

func runKstatusSteps(t *testing.T, steps []kstatusStep) {
	t.Helper()
	for _, st := range steps {
		obj := st.act(t)
		res, err := status.Compute(obj)
		if err != nil {
			t.Fatalf("%s: kstatus: %v", st.name, err)
		}
		imageID, _, _ := unstructured.NestedString(obj.Object, "status", "imageID")
		msg := strings.ReplaceAll(st.msg, "{image}", imageID)
		if strings.Contains(st.msg, "{image}") && imageID == "" {
			t.Fatalf("%s: no status.imageID to look for in the message", st.name)
		}
		if res.Status != st.want || !strings.Contains(res.Message, msg) {
			t.Fatalf("%s: kstatus = %s %q, want %s with %q (generation %d, status %v)",
				st.name, res.Status, res.Message, st.want, msg, obj.GetGeneration(), obj.Object["status"])
		}
		t.Logf("%s: %s %q", st.name, res.Status, res.Message)
	}
}

func TestKstatusServerImage(t *testing.T) {
	t.Parallel()
	s := newScenario(t, fakecloud.Options{})
	srv := s.sim.AddServer(fakecloud.Server{})
	// Frozen images stay in flight until the test lets them finish.
	s.sim.FreezeImages(true)
	s.serverImage("ks", srv.ID)

	runKstatusSteps(t, []kstatusStep{{
		name: "saving",
		act:  s.once("ks", imagesv1.ConditionReconciling, imagesv1.ReasonImageSaving),
		want: status.InProgressStatus, msg: "image {image}",
	}, {
		// The object as the API server returns it from the write: the new
		// generation, the status of the old one.
		name: "timeout lowered, not yet observed",
		act:  s.patchSpec(serverImageGVK, "ks", `{"spec":{"timeout":"1s"}}`),
		want: status.InProgressStatus, msg: "generation is 2, but latest observed generation is 1",
	}, {
		name: "timed out",
		act:  s.once("ks", imagesv1.ConditionStalled, imagesv1.ReasonTimeout),
		want: status.FailedStatus, msg: "image {image} is still",
	}, {
		name: "timeout raised, not yet observed",
		act:  s.patchSpec(serverImageGVK, "ks", `{"spec":{"timeout":"1h"}}`),
		want: status.InProgressStatus, msg: "generation is 3, but latest observed generation is 2",
	}, {
		name: "raised timeout observed, saving again",
		act:  s.once("ks", imagesv1.ConditionReconciling, imagesv1.ReasonImageSaving),
		want: status.InProgressStatus, msg: "image {image} is",
	}, {
		name: "active",
		act: func(t *testing.T) *unstructured.Unstructured {
			s.sim.FreezeImages(false)
			s.WaitReady("ks")
			return s.unstructured(t, "ks", serverImageGVK)
		},
		want: status.CurrentStatus, msg: "Resource is Ready",
	}, {
		name: "deletionPolicy changed, not yet observed",
		act:  s.patchSpec(serverImageGVK, "ks", `{"spec":{"deletionPolicy":"Delete"}}`),
		want: status.InProgressStatus, msg: "generation is 4, but latest observed generation is 3",
	}, {
		name: "deletionPolicy observed",
		act: func(t *testing.T) *unstructured.Unstructured {
			return s.waitObserved(t, "ks", serverImageGVK)
		},
		want: status.CurrentStatus, msg: "Resource is Ready",
	}})
}

func TestKstatusServerImageServerNotFound(t *testing.T) {
	t.Parallel()
	s := newScenario(t, fakecloud.Options{})
	s.serverImage("ghost", "0b6e7d9c-1111-4222-8333-444455556666")
	runKstatusSteps(t, []kstatusStep{{
		name: "server does not exist",
		act:  s.once("ghost", imagesv1.ConditionStalled, imagesv1.ReasonServerNotFound),
		want: status.FailedStatus, msg: "0b6e7d9c-1111-4222-8333-444455556666",
	}})
}

func TestKstatusCloud(t *testing.T) {
	t.Parallel()
	cloudGVK := imagesv1.GroupVersion.WithKind("Cloud")
	s := newScenario(t, fakecloud.Options{})
	runKstatusSteps(t, []kstatusStep{{
		name: "credentials accepted",
		act:  func(t *testing.T) *unstructured.Unstructured { return s.unstructured(t, s.cloud, cloudGVK) },
		want: status.CurrentStatus, msg: "Resource is Ready",
	}, {
		name: "pollInterval changed, not yet observed",
		act:  s.patchSpec(cloudGVK, s.cloud, `{"spec":{"pollInterval":"200ms"}}`),
		want: status.InProgressStatus, msg: "Cloud generation is 2, but latest observed generation is 1",
	}, {
		name: "pollInterval observed",
		act:  func(t *testing.T) *unstructured.Unstructured { return s.waitObserved(t, s.cloud, cloudGVK) },
		want: status.CurrentStatus, msg: "Resource is Ready",
	}, {
		name: "credentials rejected",
		act: func(t *testing.T) *unstructured.Unstructured {
			s.createCloud("wrong", strings.Replace(s.sim.CloudsYAML("sim"), "password: ", "password: wrong-", 1))
			kubetest.Eventually(t, waitTimeout, "Cloud wrong Stalled", func() bool {
				u := s.unstructured(t, "wrong", cloudGVK)
				res, err := status.Compute(u)
				return err == nil && res.Status == status.FailedStatus
			})
			return s.unstructured(t, "wrong", cloudGVK)
		},
		want: status.FailedStatus, msg: "401",
	}})
}

// kstatus on a ClusterCloud as it goes through its life, and on a
// ServerImage its namespace may not use (Failed: a person must act).
func TestKstatusClusterCloud(t *testing.T) {
	t.Parallel()
	s := newClusterCloud(t, nil)
	s.waitReady()
	wrong := newClusterCloud(t, func(sim *fakecloud.Cloud) string {
		return strings.Replace(sim.CloudsYAML("sim"), "password: ", "password: wrong-", 1)
	})
	ns := s.namespace(nil)
	clusterCloudGVK := imagesv1.GroupVersion.WithKind(imagesv1.KindClusterCloud)
	read := func(t *testing.T, name string) *unstructured.Unstructured {
		return readUnstructured(t, client.ObjectKey{Name: name}, clusterCloudGVK)
	}
	runKstatusSteps(t, []kstatusStep{{
		name: "credentials accepted",
		act:  func(t *testing.T) *unstructured.Unstructured { return read(t, s.name) },
		want: status.CurrentStatus, msg: "Resource is Ready",
	}, {
		name: "namespace not allowed",
		act: func(t *testing.T) *unstructured.Unstructured {
			s.serverImage(ns, "refused")
			ns.WaitCondition("refused", imagesv1.ConditionStalled, imagesv1.ReasonCloudNotAllowed)
			return readUnstructured(t, ns.Key("refused"), serverImageGVK)
		},
		want: status.FailedStatus, msg: "is not allowed to use ClusterCloud",
	}, {
		name: "allowedNamespaces changed, not yet observed",
		act: func(t *testing.T) *unstructured.Unstructured {
			return mergePatch(t, read(t, s.name), `{"spec":{"allowedNamespaces":{"names":["`+ns.Name+`"]}}}`)
		},
		want: status.InProgressStatus, msg: "ClusterCloud generation is 2, but latest observed generation is 1",
	}, {
		name: "allowedNamespaces observed",
		act: func(t *testing.T) *unstructured.Unstructured {
			s.waitFor("generation 2 observed", func(cc *imagesv1.ClusterCloud) bool {
				return cc.Status.ObservedGeneration == 2 && kubetest.Has(cc.Status.Conditions, imagesv1.ConditionReady, "True", imagesv1.ReasonAuthenticated)
			})
			return read(t, s.name)
		},
		want: status.CurrentStatus, msg: "Resource is Ready",
	}, {
		name: "credentials rejected",
		act: func(t *testing.T) *unstructured.Unstructured {
			wrong.waitFor("Stalled", func(cc *imagesv1.ClusterCloud) bool {
				return kubetest.Has(cc.Status.Conditions, imagesv1.ConditionStalled, "True", imagesv1.ReasonAuthenticationFailed)
			})
			return read(t, wrong.name)
		},
		want: status.FailedStatus, msg: "401",
	}})
	ns.WaitReady("refused")
}

var serverImageGVK = imagesv1.GroupVersion.WithKind("ServerImage")

// once returns a step action that waits until the ServerImage has the
// condition and hands it back as a tool would read it.
func (s *scenario) once(name, typ, reason string) func(t *testing.T) *unstructured.Unstructured {
	return func(t *testing.T) *unstructured.Unstructured {
		s.WaitCondition(name, typ, reason)
		return s.unstructured(t, name, serverImageGVK)
	}
}

// unstructured reads an object the way generic tools do.
func (s *scenario) unstructured(t *testing.T, name string, gvk schema.GroupVersionKind) *unstructured.Unstructured {
	t.Helper()
	return readUnstructured(t, client.ObjectKey{Namespace: s.Name, Name: name}, gvk)
}

// readUnstructured reads any object, namespaced or cluster-scoped, the way
// generic tools do.
func readUnstructured(t *testing.T, key client.ObjectKey, gvk schema.GroupVersionKind) *unstructured.Unstructured {
	t.Helper()
	u := &unstructured.Unstructured{}
	u.SetGroupVersionKind(gvk)
	if err := k8s.Get(context.Background(), key, u); err != nil {
		t.Fatal(err)
	}
	return u
}

// patchSpec returns a step action that merge-patches the object and hands
// back the API server's response, which carries the new generation and the
// status the operator wrote for the previous one: exactly what a tool
// polling right after `kubectl apply` sees.
func (s *scenario) patchSpec(gvk schema.GroupVersionKind, name, patch string) func(t *testing.T) *unstructured.Unstructured {
	return func(t *testing.T) *unstructured.Unstructured {
		t.Helper()
		return mergePatch(t, s.unstructured(t, name, gvk), patch)
	}
}

// mergePatch merge-patches u in place with the API server's response.
func mergePatch(t *testing.T, u *unstructured.Unstructured, patch string) *unstructured.Unstructured {
	t.Helper()
	if err := k8s.Patch(context.Background(), u, client.RawPatch(types.MergePatchType, []byte(patch))); err != nil {
		t.Fatal(err)
	}
	return u
}

// waitObserved waits until status.observedGeneration reaches
// metadata.generation and returns the object.
func (s *scenario) waitObserved(t *testing.T, name string, gvk schema.GroupVersionKind) *unstructured.Unstructured {
	t.Helper()
	var u *unstructured.Unstructured
	kubetest.Eventually(t, waitTimeout, name+" observed", func() bool {
		u = s.unstructured(t, name, gvk)
		og, _, _ := unstructured.NestedInt64(u.Object, "status", "observedGeneration")
		return og == u.GetGeneration()
	})
	// Let the write that set observedGeneration settle its conditions too.
	time.Sleep(100 * time.Millisecond)
	return s.unstructured(t, name, gvk)
}
