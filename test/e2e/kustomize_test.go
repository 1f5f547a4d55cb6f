//go:build e2e

package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// TestConfigDefault renders config/default with kubectl's kustomize and
// has the API server accept it, and checks the manager's production
// settings.
func TestConfigDefault(t *testing.T) {
	objs := decode(t, kubectl.run(t, nil, "kustomize", "config/default"))
	ns := namespaceOf(objs)
	if ns == nil || ns.GetName() != "serverimage-system" {
		t.Fatalf("no serverimage-system Namespace in config/default")
	}
	ensureNamespace(t, ns)
	warnings := dryRunApply(t, objs)

	t.Run("restricted pod security", func(t *testing.T) {
		if ns.GetLabels()["pod-security.kubernetes.io/enforce"] != "restricted" {
			t.Errorf("namespace labels %v: want enforce=restricted", ns.GetLabels())
		}
		// The PodSecurity admission plugin warns about a Deployment whose
		// pods the namespace would reject.
		if strings.Contains(warnings, "PodSecurity") {
			t.Errorf("the API server warns: %s", warnings)
		}
		checkPodSecurityIsEnforced(t, ns.GetName())
	})

	dep := find(objs, "Deployment", "serverimage-controller-manager")
	if dep == nil {
		t.Fatal("no Deployment")
	}
	c := container(t, dep)
	cases := []struct {
		name string
		path []string
		want any
	}{
		{"liveness probe", []string{"livenessProbe", "httpGet", "path"}, "/healthz"},
		{"readiness probe", []string{"readinessProbe", "httpGet", "path"}, "/readyz"},
		{"cpu request", []string{"resources", "requests", "cpu"}, "50m"},
		{"memory request", []string{"resources", "requests", "memory"}, "64Mi"},
		{"memory limit", []string{"resources", "limits", "memory"}, "256Mi"},
		{"no privilege escalation", []string{"securityContext", "allowPrivilegeEscalation"}, false},
		{"read-only root", []string{"securityContext", "readOnlyRootFilesystem"}, true},
		{"non-root", []string{"securityContext", "runAsNonRoot"}, true},
		{"capabilities dropped", []string{"securityContext", "capabilities", "drop"}, []any{"ALL"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, _, _ := unstructured.NestedFieldNoCopy(c, tc.path...)
			if !equalJSON(got, tc.want) {
				t.Errorf("%s = %v, want %v", strings.Join(tc.path, "."), got, tc.want)
			}
		})
	}
	t.Run("args", func(t *testing.T) {
		args, _, _ := unstructured.NestedStringSlice(c, "args")
		for _, want := range []string{"--leader-elect", "--metrics-bind-address=:8443", "--health-probe-bind-address=:8081", "--zap-encoder=json"} {
			if !slices.Contains(args, want) {
				t.Errorf("args %v lack %s", args, want)
			}
		}
		// Metrics stay behind authn/authz (the flag defaults to true).
		if slices.Contains(args, "--metrics-secure=false") {
			t.Error("metrics served without authentication")
		}
	})
}

// checkPodSecurityIsEnforced is the negative control for the warning
// check above: a privileged pod spec in the same namespace must draw the
// warning, or the check proves nothing.
func checkPodSecurityIsEnforced(t *testing.T, ns string) {
	t.Helper()
	bad := decode(t, `apiVersion: apps/v1
kind: Deployment
metadata:
  name: e2e-privileged
  namespace: `+ns+`
spec:
  selector: {matchLabels: {app: e2e-privileged}}
  template:
    metadata: {labels: {app: e2e-privileged}}
    spec:
      containers:
      - name: c
        image: example.com/x:1
        securityContext: {privileged: true}
`)
	if warnings := dryRunApply(t, bad); !strings.Contains(warnings, "PodSecurity") {
		t.Errorf("no PodSecurity warning for a privileged pod (%q): the restricted check is not effective", warnings)
	}
}

// TestPrometheusServiceMonitor checks that config/prometheus renders and
// selects the metrics Service of config/default on its HTTPS port, and
// that config/default offers it as an opt-in.
func TestPrometheusServiceMonitor(t *testing.T) {
	monitors := decode(t, kubectl.run(t, nil, "kustomize", "config/prometheus"))
	if len(monitors) != 1 || monitors[0].GetKind() != "ServiceMonitor" {
		t.Fatalf("config/prometheus renders %d objects, want one ServiceMonitor", len(monitors))
	}
	sm := monitors[0].Object
	svc := find(decode(t, kubectl.run(t, nil, "kustomize", "config/default")), "Service", "serverimage-controller-manager-metrics-service")
	if svc == nil {
		t.Fatal("no metrics Service in config/default")
	}
	sel, _, _ := unstructured.NestedStringMap(sm, "spec", "selector", "matchLabels")
	for k, v := range sel {
		if svc.GetLabels()[k] != v {
			t.Errorf("ServiceMonitor selects %s=%s, the Service has %v", k, v, svc.GetLabels())
		}
	}
	endpoints, _, _ := unstructured.NestedSlice(sm, "spec", "endpoints")
	ports, _, _ := unstructured.NestedSlice(svc.Object, "spec", "ports")
	if len(endpoints) != 1 {
		t.Fatalf("endpoints %v", endpoints)
	}
	ep := endpoints[0].(map[string]any)
	found := false
	for _, p := range ports {
		found = found || p.(map[string]any)["name"] == ep["port"]
	}
	if !found || ep["scheme"] != "https" || ep["bearerTokenFile"] == nil {
		t.Errorf("endpoint %v against Service ports %v: want the https port with the scraper's token", ep, ports)
	}
	k, err := os.ReadFile(filepath.Join(root, "config", "default", "kustomization.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(k), "#- ../prometheus") {
		t.Error("config/default does not offer ../prometheus as a commented opt-in")
	}
}

// TestReleaseManifests runs `make release-manifests` and applies the file
// it writes, as `kubectl apply -f dist/install.yaml` would.
func TestReleaseManifests(t *testing.T) {
	dist := t.TempDir()
	img := "registry.example.com/serverimage-operator:v9.9.9"
	cmd := exec.Command("make", "--no-print-directory", "release-manifests", "IMG="+img, "DIST="+dist, "KUBECTL="+kubectl.path)
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("make release-manifests: %v\n%s", err, out)
	}
	raw, err := os.ReadFile(filepath.Join(dist, "install.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	objs := decode(t, string(raw))
	dep := find(objs, "Deployment", "serverimage-controller-manager")
	if dep == nil {
		t.Fatal("no Deployment in install.yaml")
	}
	if got, _, _ := unstructured.NestedString(container(t, dep), "image"); got != img {
		t.Errorf("image %q, want %q", got, img)
	}
	for _, kind := range []string{"CustomResourceDefinition", "ClusterRole", "ServiceAccount", "Namespace"} {
		if !slices.ContainsFunc(objs, func(o *unstructured.Unstructured) bool { return o.GetKind() == kind }) {
			t.Errorf("install.yaml has no %s", kind)
		}
	}
	ensureNamespace(t, namespaceOf(objs))
	dryRunApply(t, objs)
}

// container returns the Deployment's manager container.
func container(t *testing.T, dep *unstructured.Unstructured) map[string]any {
	t.Helper()
	cs, _, _ := unstructured.NestedSlice(dep.Object, "spec", "template", "spec", "containers")
	for _, c := range cs {
		if m := c.(map[string]any); m["name"] == "manager" {
			return m
		}
	}
	t.Fatalf("no manager container in %s", dep.GetName())
	return nil
}
