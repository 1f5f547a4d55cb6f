package controllers_test

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	eventsv1 "k8s.io/api/events/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
	"github.com/serverimage-operator/serverimage-operator/internal/fakecloud"
)

// leakCase is one provider with one kind of credential: how to make the
// Secret (with the simulator's right credentials, or distinctive wrong
// ones), how to point a Cloud at the simulator, and which values are
// secret.
type leakCase struct {
	name string
	// opts gives the simulator distinctive credentials where it can take
	// them (OpenStack passwords; the Rackspace API key derives from the
	// password; Huawei and SCP keys are the simulator's own).
	opts   fakecloud.Options
	secret func(sim *fakecloud.Cloud) map[string]string
	// wrong is secret with the secret value replaced by wrongValue.
	wrong      func(sim *fakecloud.Cloud) map[string]string
	wrongValue string
	cloud      func(sim *fakecloud.Cloud) func(*imagesv1.Cloud)
	// secrets are the values of secret that must never show.
	secrets func(sim *fakecloud.Cloud) []string
}

func openStackCloud(*fakecloud.Cloud) func(*imagesv1.Cloud) {
	return func(c *imagesv1.Cloud) {
		c.Spec.Provider = imagesv1.ProviderOpenStack
		c.Spec.CloudName = "sim"
	}
}

func scpCloud(sim *fakecloud.Cloud) func(*imagesv1.Cloud) {
	return func(c *imagesv1.Cloud) {
		c.Spec.Provider = imagesv1.ProviderSamsungCloudPlatform
		c.Spec.Region = "kr-west1"
		c.Spec.Endpoints = &imagesv1.CloudEndpoints{Compute: sim.SCPURL()}
	}
}

// with returns m with key set to v.
func with(m map[string]string, key, v string) map[string]string {
	m[key] = v
	return m
}

var leakCases = []leakCase{
	{
		name: "OpenStack password",
		opts: fakecloud.Options{Password: "pw-LEAKCHECK-3f9a1c7e-openstack"},
		secret: func(sim *fakecloud.Cloud) map[string]string {
			return map[string]string{"clouds.yaml": sim.CloudsYAML("sim")}
		},
		wrong: func(sim *fakecloud.Cloud) map[string]string {
			y := strings.ReplaceAll(sim.CloudsYAML("sim"), sim.Options().Password, "wrong-pw-LEAKCHECK-51c2d8")
			return map[string]string{"clouds.yaml": y}
		},
		wrongValue: "wrong-pw-LEAKCHECK-51c2d8",
		cloud:      openStackCloud,
		secrets:    func(sim *fakecloud.Cloud) []string { return []string{sim.Options().Password} },
	},
	{
		name: "OpenStack application credential",
		opts: fakecloud.Options{AppCredSecret: "ac-LEAKCHECK-b41e0d95-appcred"},
		secret: func(sim *fakecloud.Cloud) map[string]string {
			return map[string]string{"clouds.yaml": sim.AppCredCloudsYAML("sim")}
		},
		wrong: func(sim *fakecloud.Cloud) map[string]string {
			y := strings.ReplaceAll(sim.AppCredCloudsYAML("sim"), sim.Options().AppCredSecret, "wrong-ac-LEAKCHECK-7e20aa")
			return map[string]string{"clouds.yaml": y}
		},
		wrongValue: "wrong-ac-LEAKCHECK-7e20aa",
		cloud:      openStackCloud,
		secrets:    func(sim *fakecloud.Cloud) []string { return []string{sim.Options().AppCredSecret} },
	},
	{
		name:   "Rackspace API key",
		opts:   fakecloud.Options{Password: "rax-pw-LEAKCHECK-c0ffee11"},
		secret: rackspaceSecret,
		wrong: func(sim *fakecloud.Cloud) map[string]string {
			return with(rackspaceSecret(sim), "apiKey", "0badc0de1eak0badc0de1eak0badc0de")
		},
		wrongValue: "0badc0de1eak0badc0de1eak0badc0de",
		cloud:      rackspaceCloud,
		secrets:    func(sim *fakecloud.Cloud) []string { return []string{sim.RackspaceAPIKey()} },
	},
	{
		name:   "Huawei secret key",
		secret: huaweiAKSK,
		wrong: func(sim *fakecloud.Cloud) map[string]string {
			return with(huaweiAKSK(sim), "secretKey", "WRONGLEAKCHECKSECRETKEY0123456789ABCDEF")
		},
		wrongValue: "WRONGLEAKCHECKSECRETKEY0123456789ABCDEF",
		cloud:      huaweiCloud,
		secrets:    func(sim *fakecloud.Cloud) []string { return []string{sim.HuaweiSecretKey()} },
	},
	{
		name: "SCP secret key",
		secret: func(sim *fakecloud.Cloud) map[string]string {
			return map[string]string{"accessKey": sim.SCPAccessKey(), "secretKey": sim.SCPSecretKey()}
		},
		wrong: func(sim *fakecloud.Cloud) map[string]string {
			return map[string]string{"accessKey": sim.SCPAccessKey(), "secretKey": "wrong-scp-LEAKCHECK-secret-9d41"}
		},
		wrongValue: "wrong-scp-LEAKCHECK-secret-9d41",
		cloud:      scpCloud,
		secrets:    func(sim *fakecloud.Cloud) []string { return []string{sim.SCPSecretKey()} },
	},
}

