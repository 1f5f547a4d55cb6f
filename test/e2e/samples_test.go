//go:build e2e

package e2e

import (
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/serverimage-operator/serverimage-operator/internal/fakecloud"
	"github.com/serverimage-operator/serverimage-operator/internal/metricstest"
)

const samplesNS = "e2e-samples"

// sample is one provider's Secret + Cloud + ServerImage in config/samples.
type sample struct {
	provider    string
	secret      string
	cloud       string
	serverImage string
	// deleted says whether deleting the ServerImage removes the cloud
	// image (the sample's deletionPolicy).
	deleted bool
	// secretData and cloudSpec point the sample at the simulator.
	secretData func(*fakecloud.Cloud) map[string]string
	cloudSpec  func(*fakecloud.Cloud) map[string]any
}

var samples = []sample{
	{
		provider: "OpenStack", secret: "openstack-credentials", cloud: "mycloud", serverImage: "web-golden", deleted: true,
		secretData: func(s *fakecloud.Cloud) map[string]string {
			return map[string]string{"clouds.yaml": s.CloudsYAML("mycloud")}
		},
		cloudSpec: func(*fakecloud.Cloud) map[string]any { return map[string]any{} },
	},
	{
		provider: "Rackspace", secret: "rackspace-credentials", cloud: "rackspace", serverImage: "web-golden-rackspace", deleted: true,
		secretData: func(s *fakecloud.Cloud) map[string]string {
			return map[string]string{"username": s.RackspaceUsername(), "apiKey": s.RackspaceAPIKey()}
		},
		cloudSpec: func(s *fakecloud.Cloud) map[string]any {
			return map[string]any{"endpoints": map[string]any{"identity": s.RackspaceIdentityURL()}}
		},
	},
	{
		provider: "HuaweiCloud", secret: "huawei-credentials", cloud: "huawei", serverImage: "web-golden-huawei", deleted: false,
		secretData: func(s *fakecloud.Cloud) map[string]string {
			return map[string]string{"accessKey": s.HuaweiAccessKey(), "secretKey": s.HuaweiSecretKey()}
		},
		cloudSpec: func(s *fakecloud.Cloud) map[string]any {
			return map[string]any{
				"region": s.HuaweiRegion(), "projectID": s.HuaweiProjectID(),
				"endpoints": map[string]any{"identity": s.HuaweiIAMURL(), "compute": s.HuaweiECSURL(), "image": s.HuaweiIMSURL()},
			}
		},
	},
	{
		provider: "SamsungCloudPlatform", secret: "scp-credentials", cloud: "scp", serverImage: "web-golden-scp", deleted: false,
		secretData: func(s *fakecloud.Cloud) map[string]string {
			return map[string]string{"accessKey": s.SCPAccessKey(), "secretKey": s.SCPSecretKey()}
		},
		cloudSpec: func(s *fakecloud.Cloud) map[string]any {
			return map[string]any{"endpoints": map[string]any{"compute": s.SCPURL()}}
		},
	},
}

