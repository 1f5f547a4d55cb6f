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

// openStackAppCred is OpenStack with an application credential: the
// leak checks run it besides the table's providers.
var openStackAppCred = func() provider {
	p := openStack
	p.name = "OpenStack application credential"
	p.password = ""
	p.secret = func(sim *fakecloud.Cloud) map[string]string { return cloudsYAML(sim.AppCredCloudsYAML("sim")) }
	p.wrong = func(sim *fakecloud.Cloud, v string) map[string]string {
		return cloudsYAML(strings.ReplaceAll(sim.AppCredCloudsYAML("sim"), sim.Options().AppCredSecret, v))
	}
	p.wrongValue = "wrong-ac-LEAKCHECK-7e20aa"
	p.secrets = func(sim *fakecloud.Cloud) []string { return []string{sim.Options().AppCredSecret} }
	return p
}()

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
	for _, p := range append(providers, openStackAppCred) {
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			runLeakCase(t, p)
		})
	}
}

func runLeakCase(t *testing.T, p provider) {
	opts := fakecloud.Options{QueuedFor: 100 * time.Millisecond, SavingFor: 100 * time.Millisecond, Password: p.password,
		// Distinctive, so that a leak of it can be searched for.
		AppCredSecret: "ac-LEAKCHECK-b41e0d95-appcred"}
	s := p.startWithout(t, opts)
	sim := s.sim
	secrets := p.secrets(sim)
	for _, op := range echoOps {
		sim.InjectFault(fakecloud.Fault{Op: op, Status: 500, Message: echo(secrets)})
	}
	watch := watchStatuses(t, s.Name)

	s.CreateCloud(s.cloud, p.secret(sim), p.cloud(sim))
	s.WaitCloudReady(s.cloud)

	// Transient echoes on the way to Ready.
	s.readyImage("ok", deleteWithImage)

	// A terminal echo: the server is forbidden.
	forbidden := s.sim.AddServer(fakecloud.Server{})
	s.sim.InjectFault(fakecloud.Fault{Op: fakecloud.OpCreateImage, ServerID: forbidden.ID, Status: 403, Message: echo(secrets), Times: 1000})
	s.serverImage("forbidden", forbidden.ID)
	s.WaitCondition("forbidden", imagesv1.ConditionStalled, imagesv1.ReasonForbidden)
	s.WaitEvent("forbidden", "Warning", imagesv1.ReasonForbidden)

	// A failing delete, then a successful one.
	s.sim.InjectFault(fakecloud.Fault{Op: fakecloud.OpDeleteImage, Status: 503, Message: echo(secrets)})
	s.Delete(s.ServerImage("ok"))
	s.WaitServerImageGone("ok")

	// Wrong credentials, echoed by a cloud that refuses them.
	bad := fakecloud.New(opts)
	t.Cleanup(bad.Close)
	for _, op := range append(echoOps, fakecloud.OpDeleteImage) {
		bad.InjectFault(fakecloud.Fault{Op: op, Status: 401, Message: echo([]string{p.wrongValue}), Times: 1000})
	}
	s.CreateCloud("bad", p.wrong(bad, p.wrongValue), p.cloud(bad))
	s.WaitCloudNotReady("bad", imagesv1.ReasonAuthenticationFailed)
	waiting := bad.AddServer(fakecloud.Server{})
	s.serverImage("waiting", waiting.ID, func(si *imagesv1.ServerImage) { si.Spec.CloudRef.Name = "bad" })
	s.WaitCondition("waiting", imagesv1.ConditionReconciling, imagesv1.ReasonCloudNotReady)
	s.WaitEvent("bad", "Warning", imagesv1.ReasonAuthenticationFailed)

	seen := watch.stop()
	evs := namespaceEvents(t, s.Name)
	logs := logSink.String()
	for _, secret := range append(secrets, p.wrongValue) {
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
