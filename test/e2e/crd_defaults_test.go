package e2e

// This file has no build tag: `make test` runs it. The rest of the
// package needs `-tags e2e`.

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

// TestCRDSpecsHaveNoDefaults keeps defaulting out of the CRD schemas. A
// schema default is written into the stored object by the API server, so
// what Argo CD or Flux applied differs from what they read back, and a
// later change of the default changes every stored object. The operator
// applies its defaults at runtime instead (README, "GitOps and defaults").
func TestCRDSpecsHaveNoDefaults(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "..", "config", "crd", "bases", "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no CRDs found (%v)", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			raw, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			var crd struct {
				Spec struct {
					Versions []struct {
						Name   string         `json:"name"`
						Schema map[string]any `json:"schema"`
					} `json:"versions"`
				} `json:"spec"`
			}
			if err := yaml.Unmarshal(raw, &crd); err != nil {
				t.Fatal(err)
			}
			if len(crd.Spec.Versions) == 0 {
				t.Fatal("no versions")
			}
			for _, v := range crd.Spec.Versions {
				schema, _ := v.Schema["openAPIV3Schema"].(map[string]any)
				props, _ := schema["properties"].(map[string]any)
				spec, ok := props["spec"].(map[string]any)
				if !ok {
					t.Fatalf("%s: no spec schema", v.Name)
				}
				if found := defaults(spec, "spec"); len(found) > 0 {
					t.Errorf("%s: schema defaults at %s", v.Name, strings.Join(found, ", "))
				}
			}
		})
	}
}

// defaults returns the paths of every "default" in a schema tree.
func defaults(node map[string]any, path string) []string {
	var out []string
	if _, ok := node["default"]; ok {
		out = append(out, path)
	}
	keys := make([]string, 0, len(node))
	for k := range node {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		switch child := node[k].(type) {
		case map[string]any:
			p := path
			if k != "properties" {
				p = path + "." + k
			}
			out = append(out, defaults(child, p)...)
		case []any:
			for _, e := range child {
				if m, ok := e.(map[string]any); ok {
					out = append(out, defaults(m, path+"."+k)...)
				}
			}
		}
	}
	return out
}
