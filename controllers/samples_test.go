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
			files, kinds := dryRunSamples(t, tc.glob, func(f string, obj *unstructured.Unstructured) {
				obj.SetNamespace(ns)
				if tc.check != nil {
					tc.check(t, f, obj)
				}
			})
			if len(files) != 3 || !kinds["Secret"] || !kinds["Cloud"] || !kinds["ServerImage"] {
				t.Errorf("want a Secret, a Cloud and a ServerImage sample; %v cover %v", files, kinds)
			}
		})
	}
}

// The ClusterCloud samples are accepted by the schemas as written (strict
// dry run), each in the namespace it names or a test one.
func TestClusterCloudSamplesAreAccepted(t *testing.T) {
	t.Parallel()
	ns := newNamespace(t)
	files, kinds := dryRunSamples(t, "clustercloud*.yaml", func(_ string, obj *unstructured.Unstructured) {
		switch obj.GetKind() {
		case "Secret":
			obj.SetNamespace(clusterCloudNS)
		case "ServerImage":
			obj.SetNamespace(ns)
		}
	})
	if len(files) != 3 || !kinds["Secret"] || !kinds["ClusterCloud"] || !kinds["ServerImage"] {
		t.Errorf("want a Secret, a ClusterCloud and a ServerImage sample; %v cover %v", files, kinds)
	}
}

// dryRunSamples sends every sample the glob names to the API server as a
// strict dry run, once place has put it in its namespace, and says which
// files it read and which kinds they hold.
func dryRunSamples(t *testing.T, glob string, place func(file string, obj *unstructured.Unstructured)) ([]string, map[string]bool) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("..", "config", "samples", glob))
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]bool{}
	for _, f := range files {
		obj := readSample(t, f)
		place(f, obj)
		if err := k8s.Create(context.Background(), obj, client.DryRunAll, client.FieldValidation("Strict")); err != nil {
			t.Errorf("%s is rejected: %v", f, err)
		}
		kinds[obj.GetKind()] = true
	}
	return files, kinds
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
