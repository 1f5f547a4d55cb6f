// Command soak proves "exactly one image per ServerImage" under abuse: N
// ServerImages on one OpenStack Cloud against the simulator, with a share
// of the creates committing but losing their response, random 5xx and 409s
// on every cloud operation, and the real operator binary killed with
// SIGKILL and restarted several times while it creates. It passes when
// every object is Ready, each carries exactly one image in the simulator
// (by serverimage_uid), and no image belongs to no object; it prints the
// figures either way and exits non-zero on failure.
//
//	go run ./hack/soak              # make soak
//	go run ./hack/soak -n 500 -restarts 8 -seed 42
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/go-logr/logr"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"
)

type config struct {
	n        int
	restarts int
	// drop is the share of createImage calls that commit and lose the
	// answer; errorRate the share of every operation's calls answered
	// with a 5xx, conflictRate with a 409.
	drop, errorRate, conflictRate float64
	seed                          uint64
	build, poll                   time.Duration
	workers                       int
	timeout                       time.Duration
}

func main() {
	var cfg config
	flag.IntVar(&cfg.n, "n", 200, "number of ServerImages")
	flag.IntVar(&cfg.restarts, "restarts", 4, "times the operator is killed with SIGKILL and restarted mid-run")
	flag.Float64Var(&cfg.drop, "drop", 0.10, "share of createImage calls that commit but lose their response")
	flag.Float64Var(&cfg.errorRate, "error-rate", 0.05, "share of calls of every operation answered 500/502/503/504")
	flag.Float64Var(&cfg.conflictRate, "conflict-rate", 0.03, "share of calls of every operation answered 409")
	flag.Uint64Var(&cfg.seed, "seed", 0, "seed of the simulator's fault rolls (0: from the clock); printed for a re-run")
	flag.DurationVar(&cfg.build, "build", 2*time.Second, "simulated image build time (queued 20%, saving 80%)")
	flag.DurationVar(&cfg.poll, "poll", time.Second, "the Cloud's pollInterval")
	flag.IntVar(&cfg.workers, "workers", 8, "operator --max-concurrent-reconciles")
	flag.DurationVar(&cfg.timeout, "timeout", 5*time.Minute, "give up (and fail) after this long")
	flag.Parse()
	if cfg.n <= 0 || cfg.restarts < 0 || cfg.drop < 0 || cfg.errorRate < 0 || cfg.conflictRate < 0 ||
		cfg.drop+cfg.errorRate+cfg.conflictRate >= 1 {
		fmt.Fprintln(os.Stderr, "soak: -n must be positive, -restarts not negative, and the fault rates must add up to less than 1")
		os.Exit(2)
	}
	if cfg.seed == 0 {
		cfg.seed = uint64(time.Now().UnixNano())
	}
	// The soak's own clients log nothing worth reading.
	ctrllog.SetLogger(logr.Discard())

	ctx, cancel := context.WithTimeout(context.Background(), cfg.timeout)
	defer cancel()
	res, err := run(ctx, cfg)
	if res != nil {
		res.print(os.Stdout)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "soak: FAIL:", err)
		os.Exit(1)
	}
	fmt.Println("soak: PASS")
}
