package main

import (
	"context"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
	"github.com/serverimage-operator/serverimage-operator/internal/kubetest"
)

func TestLastAppliedIsWhatKubectlWrites(t *testing.T) {
	got, err := lastApplied(manifest("ns1", "img-00001", "srv-1"))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"apiVersion":"` + imagesv1.GroupVersion.String() + `","kind":"ServerImage",` +
		`"metadata":{"annotations":{},"name":"img-00001","namespace":"ns1"},` +
		`"spec":{"cloudRef":{"name":"bench"},"serverID":"srv-1"}}` + "\n"
	if got != want {
		t.Fatalf("annotation:\n got %s\nwant %s", got, want)
	}
}

// The API server, not the bench, decides what an object carries: read
// each apply mode's object back and check its metadata is a user's.
func TestApplyModesAsStored(t *testing.T) {
	env, err := kubetest.StartEnv(kubetest.NewScheme())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = env.Stop() })
	ctx := context.Background()
	ns := kubetest.NewNamespace(t, env.Client, "apply-").Name

	servers := map[string]string{
		applyNone:   "0b0e9a52-8a43-4c55-9a63-2f1b8e0d6a01",
		applyClient: "0b0e9a52-8a43-4c55-9a63-2f1b8e0d6a02",
		applyServer: "0b0e9a52-8a43-4c55-9a63-2f1b8e0d6a03",
	}
	for _, apply := range applyModes {
		if err := createServerImages(ctx, env.Client, apply, ns, []string{servers[apply]}); err != nil {
			t.Fatalf("-apply %s: %v", apply, err)
		}
		// Objects are named by index: each mode's is img-00000, deleted
		// (no operator, no finalizer) before the next mode writes it.
		var si imagesv1.ServerImage
		if err := env.Client.Get(ctx, client.ObjectKey{Namespace: ns, Name: "img-00000"}, &si); err != nil {
			t.Fatalf("-apply %s: %v", apply, err)
		}
		if si.Spec.ServerID != servers[apply] || si.Spec.CloudRef.Name != "bench" {
			t.Errorf("-apply %s: spec %+v", apply, si.Spec)
		}
		ann, hasAnn := si.Annotations[corev1.LastAppliedConfigAnnotation]
		managers := map[string]metav1.ManagedFieldsOperationType{}
		for _, mf := range si.ManagedFields {
			managers[mf.Manager] = mf.Operation
		}
		switch apply {
		case applyNone:
			if hasAnn {
				t.Errorf("-apply none: last-applied annotation %q", ann)
			}
			for m, op := range managers {
				if op != metav1.ManagedFieldsOperationUpdate {
					t.Errorf("-apply none: manager %s did %s", m, op)
				}
			}
		case applyClient:
			want, _ := lastApplied(manifest(ns, "img-00000", servers[apply]))
			if ann != want {
				t.Errorf("-apply client: annotation %q, want %q", ann, want)
			}
			if managers[clientSideManager] != metav1.ManagedFieldsOperationUpdate {
				t.Errorf("-apply client: managers %v", managers)
			}
		case applyServer:
			if hasAnn {
				t.Errorf("-apply server: last-applied annotation %q", ann)
			}
			if managers[serverSideManager] != metav1.ManagedFieldsOperationApply {
				t.Errorf("-apply server: managers %v", managers)
			}
		}
		if err := env.Client.Delete(ctx, &si); err != nil {
			t.Fatalf("-apply %s: %v", apply, err)
		}
	}
}
