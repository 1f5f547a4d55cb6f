//go:build e2e

package e2e

import (
	"bytes"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

// Helpers for rendered manifests: decoding, finding objects and applying
// them with a server-side dry run, which runs the API server's validation,
// defaulting and admission (including PodSecurity warnings) without
// persisting anything.

// decode splits a multi-document YAML stream into objects.
func decode(t *testing.T, stream string) []*unstructured.Unstructured {
	t.Helper()
	var objs []*unstructured.Unstructured
	d := utilyaml.NewYAMLOrJSONDecoder(strings.NewReader(stream), 4096)
	for {
		u := &unstructured.Unstructured{}
		if err := d.Decode(&u.Object); err != nil {
			if err.Error() == "EOF" {
				return objs
			}
			t.Fatalf("decoding manifests: %v", err)
		}
		if len(u.Object) > 0 {
			objs = append(objs, u)
		}
	}
}

func find(objs []*unstructured.Unstructured, kind, name string) *unstructured.Unstructured {
	for _, o := range objs {
		if o.GetKind() == kind && o.GetName() == name {
			return o
		}
	}
	return nil
}

func encode(t *testing.T, objs []*unstructured.Unstructured) []byte {
	t.Helper()
	var b bytes.Buffer
	for _, o := range objs {
		y, err := yaml.Marshal(o.Object)
		if err != nil {
			t.Fatal(err)
		}
		b.WriteString("---\n")
		b.Write(y)
	}
	return b.Bytes()
}

// ensureNamespace creates a namespace for real: a dry run cannot create
// the namespace the other objects of the same dry run go into.
func ensureNamespace(t *testing.T, ns *unstructured.Unstructured) {
	t.Helper()
	kubectl.run(t, encode(t, []*unstructured.Unstructured{ns}), "apply", "--server-side", "--field-manager=e2e", "-f", "-")
}

// dryRunApply server-side applies objs as a dry run and returns kubectl's
// warnings (stderr); every object must be reported as applied.
func dryRunApply(t *testing.T, objs []*unstructured.Unstructured) string {
	t.Helper()
	out, errOut, err := kubectl.try(encode(t, objs), "apply", "--server-side", "--dry-run=server", "--field-manager=e2e-dry-run", "-f", "-")
	if err != nil {
		t.Fatalf("server-side dry-run apply rejected the manifests: %v\n%s%s", err, out, errOut)
	}
	for _, o := range objs {
		if !strings.Contains(out, "/"+o.GetName()+" serverside-applied (server dry run)") {
			t.Errorf("%s %s not applied:\n%s", o.GetKind(), o.GetName(), out)
		}
	}
	return errOut
}

func namespaceOf(objs []*unstructured.Unstructured) *unstructured.Unstructured {
	for _, o := range objs {
		if o.GetKind() == "Namespace" {
			return o
		}
	}
	return nil
}
