package controllers_test

import (
	"context"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
	"sigs.k8s.io/controller-runtime/pkg/client"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
	"github.com/serverimage-operator/serverimage-operator/internal/fakecloud"
	"github.com/serverimage-operator/serverimage-operator/internal/kubetest"
)

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
	read := func(t *testing.T, name string) *unstructured.Unstructured {
		t.Helper()
		u := &unstructured.Unstructured{}
		u.SetGroupVersionKind(imagesv1.GroupVersion.WithKind(imagesv1.KindClusterCloud))
		if err := k8s.Get(context.Background(), client.ObjectKey{Name: name}, u); err != nil {
			t.Fatal(err)
		}
		return u
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
			u := &unstructured.Unstructured{}
			u.SetGroupVersionKind(serverImageGVK)
			if err := k8s.Get(context.Background(), ns.Key("refused"), u); err != nil {
				t.Fatal(err)
			}
			return u
		},
		want: status.FailedStatus, msg: "is not allowed to use ClusterCloud",
	}, {
		name: "allowedNamespaces changed, not yet observed",
		act: func(t *testing.T) *unstructured.Unstructured {
			u := read(t, s.name)
			patch := `{"spec":{"allowedNamespaces":{"names":["` + ns.Name + `"]}}}`
			if err := k8s.Patch(context.Background(), u, client.RawPatch(types.MergePatchType, []byte(patch))); err != nil {
				t.Fatal(err)
			}
			return u
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
