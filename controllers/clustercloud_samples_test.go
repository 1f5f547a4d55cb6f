package controllers_test

import (
	"context"
	"path/filepath"
	"testing"

	"sigs.k8s.io/controller-runtime/pkg/client"
)

// The ClusterCloud samples are accepted by the schemas as written (strict
// dry run), each in the namespace it names or a test one.
func TestClusterCloudSamplesAreAccepted(t *testing.T) {
	t.Parallel()
	ns := newNamespace(t)
	files, err := filepath.Glob(filepath.Join("..", "config", "samples", "clustercloud*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]bool{}
	for _, f := range files {
		obj := readSample(t, f)
		switch obj.GetKind() {
		case "Secret":
			obj.SetNamespace(clusterCloudNS)
		case "ServerImage":
			obj.SetNamespace(ns)
		}
		if err := k8s.Create(context.Background(), obj, client.DryRunAll, client.FieldValidation("Strict")); err != nil {
			t.Errorf("%s is rejected: %v", f, err)
		}
		kinds[obj.GetKind()] = true
	}
	if len(files) != 3 || !kinds["Secret"] || !kinds["ClusterCloud"] || !kinds["ServerImage"] {
		t.Errorf("want a Secret, a ClusterCloud and a ServerImage sample; %v cover %v", files, kinds)
	}
}
