package main

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/serverimage-operator/serverimage-operator/internal/fakecloud"
)

// print writes the figures the issue asks for, one per line, so that a
// closing note can quote them.
func (r *result) print(w io.Writer) {
	byKind, byOp := map[string]int{}, map[string]int{}
	total := 0
	for k, n := range r.faults {
		byKind[kindName(k.Kind)] += n
		byOp[string(k.Op)] += n
		total += n
	}
	calls := 0
	for _, n := range r.calls {
		calls += n
	}
	fmt.Fprintln(w, "soak results")
	fmt.Fprintf(w, "  objects          %d (%d Ready)\n", r.objects, r.ready)
	fmt.Fprintf(w, "  restarts         %d (SIGKILL while creating, of %d asked)\n", r.restarts, r.cfg.restarts)
	fmt.Fprintf(w, "  faults injected  %d: %s\n", total, joinCounts(byKind))
	fmt.Fprintf(w, "    by operation   %s\n", joinCounts(byOp))
	fmt.Fprintf(w, "  cloud calls      %d: %s\n", calls, joinCounts(opCounts(r.calls)))
	fmt.Fprintf(w, "  images           %d in the simulator\n", r.images)
	fmt.Fprintf(w, "  adoptions        %d (Events Adopted: an image found by key after a lost response or a kill, not created again)\n", r.adoptions)
	fmt.Fprintf(w, "  duplicates       %d\n", r.duplicates)
	fmt.Fprintf(w, "  orphans          %d\n", r.orphans)
	if r.missing > 0 || r.mismatched > 0 {
		fmt.Fprintf(w, "  missing          %d\n  wrong imageID    %d\n", r.missing, r.mismatched)
	}
	fmt.Fprintf(w, "  total time       %s (all Ready %s after the first ServerImage was applied)\n",
		r.total.Round(time.Second), r.converge.Round(100*time.Millisecond))
	fmt.Fprintf(w, "  settings         n=%d restarts=%d drop=%.2f error-rate=%.2f conflict-rate=%.2f build=%s poll=%s workers=%d seed=%d\n",
		r.cfg.n, r.cfg.restarts, r.cfg.drop, r.cfg.errorRate, r.cfg.conflictRate, r.cfg.build, r.cfg.poll, r.cfg.workers, r.cfg.seed)
	for _, p := range r.problems {
		fmt.Fprintf(w, "  problem: %s\n", p)
	}
	if len(r.problems) > 0 || r.ready < r.objects {
		fmt.Fprintf(w, "  operator logs    %s\n", strings.Join(r.logs, " "))
	}
}

// kindName says what a fault kind did, for people.
func kindName(kind string) string {
	switch kind {
	case "drop":
		return "lost create response"
	case "body":
		return "bad body"
	case "latency":
		return "delay"
	}
	return "HTTP " + kind
}

func opCounts(m map[fakecloud.Op]int) map[string]int {
	out := make(map[string]int, len(m))
	for op, n := range m {
		out[string(op)] = n
	}
	return out
}

// joinCounts lists counts largest first ("HTTP 503 12, HTTP 409 9").
func joinCounts(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if m[keys[i]] != m[keys[j]] {
			return m[keys[i]] > m[keys[j]]
		}
		return keys[i] < keys[j]
	})
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s %d", k, m[k]))
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}