// echoOps are the operations whose error answers echo the credentials.
var echoOps = []fakecloud.Op{
	fakecloud.OpAuth, fakecloud.OpGetServer, fakecloud.OpCreateImage,
	fakecloud.OpListImages, fakecloud.OpGetImage,
}

// echo is an error message of a cloud (or a proxy in front of it) that
// repeats the caller's credentials: the driver must not pass them on.
func echo(secrets []string) string {
	return "request rejected; received credentials " + strings.Join(secrets, " / ") + " (echoed by the gateway)"
}

// TestSecretsNeverLeak runs the error paths of every provider with
// distinctive credentials while the cloud echoes them in its error
// messages: transient failures on every operation, a Forbidden server, a
// failing delete, and a Cloud with wrong credentials. No secret value may
// appear in the manager's logs, in any Event, or in any status (conditions
// included) observed along the way.
func TestSecretsNeverLeak(t *testing.T) {
	t.Parallel()
	for _, lc := range leakCases {
		t.Run(lc.name, func(t *testing.T) {
			t.Parallel()
			runLeakCase(t, lc)
		})
	}
}

func runLeakCase(t *testing.T, lc leakCase) {
	opts := lc.opts
	opts.QueuedFor, opts.SavingFor = 100*time.Millisecond, 100*time.Millisecond
	sim := fakecloud.New(opts)
	t.Cleanup(sim.Close)
	secrets := lc.secrets(sim)
	for _, op := range echoOps {
		sim.InjectFault(fakecloud.Fault{Op: op, Status: 500, Message: echo(secrets)})
	}
	s := &scenario{t: t, sim: sim, ns: newNamespace(t), cloud: "good"}
	watch := watchStatuses(t, s.ns)

	s.createCloudWith(s.cloud, lc.secret(sim), lc.cloud(sim))
	s.waitCloudReady(s.cloud)

	// Transient echoes on the way to Ready.
	ok := s.sim.AddServer(fakecloud.Server{})
	s.serverImage("ok", ok.ID, func(si *imagesv1.ServerImage) { si.Spec.DeletionPolicy = imagesv1.DeletionPolicyDelete })
	s.waitReady("ok")

	// A terminal echo: the server is forbidden.
	forbidden := s.sim.AddServer(fakecloud.Server{})
	s.sim.InjectFault(fakecloud.Fault{Op: fakecloud.OpGetServer, ServerID: forbidden.ID, Status: 403, Message: echo(secrets), Times: 1000})
	s.serverImage("forbidden", forbidden.ID)
	s.waitCondition("forbidden", imagesv1.ConditionStalled, imagesv1.ReasonForbidden)
	s.waitEvent("forbidden", "Warning", imagesv1.ReasonForbidden)

	// A failing delete, then a successful one.
	s.sim.InjectFault(fakecloud.Fault{Op: fakecloud.OpDeleteImage, Status: 503, Message: echo(secrets)})
	if err := k8s.Delete(context.Background(), s.get("ok")); err != nil {
		t.Fatal(err)
	}
	s.waitGone("ok")

	// Wrong credentials, echoed by a cloud that refuses them.
	bad := fakecloud.New(opts)
	t.Cleanup(bad.Close)
	for _, op := range append(echoOps, fakecloud.OpDeleteImage) {
		bad.InjectFault(fakecloud.Fault{Op: op, Status: 401, Message: echo([]string{lc.wrongValue}), Times: 1000})
	}
	s.createCloudWith("bad", lc.wrong(bad), lc.cloud(bad))
	s.waitCloudNotReady("bad", imagesv1.ReasonAuthenticationFailed)
	waiting := bad.AddServer(fakecloud.Server{})
	s.serverImage("waiting", waiting.ID, func(si *imagesv1.ServerImage) { si.Spec.CloudRef.Name = "bad" })
	s.waitCondition("waiting", imagesv1.ConditionReconciling, imagesv1.ReasonCloudNotReady)
	s.waitEvent("bad", "Warning", imagesv1.ReasonAuthenticationFailed)

	seen := watch.stop()
	evs := namespaceEvents(t, s.ns)
	logs := logSink.String()
	for _, secret := range append(secrets, lc.wrongValue) {
		for where, text := range map[string]string{"manager logs": logs, "Events": evs, "statuses": seen} {
			if strings.Contains(text, secret) {
				t.Errorf("secret value %q appears in the %s:\n%s", secret, where, around(text, secret))
			}
		}
	}
	// The checks above would pass on empty text: make sure the error
	// paths ran and were recorded, with the secrets redacted.
	for _, want := range []string{"HTTP 500", "HTTP 403", "HTTP 401", "[redacted]"} {
		if !strings.Contains(seen+evs, want) {
			t.Errorf("no status or Event mentions %q: the error paths did not run as intended", want)
		}
	}
}

