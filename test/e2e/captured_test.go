//go:build e2e

package e2e

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/serverimage-operator/serverimage-operator/internal/fakecloud"
)

const capturedNS = "e2e-captured"

// TestCapturedWait is the pipeline's use of the capture signal, with the
// exact command a pipeline runs: kubectl wait --for=condition=Captured
// returns while the image still uploads (the application freeze can end
// there), and the server, stopped for the image (consistency Stopped),
// runs again once the object is Ready. The phase column shows where it is.
func TestCapturedWait(t *testing.T) {
	sim := fakecloud.New(fakecloud.Options{QueuedFor: time.Second, SavingFor: 15 * time.Second})
	t.Cleanup(sim.Close)
	srv := sim.AddServer(fakecloud.Server{Name: "db-1"})
	startOperator(t, capturedNS)

	objs := []map[string]any{
		{"apiVersion": "v1", "kind": "Namespace", "metadata": map[string]any{"name": capturedNS}},
		{"apiVersion": "v1", "kind": "Secret", "metadata": map[string]any{"name": "creds", "namespace": capturedNS},
			"stringData": map[string]string{"clouds.yaml": sim.CloudsYAML("mycloud")}},
		{"apiVersion": "images.serverimage.dev/v1alpha1", "kind": "Cloud", "metadata": map[string]any{"name": "mycloud", "namespace": capturedNS},
			"spec": map[string]any{"provider": "OpenStack", "cloudName": "mycloud", "credentialsSecretRef": map[string]any{"name": "creds"}, "pollInterval": "500ms"}},
		{"apiVersion": "images.serverimage.dev/v1alpha1", "kind": "ServerImage", "metadata": map[string]any{"name": "db", "namespace": capturedNS},
			"spec": map[string]any{"cloudRef": map[string]any{"name": "mycloud"}, "serverID": srv.ID, "consistency": "Stopped"}},
	}
	for _, o := range objs {
		b, err := json.Marshal(o)
		if err != nil {
			t.Fatal(err)
		}
		kubectl.run(t, b, "apply", "-f", "-")
	}

	out := kubectl.run(t, nil, "wait", "--for=condition=Captured", "serverimage/db", "-n", capturedNS, "--timeout=60s")
	if !strings.Contains(out, "condition met") {
		t.Fatalf("kubectl wait --for=condition=Captured: %q", out)
	}
	ready := kubectl.run(t, nil, "get", "si", "db", "-n", capturedNS, "-o", `jsonpath={.status.conditions[?(@.type=="Ready")].status}`)
	phase := kubectl.run(t, nil, "get", "si", "db", "-n", capturedNS, "-o", "jsonpath={.status.phase}")
	if ready == "True" || phase != "Uploading" {
		t.Errorf("once Captured: Ready %q, phase %q; want the image still uploading", ready, phase)
	}
	if live, _ := sim.GetServer(srv.ID); live.Status != "SHUTOFF" {
		t.Errorf("server %s while its image uploads, want SHUTOFF (Nova refuses a start until the upload ends)", live.Status)
	}

	kubectl.run(t, nil, "wait", "--for=condition=Ready", "serverimage/db", "-n", capturedNS, "--timeout=120s")
	if live, _ := sim.GetServer(srv.ID); live.Status != "ACTIVE" {
		t.Errorf("server %s once Ready, want ACTIVE", live.Status)
	}
	table := kubectl.run(t, nil, "get", "si", "db", "-n", capturedNS)
	if !strings.Contains(table, "PHASE") || !strings.Contains(table, "Ready") {
		t.Errorf("kubectl get shows no phase column:\n%s", table)
	}
	downtime := kubectl.run(t, nil, "get", "si", "db", "-n", capturedNS, "-o", "jsonpath={.status.power.downtime}")
	if downtime == "" {
		t.Errorf("no status.power.downtime once Ready")
	}
}
