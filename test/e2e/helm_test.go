//go:build e2e

package e2e

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

const chart = "charts/serverimage-operator"

// releaseNS and release make the chart's names equal config/default's
// (namespace serverimage-system, namePrefix serverimage-).
const (
	releaseNS = "serverimage-system"
	release   = "serverimage"
)

func helmTemplate(t *testing.T, set ...string) []*unstructured.Unstructured {
	t.Helper()
	args := []string{"template", release, chart, "--namespace", releaseNS, "--include-crds"}
	for _, s := range set {
		args = append(args, "--set", s)
	}
	return decode(t, helm.run(t, nil, args...))
}

func TestHelmLint(t *testing.T) {
	out := helm.run(t, nil, "lint", "--strict", chart)
	if !strings.Contains(out, "0 chart(s) failed") {
		t.Errorf("helm lint: %s", out)
	}
	// The values schema rejects what the manager would reject at start.
	for _, bad := range []string{"logFormat=xml", "metrics.port=70000", "image.pullPolicy=Sometimes"} {
		if out, errOut, err := helm.try(nil, "lint", "--strict", chart, "--set", bad); err == nil {
			t.Errorf("helm lint accepted --set %s:\n%s%s", bad, out, errOut)
		}
	}
}

// TestHelmValues renders the chart with each value the chart offers and
// has the API server accept the result.
func TestHelmValues(t *testing.T) {
	ensureNamespace(t, decode(t, "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: "+releaseNS+"\n")[0])
	cases := []struct {
		name     string
		set      []string
		args     []string // the manager's args must contain these
		noArgs   []string // and not these
		replicas int64
		kinds    []string // kinds that must be rendered
		noKinds  []string
		check    func(t *testing.T, objs []*unstructured.Unstructured)
	}{
		{
			name: "defaults", replicas: 2,
			args:    []string{"--leader-elect", "--metrics-bind-address=:8443", "--zap-log-level=info", "--zap-encoder=json"},
			noArgs:  []string{"--metrics-secure=false"},
			kinds:   []string{"CustomResourceDefinition", "ClusterRole", "Role", "ClusterRoleBinding", "RoleBinding", "ServiceAccount", "Service", "Deployment"},
			noKinds: []string{"ServiceMonitor", "Namespace"},
		},
		{
			name: "single replica without leader election", replicas: 1,
			set:  []string{"leaderElection.enabled=false", "replicaCount=1"},
			args: []string{"--leader-elect=false"}, noArgs: []string{"--leader-elect"},
		},
		{
			name: "debug console logs", replicas: 2,
			set:  []string{"logLevel=debug", "logFormat=console"},
			args: []string{"--zap-log-level=debug", "--zap-encoder=console"},
		},
		{
			name: "watch two namespaces", replicas: 2,
			set:  []string{"watchNamespaces={team-a,team-b}"},
			args: []string{"--watch-namespaces=team-a,team-b"},
		},
		{
			name: "ClusterClouds only, credentials in another namespace", replicas: 2,
			set:  []string{"clusterCloudNamespace=default", "cloudSecretsClusterWide=false"},
			args: []string{"--cluster-cloud-namespace=default"},
			check: func(t *testing.T, objs []*unstructured.Unstructured) {
				for _, kind := range []string{"Role", "RoleBinding"} {
					o := find(objs, kind, release+"-clustercloud-secrets-"+strings.ToLower(kind))
					if o == nil || o.GetNamespace() != "default" {
						t.Errorf("%s for the ClusterClouds' Secrets not in default: %v", kind, o)
					}
				}
				if o := find(objs, "ClusterRoleBinding", release+"-cloud-secrets-rolebinding"); o != nil {
					t.Error("cloudSecretsClusterWide=false still binds Secrets cluster-wide")
				}
			},
		},
		{
			name: "metrics off", replicas: 2,
			set:  []string{"metrics.enabled=false"},
			args: []string{"--metrics-bind-address=0"}, noKinds: []string{"Service"},
		},
		{
			name: "plain-HTTP metrics on another port", replicas: 2,
			set:  []string{"metrics.secure=false", "metrics.port=9090"},
			args: []string{"--metrics-bind-address=:9090", "--metrics-secure=false"},
		},
		{
			name: "image and resources", replicas: 2,
			set: []string{"image.repository=registry.example.com/sio", "image.tag=v1.2.3", "image.pullPolicy=Always",
				"resources.requests.cpu=100m", "resources.limits.memory=512Mi"},
			check: func(t *testing.T, objs []*unstructured.Unstructured) {
				c := container(t, find(objs, "Deployment", release+"-controller-manager"))
				want := map[string]any{"image": "registry.example.com/sio:v1.2.3", "imagePullPolicy": "Always"}
				for k, v := range want {
					if c[k] != v {
						t.Errorf("%s = %v, want %v", k, c[k], v)
					}
				}
				cpu, _, _ := unstructured.NestedString(c, "resources", "requests", "cpu")
				mem, _, _ := unstructured.NestedString(c, "resources", "limits", "memory")
				if cpu != "100m" || mem != "512Mi" {
					t.Errorf("resources %v", c["resources"])
				}
			},
		},
		{
			name: "ServiceMonitor", replicas: 2,
			set:   []string{"metrics.serviceMonitor.enabled=true", "metrics.serviceMonitor.labels.release=prom"},
			kinds: []string{"ServiceMonitor"},
			check: func(t *testing.T, objs []*unstructured.Unstructured) {
				sm := find(objs, "ServiceMonitor", release+"-controller-manager-metrics-monitor")
				svc := find(objs, "Service", release+"-controller-manager-metrics-service")
				sel, _, _ := unstructured.NestedStringMap(sm.Object, "spec", "selector", "matchLabels")
				for k, v := range sel {
					if svc.GetLabels()[k] != v {
						t.Errorf("ServiceMonitor selects %s=%s; Service labels %v", k, v, svc.GetLabels())
					}
				}
				if sm.GetLabels()["release"] != "prom" {
					t.Errorf("labels %v", sm.GetLabels())
				}
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			objs := helmTemplate(t, tc.set...)
			dep := find(objs, "Deployment", release+"-controller-manager")
			if dep == nil {
				t.Fatal("no Deployment")
			}
			args, _, _ := unstructured.NestedStringSlice(container(t, dep), "args")
			for _, a := range tc.args {
				if !slices.Contains(args, a) {
					t.Errorf("args %v lack %s", args, a)
				}
			}
			for _, a := range tc.noArgs {
				if slices.Contains(args, a) {
					t.Errorf("args %v contain %s", args, a)
				}
			}
			if r, _, _ := unstructured.NestedFieldNoCopy(dep.Object, "spec", "replicas"); !equalJSON(r, tc.replicas) {
				t.Errorf("replicas %v, want %d", r, tc.replicas)
			}
			for _, k := range tc.kinds {
				if !slices.ContainsFunc(objs, func(o *unstructured.Unstructured) bool { return o.GetKind() == k }) {
					t.Errorf("no %s rendered", k)
				}
			}
			for _, k := range tc.noKinds {
				if slices.ContainsFunc(objs, func(o *unstructured.Unstructured) bool { return o.GetKind() == k }) {
					t.Errorf("%s rendered", k)
				}
			}
			if tc.check != nil {
				tc.check(t, objs)
			}
			// ServiceMonitor needs the Prometheus Operator's CRD, which
			// this control plane does not have.
			objs = slices.DeleteFunc(objs, func(o *unstructured.Unstructured) bool { return o.GetKind() == "ServiceMonitor" })
			if w := dryRunApply(t, objs); strings.Contains(w, "PodSecurity") {
				t.Errorf("the API server warns: %s", w)
			}
		})
	}
}

