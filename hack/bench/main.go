// Command bench measures the operator at scale against the simulator:
// N ServerImages on one Cloud, the real operator binary as a process, a
// local control plane. It prints one table row per N.
//
//	go run ./hack/bench -n 100,1000,5000            # make bench
//	go run ./hack/bench -n 1000 -mode per-object    # batching off, to compare
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/go-logr/logr"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/serverimage-operator/serverimage-operator/controllers"
	"github.com/serverimage-operator/serverimage-operator/internal/localenv"
)

type config struct {
	sizes     []int
	build     time.Duration
	poll      time.Duration
	mode      string
	workers   int
	rateLimit string
	restart   bool
	timeout   time.Duration
	// profile writes CPU profiles of the operator and of the bench
	// process (the simulator runs in it) over the create phase.
	profile bool
}

func main() {
	var cfg config
	var sizes string
	flag.StringVar(&sizes, "n", "100,1000,5000", "comma-separated numbers of ServerImages, one run each")
	flag.DurationVar(&cfg.build, "build", 60*time.Second, "simulated image build time (queued 10%, saving 90%)")
	flag.DurationVar(&cfg.poll, "poll", 5*time.Second, "the Cloud's pollInterval")
	flag.StringVar(&cfg.mode, "mode", "batch", "batch (default) or per-object (one GET per image per poll)")
	flag.IntVar(&cfg.workers, "workers", controllers.DefaultMaxConcurrentReconciles, "operator --max-concurrent-reconciles (the operator's default)")
	flag.StringVar(&cfg.rateLimit, "rate-limit", "", "the Cloud's rateLimit.requestsPerSecond (off when empty)")
	flag.BoolVar(&cfg.restart, "restart", true, "also measure a restart with N Ready objects")
	flag.DurationVar(&cfg.timeout, "timeout", 15*time.Minute, "give up on one run after this long")
	flag.BoolVar(&cfg.profile, "profile", false, "write CPU profiles of the operator and of the simulator over the first 8 s after the apply into bin/bench/")
	flag.Parse()
	// The bench's own informer logs nothing worth reading.
	ctrllog.SetLogger(logr.Discard())
	for _, s := range strings.Split(sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n <= 0 {
			fmt.Fprintf(os.Stderr, "bad -n value %q\n", s)
			os.Exit(2)
		}
		cfg.sizes = append(cfg.sizes, n)
	}
	if cfg.mode != "batch" && cfg.mode != "per-object" {
		fmt.Fprintln(os.Stderr, "-mode is batch or per-object")
		os.Exit(2)
	}
	if err := run(cfg); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(cfg config) error {
	root, err := localenv.RepoRoot()
	if err != nil {
		return err
	}
	state := filepath.Join(root, "bin", "bench")
	bin := filepath.Join(state, "manager")
	fmt.Fprintln(os.Stderr, "building the operator binary")
	if err := buildOperator(root, bin); err != nil {
		return err
	}
	fmt.Fprintln(os.Stderr, "starting the local control plane")
	env, err := localenv.Start(root, state)
	if err != nil {
		return err
	}
	defer func() { _ = env.Stop() }()

	fmt.Printf("mode=%s build=%s poll=%s workers=%d rateLimit=%q cores=%d\n\n", cfg.mode, cfg.build, cfg.poll, cfg.workers, cfg.rateLimit, numCPU())
	printHeader()
	for _, n := range cfg.sizes {
		ctx, cancel := context.WithTimeout(context.Background(), cfg.timeout)
		res, err := runOne(ctx, cfg, env, bin, state, n)
		cancel()
		if err != nil {
			return fmt.Errorf("N=%d: %w", n, err)
		}
		printRow(res)
	}
	printLegend()
	return nil
}