// TestSamples is the user's path with the real kubectl: apply
// config/samples (pointed at the simulator by a kustomization on top),
// wait, look, and delete.
func TestSamples(t *testing.T) {
	sim := fakecloud.New(fakecloud.Options{QueuedFor: time.Second, SavingFor: 2 * time.Second})
	t.Cleanup(sim.Close)
	servers := map[string]string{}
	for _, s := range samples {
		servers[s.serverImage] = sim.AddServer(fakecloud.Server{Name: s.provider}).ID
	}
	op := startOperator(t, samplesNS)

	dir := writeSamplesOverlay(t, sim, servers)
	kubectl.run(t, nil, "apply", "-k", dir)

	for _, s := range samples {
		t.Run("wait/"+s.provider, func(t *testing.T) {
			out := kubectl.run(t, nil, "wait", "--for=condition=Ready", "serverimage/"+s.serverImage, "-n", samplesNS, "--timeout=120s")
			if !strings.Contains(out, "condition met") {
				t.Errorf("kubectl wait: %q", out)
			}
		})
	}
	if t.Failed() {
		t.Fatalf("not Ready; operator log:\n%s", op.log())
	}

	t.Run("get si shows the printer columns", func(t *testing.T) {
		for _, wide := range []bool{false, true} {
			args := []string{"get", "si", "-n", samplesNS}
			wantHeader := []string{"NAME", "CLOUD", "SERVER", "IMAGE ID", "IMAGE STATUS", "PHASE", "READY", "AGE"}
			if wide {
				args = append(args, "-o", "wide")
				wantHeader = []string{"NAME", "CLOUD", "SERVER", "IMAGE ID", "IMAGE STATUS", "PHASE", "READY", "REASON", "AGE"}
			}
			rows := table(kubectl.run(t, nil, args...))
			if strings.Join(rows[0], "|") != strings.Join(wantHeader, "|") {
				t.Fatalf("header %q, want %q", rows[0], wantHeader)
			}
			byName := map[string][]string{}
			for _, r := range rows[1:] {
				byName[r[0]] = r
			}
			for _, s := range samples {
				r := byName[s.serverImage]
				imageID := kubectl.run(t, nil, "get", "si", s.serverImage, "-n", samplesNS, "-o", "jsonpath={.status.imageID}")
				want := []string{s.serverImage, s.cloud, servers[s.serverImage], imageID, "", "Ready", "True"}
				if wide {
					want = append(want, "ImageActive")
				}
				if len(r) != len(wantHeader) || imageID == "" {
					t.Fatalf("row %q (image ID %q)", r, imageID)
				}
				for i, w := range want {
					if w != "" && r[i] != w {
						t.Errorf("%s: column %s = %q, want %q", s.serverImage, wantHeader[i], r[i], w)
					}
				}
				// The cloud's own status word: Glance says active, Huawei
				// IMS and SCP their own.
				if !regexp.MustCompile(`(?i)^active$`).MatchString(r[4]) {
					t.Errorf("%s: IMAGE STATUS %q", s.serverImage, r[4])
				}
			}
		}
	})

	t.Run("the singular name names the kind", func(t *testing.T) {
		// What the README and users type: kubectl annotate serverimage
		// NAME ..., kubectl describe serverimage NAME. A CRD category of
		// the same name makes kubectl expand it to every kind in the
		// category ("you must specify only one resource").
		for _, args := range [][]string{
			{"get", "serverimage", "web-golden", "-n", samplesNS, "-o", "name"},
			{"get", "cloud", "mycloud", "-n", samplesNS, "-o", "name"},
		} {
			out, errOut, err := kubectl.try(nil, args...)
			if err != nil || strings.Count(out, "\n") != 1 {
				t.Errorf("kubectl %s: %v %s%s", strings.Join(args, " "), err, out, errOut)
			}
		}
	})

	t.Run("describe shows the Events", func(t *testing.T) {
		out := kubectl.run(t, nil, "describe", "si", "web-golden", "-n", samplesNS)
		events := out[strings.Index(out, "Events:"):]
		for _, reason := range []string{"ImageSaving", "ImageActive"} {
			if !regexp.MustCompile(`Normal\s+` + reason + `\s`).MatchString(events) {
				t.Errorf("no Normal %s event in:\n%s", reason, events)
			}
		}
	})

	t.Run("no drift after the operator ran", func(t *testing.T) {
		// The operator writes status only: a spec it rewrote (an Update
		// re-serializes spec.timeout "1h" as "1h0m0s") shows as a
		// generation above 1, and as permanent drift to Argo CD and Flux.
		for _, s := range samples {
			for kind, name := range map[string]string{"serverimages": s.serverImage, "clouds": s.cloud} {
				gen := kubectl.run(t, nil, "get", kind, name, "-n", samplesNS, "-o", "jsonpath={.metadata.generation}")
				if gen != "1" {
					t.Errorf("%s %s has generation %s after one apply: the operator wrote its spec (add finalizers with a patch, not an Update)", kind, name, gen)
				}
			}
		}
		// kubectl diff asks the server what applying again would change:
		// nothing, because the operator writes only status (no defaults
		// in the spec, no spec mutations). Exit code 1 means a diff.
		out, errOut, err := kubectl.try(nil, "diff", "-k", dir)
		if err != nil {
			t.Errorf("kubectl diff -k reports drift (%v):\n%s%s", err, out, errOut)
		}
	})

	t.Run("JSON logs carry object, Cloud and image", func(t *testing.T) {
		checkCreateLog(t, op.log(), samplesNS, "web-golden", "mycloud")
	})

	t.Run("metrics by provider", func(t *testing.T) {
		families, err := metricstest.Scrape(op.metricsAddr)
		if err != nil {
			t.Fatal(err)
		}
		for _, state := range []string{"Ready", "Reconciling", "Stalled"} {
			if metricstest.Sample(families["serverimage_serverimages"], map[string]string{"state": state}) == nil {
				t.Errorf("no serverimage_serverimages{state=%q}: is controllers.AddStateMetrics wired into controllers.Setup?", state)
			}
		}
		for _, s := range samples {
			if metricstest.Sample(families["serverimage_cloud_requests_total"], map[string]string{"provider": s.provider, "operation": "createImage"}) == nil {
				t.Errorf("no serverimage_cloud_requests_total for %s createImage", s.provider)
			}
			if metricstest.Sample(families["serverimage_image_time_to_active_seconds"], map[string]string{"provider": s.provider}) == nil {
				t.Errorf("no serverimage_image_time_to_active_seconds for %s", s.provider)
			}
		}
	})

	for _, s := range samples {
		t.Run("delete/"+s.provider, func(t *testing.T) {
			imageID := kubectl.run(t, nil, "get", "si", s.serverImage, "-n", samplesNS, "-o", "jsonpath={.status.imageID}")
			kubectl.run(t, nil, "delete", "si", s.serverImage, "-n", samplesNS, "--timeout=60s")
			if _, _, err := kubectl.try(nil, "get", "si", s.serverImage, "-n", samplesNS); err == nil {
				t.Fatal("still there after kubectl delete returned")
			}
			_, exists := sim.Image(imageID)
			if exists == s.deleted {
				t.Errorf("cloud image %s exists = %v after delete, want %v (deletionPolicy of the sample)", imageID, exists, !s.deleted)
			}
		})
	}
}