// TestHelmChartMatchesConfig: config/ is the one source of truth. The
// chart's copies of the CRDs and RBAC roles must be current (`make
// helm-chart`), and with default values (and config/'s image) the chart
// renders the same objects as `kubectl kustomize config/default`, apart
// from labels, annotations and the Namespace, which Helm leaves to
// --create-namespace.
func TestHelmChartMatchesConfig(t *testing.T) {
	t.Run("copies are current", func(t *testing.T) {
		crds, _ := filepath.Glob(filepath.Join(root, "config", "crd", "bases", "*.yaml"))
		roles := rbacRoleFiles(t)
		want := map[string]string{}
		for _, f := range crds {
			want[filepath.Join("crds", filepath.Base(f))] = f
		}
		for _, f := range roles {
			want[filepath.Join("files", "rbac", filepath.Base(f))] = f
		}
		got, _ := filepath.Glob(filepath.Join(root, chart, "crds", "*.yaml"))
		more, _ := filepath.Glob(filepath.Join(root, chart, "files", "rbac", "*.yaml"))
		for _, f := range append(got, more...) {
			rel, _ := filepath.Rel(filepath.Join(root, chart), f)
			if _, ok := want[rel]; !ok {
				t.Errorf("%s has no source in config/: run 'make helm-chart'", rel)
			}
		}
		for rel, src := range want {
			a, _ := os.ReadFile(src)
			b, err := os.ReadFile(filepath.Join(root, chart, rel))
			if err != nil || !bytes.Equal(a, b) {
				t.Errorf("%s differs from %s: run 'make helm-chart'", rel, src)
			}
		}
	})

	t.Run("renders what config/default renders", func(t *testing.T) {
		fromHelm := index(t, helmTemplate(t, "image.repository=controller", "image.tag=latest"))
		fromKustomize := index(t, decode(t, kubectl.run(t, nil, "kustomize", "config/default")))
		delete(fromKustomize, "Namespace//"+releaseNS)
		var keys []string
		for k := range fromKustomize {
			keys = append(keys, k)
		}
		for k := range fromHelm {
			if _, ok := fromKustomize[k]; !ok {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		for _, k := range keys {
			h, inHelm := fromHelm[k]
			c, inConfig := fromKustomize[k]
			switch {
			case !inHelm:
				t.Errorf("%s is in config/default but not in the chart", k)
			case !inConfig:
				t.Errorf("%s is in the chart but not in config/default", k)
			case !reflect.DeepEqual(h, c):
				t.Errorf("%s differs:\nchart:  %s\nconfig: %s", k, compact(h), compact(c))
			}
		}
	})
}

// index keys objects by kind/namespace/name and drops what legitimately
// differs between a Helm release and a kustomize build.
func index(t *testing.T, objs []*unstructured.Unstructured) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	for _, o := range objs {
		o = o.DeepCopy()
		unstructured.RemoveNestedField(o.Object, "metadata", "labels")
		unstructured.RemoveNestedField(o.Object, "metadata", "annotations")
		out[o.GetKind()+"/"+o.GetNamespace()+"/"+o.GetName()] = normalize(t, o.Object)
	}
	return out
}

// normalize makes numbers and types compare alike (JSON round trip).
func normalize(t *testing.T, v map[string]any) map[string]any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func compact(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// rbacRoleFiles lists config/rbac's Roles and ClusterRoles, the files
// `make helm-chart` copies.
func rbacRoleFiles(t *testing.T) []string {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(root, "config", "rbac", "*.yaml"))
	var roles []string
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range strings.Split(string(b), "\n") {
			if l == "kind: Role" || l == "kind: ClusterRole" {
				roles = append(roles, f)
				break
			}
		}
	}
	if len(roles) == 0 {
		t.Fatal("no roles in config/rbac")
	}
	return roles
}

// equalJSON compares a decoded value with a Go literal.
func equalJSON(got, want any) bool {
	a, _ := json.Marshal(got)
	b, _ := json.Marshal(want)
	return bytes.Equal(a, b)
}
