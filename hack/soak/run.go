package main

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"time"

	eventsv1 "k8s.io/api/events/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
	"github.com/serverimage-operator/serverimage-operator/hack/internal/stage"
	"github.com/serverimage-operator/serverimage-operator/internal/fakecloud"
	"github.com/serverimage-operator/serverimage-operator/internal/kubetest"
	"github.com/serverimage-operator/serverimage-operator/internal/localenv"
	"github.com/serverimage-operator/serverimage-operator/internal/operatorproc"
)

const cloudName = "soak"

// run sets the stage, applies the ServerImages in waves (one wave per
// operator process, each process killed while it creates), waits for every
// object to be Ready and checks the simulator's images.
func run(ctx context.Context, cfg config) (*result, error) {
	start := time.Now()
	root, err := localenv.RepoRoot()
	if err != nil {
		return nil, err
	}
	state := filepath.Join(root, "bin", "soak")
	if err := os.MkdirAll(state, 0o755); err != nil {
		return nil, err
	}
	bin := filepath.Join(state, "manager")
	fmt.Fprintln(os.Stderr, "soak: building the operator binary")
	if err := operatorproc.Build(root, bin); err != nil {
		return nil, err
	}
	fmt.Fprintln(os.Stderr, "soak: starting the local control plane")
	env, err := localenv.Start(root, state)
	if err != nil {
		return nil, err
	}
	defer func() { _ = env.Stop() }()

	c, _, err := stage.Client(env, kubetest.NewScheme(), 500, 1000)
	if err != nil {
		return nil, err
	}
	ns, err := stage.Namespace(ctx, c, "soak")
	if err != nil {
		return nil, err
	}

	sim := fakecloud.New(fakecloud.Options{QueuedFor: cfg.build / 5, SavingFor: cfg.build * 4 / 5, TokenTTL: 24 * time.Hour})
	defer sim.Close()
	sim.SetFaultSeed(cfg.seed)
	servers := stage.Servers(sim, cfg.n)
	if err := stage.Cloud(ctx, c, ns, cloudName, sim, cfg.poll, nil); err != nil {
		return nil, err
	}
	injectFaults(sim, cfg)

	res := &result{cfg: cfg, objects: cfg.n}
	rng := rand.New(rand.NewPCG(cfg.seed, 1))
	var proc *operatorproc.Process
	defer func() {
		if proc != nil {
			_ = proc.Stop()
		}
	}()
	applied := time.Now()
	for k, wave := range waves(cfg.n, cfg.restarts+1) {
		logPath := filepath.Join(state, fmt.Sprintf("operator-%d.log", k))
		if proc, err = startOperator(bin, env.Kubeconfig, logPath, ns, cfg); err != nil {
			return res, err
		}
		res.logs = append(res.logs, logPath)
		creates := sim.Calls(fakecloud.OpCreateImage)
		if err := createServerImages(ctx, c, ns, servers, wave); err != nil {
			return res, err
		}
		if k == cfg.restarts {
			break
		}
		// Kill while this process creates: after its first createImage
		// call, at a random moment within the next second and a half.
		if err := waitCalls(ctx, sim, fakecloud.OpCreateImage, creates+1); err != nil {
			return res, fmt.Errorf("process %d never called createImage: %w (see %s)", k, err, logPath)
		}
		time.Sleep(time.Duration(rng.Int64N(int64(1500 * time.Millisecond))))
		if err := proc.Kill(); err != nil {
			return res, err
		}
		proc = nil
		res.restarts++
		fmt.Fprintf(os.Stderr, "soak: killed the operator (SIGKILL) %d of %d\n", res.restarts, cfg.restarts)
	}
	readyErr := waitAllReady(ctx, c, ns, cfg.n, res)
	res.finish(sim, start, applied)
	// The images are checked whether or not everything got Ready: a
	// duplicate is worth reporting either way. The soak's deadline may be
	// spent, so the last list gets its own.
	lctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	list := &imagesv1.ServerImageList{}
	if err := c.List(lctx, list, client.InNamespace(ns)); err != nil {
		return res, errors.Join(readyErr, err)
	}
	res.adoptions = countEvents(lctx, c, ns, "Adopted")
	return res, errors.Join(readyErr, res.check(list.Items, sim.Images()))
}

// countEvents counts the namespace's Events with reason (-1 when they
// cannot be listed): Adopted is an image found by key instead of created.
func countEvents(ctx context.Context, c client.Client, ns, reason string) int {
	var list eventsv1.EventList
	if err := c.List(ctx, &list, client.InNamespace(ns)); err != nil {
		return -1
	}
	n := 0
	for _, e := range list.Items {
		if e.Reason == reason {
			n++
		}
	}
	return n
}

// waves splits n objects into k nearly equal consecutive index ranges.
func waves(n, k int) [][]int {
	out := make([][]int, 0, k)
	for i := 0; i < k; i++ {
		lo, hi := i*n/k, (i+1)*n/k
		var w []int
		for j := lo; j < hi; j++ {
			w = append(w, j)
		}
		out = append(out, w)
	}
	return out
}

// startOperator runs the manager binary. Leader election is off: each
// process is dead (SIGKILL, waited for) before the next starts, so there
// is never a second replica to elect against, and a killed leader's lease
// would only add its 15 s expiry to every restart. Two replicas with
// leader election are tested in test/ha.
func startOperator(bin, kubeconfig, logPath, ns string, cfg config) (*operatorproc.Process, error) {
	return operatorproc.Start(bin, kubeconfig, logPath,
		"--leader-elect=false",
		"--metrics-bind-address=0",
		"--health-probe-bind-address=0",
		"--watch-namespaces="+ns,
		"--max-concurrent-reconciles="+strconv.Itoa(cfg.workers),
	)
}

func createServerImages(ctx context.Context, c client.Client, ns string, servers []string, idx []int) error {
	for _, i := range idx {
		si := &imagesv1.ServerImage{
			ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: fmt.Sprintf("img-%05d", i)},
			Spec: imagesv1.ServerImageSpec{
				CloudRef: imagesv1.CloudReference{Name: cloudName},
				ServerID: servers[i],
			},
		}
		if err := c.Create(ctx, si); err != nil {
			return err
		}
	}
	return nil
}

func waitCalls(ctx context.Context, sim *fakecloud.Cloud, op fakecloud.Op, n int) error {
	for sim.Calls(op) < n {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
	return nil
}