// writeSamplesOverlay writes a kustomization that uses config/samples as
// is and patches credentials, endpoints and server IDs to the simulator's.
func writeSamplesOverlay(t *testing.T, sim *fakecloud.Cloud, servers map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	var patches []map[string]any
	for _, s := range samples {
		spec := s.cloudSpec(sim)
		spec["pollInterval"] = "500ms"
		patches = append(patches,
			smp("v1", "Secret", s.secret, map[string]any{"stringData": s.secretData(sim)}),
			smp("images.serverimage.dev/v1alpha1", "Cloud", s.cloud, map[string]any{"spec": spec}),
			smp("images.serverimage.dev/v1alpha1", "ServerImage", s.serverImage, map[string]any{"spec": map[string]any{"serverID": servers[s.serverImage]}}),
		)
	}
	// kustomize takes bases by relative path only.
	samplesDir, err := filepath.Rel(dir, filepath.Join(root, "config", "samples"))
	if err != nil {
		t.Fatal(err)
	}
	k := map[string]any{
		"apiVersion": "kustomize.config.k8s.io/v1beta1",
		"kind":       "Kustomization",
		"namespace":  samplesNS,
		"resources":  []string{"namespace.yaml", samplesDir},
		"patches":    patches,
	}
	writeJSON(t, filepath.Join(dir, "kustomization.yaml"), k)
	writeJSON(t, filepath.Join(dir, "namespace.yaml"), map[string]any{
		"apiVersion": "v1", "kind": "Namespace", "metadata": map[string]any{"name": samplesNS},
	})
	return dir
}

// smp is an inline strategic-merge patch (JSON is YAML).
func smp(apiVersion, kind, name string, body map[string]any) map[string]any {
	body["apiVersion"], body["kind"], body["metadata"] = apiVersion, kind, map[string]any{"name": name}
	b, _ := json.Marshal(body)
	return map[string]any{"patch": string(b)}
}

func writeJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// table splits kubectl's column output: columns are separated by at least
// two spaces (headers such as "IMAGE ID" contain one).
func table(out string) [][]string {
	var rows [][]string
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		rows = append(rows, regexp.MustCompile(`\s{2,}`).Split(strings.TrimSpace(l), -1))
	}
	return rows
}

// operatorProcess is the manager binary running against the control plane.
type operatorProcess struct {
	metricsAddr string
	logPath     string
}

func (o *operatorProcess) log() string {
	b, _ := os.ReadFile(o.logPath)
	return string(b)
}

func startOperator(t *testing.T, namespace string, extraArgs ...string) *operatorProcess {
	t.Helper()
	o := &operatorProcess{metricsAddr: freeAddr(t), logPath: filepath.Join(t.TempDir(), "operator.log")}
	logFile, err := os.Create(o.logPath)
	if err != nil {
		t.Fatal(err)
	}
	// As deployed, except: one replica without leader election, and
	// metrics in plain HTTP on loopback for the test to scrape. It runs as
	// its ServiceAccount with the generated role only (rbac_test.go).
	kubeconfig := kubeconfigAsOperator(t)
	cmd := exec.Command(operatorBin, append([]string{
		"--leader-elect=false",
		"--metrics-secure=false",
		"--metrics-bind-address=" + o.metricsAddr,
		"--health-probe-bind-address=" + freeAddr(t),
		"--watch-namespaces=" + namespace,
		"--zap-encoder=json",
	}, extraArgs...)...)
	cmd.Env = append(os.Environ(), "KUBECONFIG="+kubeconfig)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		logFile.Close()
	})
	return o
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// checkCreateLog finds the JSON log line of the accepted createImage and
// checks that it names the object, its Cloud and the image.
func checkCreateLog(t *testing.T, logs, namespace, name, cloud string) {
	t.Helper()
	for _, line := range strings.Split(logs, "\n") {
		var e map[string]any
		if json.Unmarshal([]byte(line), &e) != nil || e["msg"] != "createImage accepted" || e["name"] != name {
			continue
		}
		obj, _ := e["ServerImage"].(map[string]any)
		if e["namespace"] != namespace || obj["name"] != name || obj["namespace"] != namespace {
			t.Errorf("object key missing: %s", line)
		}
		if e["cloud"] != cloud {
			t.Errorf("cloud missing: %s", line)
		}
		if id, _ := e["imageID"].(string); id == "" {
			t.Errorf("imageID missing: %s", line)
		}
		return
	}
	t.Errorf("no JSON line %q for %s/%s in the operator log:\n%s", "createImage accepted", namespace, name, logs)
}