// statusWatch snapshots the statuses of every Cloud and ServerImage of a
// namespace while a test runs, so that conditions that came and went are
// scanned too.
type statusWatch struct {
	stopCh chan struct{}
	done   chan struct{}
	mu     sync.Mutex
	seen   map[string]bool
	ns     string
}

func watchStatuses(t *testing.T, ns string) *statusWatch {
	w := &statusWatch{stopCh: make(chan struct{}), done: make(chan struct{}), seen: map[string]bool{}, ns: ns}
	go func() {
		defer close(w.done)
		for {
			w.snapshot()
			select {
			case <-w.stopCh:
				w.snapshot()
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	t.Cleanup(func() {
		select {
		case <-w.done:
		default:
			w.stop()
		}
	})
	return w
}

func (w *statusWatch) snapshot() {
	ctx := context.Background()
	var clouds imagesv1.CloudList
	var images imagesv1.ServerImageList
	if k8s.List(ctx, &clouds, client.InNamespace(w.ns)) != nil || k8s.List(ctx, &images, client.InNamespace(w.ns)) != nil {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, c := range clouds.Items {
		w.add(c.Status)
	}
	for _, si := range images.Items {
		w.add(si.Status)
	}
}

func (w *statusWatch) add(status any) {
	b, err := json.Marshal(status)
	if err == nil {
		w.seen[string(b)] = true
	}
}

// stop ends the watch and returns every distinct status seen.
func (w *statusWatch) stop() string {
	close(w.stopCh)
	<-w.done
	w.mu.Lock()
	defer w.mu.Unlock()
	var b strings.Builder
	for s := range w.seen {
		b.WriteString(s)
		b.WriteByte('\n')
	}
	return b.String()
}

// namespaceEvents is every Event of the namespace, all fields, as JSON.
func namespaceEvents(t *testing.T, ns string) string {
	t.Helper()
	var list eventsv1.EventList
	if err := k8s.List(context.Background(), &list, client.InNamespace(ns)); err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(list.Items)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// around shows the leak in context.
func around(text, secret string) string {
	i := strings.Index(text, secret)
	lo, hi := max(0, i-200), min(len(text), i+len(secret)+200)
	return text[lo:hi]
}
