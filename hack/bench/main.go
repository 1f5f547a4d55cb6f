// Command bench measures the operator at scale against the simulator:
// N ServerImages on one Cloud, the real operator binary as a process, a
// local control plane. It prints one table row per polling mode, apply
// mode and N.
//
//	go run ./hack/bench -n 100,1000,5000                      # make bench
//	go run ./hack/bench -n 1000 -mode batch,per-object         # batching on and off, side by side
//	go run ./hack/bench -n 1000 -apply none,client,server      # what the objects carry
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
	modes     []string
	applies   []string
	build     time.Duration
	poll      time.Duration
	workers   int
	rateLimit string
	restart   bool
	timeout   time.Duration
	// profile writes CPU profiles of the operator and of the bench
	// process (the simulator runs in it) over the create phase.
	profile bool

	// mode and apply are the current run's, one of modes and of applies.
	mode, apply string
}

func main() {
	var cfg config
	var sizes, modes, applies string
	flag.StringVar(&sizes, "n", "100,1000,5000", "comma-separated numbers of ServerImages, one run each")
	flag.StringVar(&modes, "mode", "batch", "comma-separated polling modes, one run each: batch (default: ID-batched reads), per-object (one GET per image per poll), feed (the change feed where the cloud has one)")
	flag.StringVar(&applies, "apply", applyClient, "comma-separated ways to write the objects, one run each: none (plain creates), client (kubectl apply's last-applied annotation), server (server-side apply, managed fields of field manager kubectl)")
	flag.DurationVar(&cfg.build, "build", 60*time.Second, "simulated image build time (queued 10%, saving 90%)")
	flag.DurationVar(&cfg.poll, "poll", 5*time.Second, "the Cloud's pollInterval")
	flag.IntVar(&cfg.workers, "workers", controllers.DefaultMaxConcurrentReconciles, "operator --max-concurrent-reconciles (the operator's default)")
	flag.StringVar(&cfg.rateLimit, "rate-limit", "", "the Cloud's rateLimit.requestsPerSecond (off when empty)")
	flag.BoolVar(&cfg.restart, "restart", true, "also measure a restart with N Ready objects")
	flag.DurationVar(&cfg.timeout, "timeout", 0, "give up on one run after this long (0: 10m plus 100ms per object, more under a rate limit)")
	flag.BoolVar(&cfg.profile, "profile", false, "write CPU profiles of the operator and of the simulator over the first 8 s after the apply into bin/bench/")
	flag.Parse()
	// The bench's own informer logs nothing worth reading.
	ctrllog.SetLogger(logr.Discard())
	if err := parseLists(&cfg, sizes, modes, applies); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(2)
	}
	if err := run(cfg); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func parseLists(cfg *config, sizes, modes, applies string) error {
	for _, s := range strings.Split(sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n <= 0 {
			return fmt.Errorf("bad -n value %q", s)
		}
		cfg.sizes = append(cfg.sizes, n)
	}
	var err error
	if cfg.modes, err = parseModes(modes); err != nil {
		return err
	}
	cfg.applies, err = parseApplies(applies)
	return err
}

// runTimeout bounds one run. Creates and reads grow with N, and a rate
// limit of r requests/s spreads N creates and their reads over about 3N/r
// seconds.
func runTimeout(cfg config, n int) time.Duration {
	if cfg.timeout > 0 {
		return cfg.timeout
	}
	d := 10*time.Minute + time.Duration(n)*100*time.Millisecond
	if r, err := strconv.ParseFloat(cfg.rateLimit, 64); err == nil && r > 0 {
		d += time.Duration(3 * float64(n) / r * float64(time.Second))
	}
	return d
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

	fmt.Printf("modes=%s apply=%s build=%s poll=%s workers=%d rateLimit=%q cores=%d\n\n",
		strings.Join(cfg.modes, ","), strings.Join(cfg.applies, ","), cfg.build, cfg.poll, cfg.workers, cfg.rateLimit, numCPU())
	printHeader()
	for _, apply := range cfg.applies {
		for _, mode := range cfg.modes {
			for _, n := range cfg.sizes {
				one := cfg
				one.mode, one.apply = mode, apply
				ctx, cancel := context.WithTimeout(context.Background(), runTimeout(one, n))
				res, err := runOne(ctx, one, env, bin, state, n)
				cancel()
				if err != nil {
					return fmt.Errorf("mode=%s apply=%s N=%d: %w", mode, apply, n, err)
				}
				printRow(res)
			}
		}
	}
	printLegend()
	return nil
}
