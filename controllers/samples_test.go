package controllers_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// TestProviderSamplesAreAccepted sends each provider's samples to the API
// server as a strict dry run: the CRD schemas and their CEL rules accept
// them as written, and no operator ever sees them (they point at the real
// clouds).
func TestProviderSamplesAreAccepted(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		glob  string
		check func(t *testing.T, file string, obj *unstructured.Unstructured)
	}{
		{glob: "rackspace_*.yaml"},
		{glob: "scp_*.yaml", check: func(t *testing.T, f string, obj *unstructured.Unstructured) {
			if _, has, _ := unstructured.NestedMap(obj.Object, "spec", "metadata"); has && obj.GetKind() == "ServerImage" {
				t.Errorf("%s sets spec.metadata, which SCP refuses", f)
			}
		}},
	} {
		t.Run(tc.glob, func(t *testing.T) {
			t.Parallel()
			ns := newNamespace(t)
			files, err := filepath.Glob(filepath.Join("..", "config", "samples", tc.glob))
			if err != nil {
				t.Fatal(err)
			}
			kinds := map[string]bool{}
			for _, f := range files {
				obj := readSample(t, f)
				obj.SetNamespace(ns)
				if err := k8s.Create(context.Background(), obj, client.DryRunAll, client.FieldValidation("Strict")); err != nil {
					t.Errorf("%s is rejected: %v", f, err)
				}
				kinds[obj.GetKind()] = true
				if tc.check != nil {
					tc.check(t, f, obj)
				}
			}
			if len(files) != 3 || !kinds["Secret"] || !kinds["Cloud"] || !kinds["ServerImage"] {
				t.Errorf("want a Secret, a Cloud and a ServerImage sample; %v cover %v", files, kinds)
			}
		})
	}
}

func readSample(t *testing.T, file string) *unstructured.Unstructured {
	t.Helper()
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	obj := &unstructured.Unstructured{}
	if err := yaml.Unmarshal(raw, &obj.Object); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return obj
}
