package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/serverimage-operator/serverimage-operator/internal/operatorproc"
)

func numCPU() int { return runtime.NumCPU() }

func buildOperator(root, out string) error { return operatorproc.Build(root, out) }

// operator is the real manager binary running as a process, with its
// metrics served in plain HTTP on loopback so the bench can scrape them.
type operator struct {
	proc        *operatorproc.Process
	metricsAddr string
	pprofAddr   string

	mu       sync.Mutex
	peakHeap float64
	// finds is the operator's find-by-key calls so far, as last scraped.
	finds atomic.Int64
	stop  chan struct{}
	done  chan struct{}
}

func startOperator(bin, kubeconfig, namespace, logPath string, cfg config) (*operator, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	o := &operator{metricsAddr: fmt.Sprintf("127.0.0.1:%d", port), stop: make(chan struct{}), done: make(chan struct{})}
	if cfg.profile {
		pport, err := freePort()
		if err != nil {
			return nil, err
		}
		o.pprofAddr = fmt.Sprintf("127.0.0.1:%d", pport)
	}
	args := []string{
		"--leader-elect=false",
		"--metrics-secure=false",
		"--metrics-bind-address=" + o.metricsAddr,
		"--health-probe-bind-address=0",
		"--watch-namespaces=" + namespace,
		"--max-concurrent-reconciles=" + strconv.Itoa(cfg.workers),
	}
	args = append(args, pollingModes[cfg.mode]...)
	if o.pprofAddr != "" {
		args = append(args, "--pprof-bind-address="+o.pprofAddr)
	}
	if o.proc, err = operatorproc.Start(bin, kubeconfig, logPath, args...); err != nil {
		return nil, err
	}
	go o.sampleMetrics()
	return o, nil
}

// sampleMetrics keeps the peak of the Go heap in use and the count of
// find-by-key calls, read from the operator's own metrics once a second.
func (o *operator) sampleMetrics() {
	defer close(o.done)
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-o.stop:
			return
		case <-t.C:
		}
		m, err := o.scrape()
		if err != nil {
			continue
		}
		o.finds.Store(int64(findsOf(m)))
		if h := m.sum("go_memstats_heap_inuse_bytes", nil); h > 0 {
			o.mu.Lock()
			o.peakHeap = max(o.peakHeap, h)
			o.mu.Unlock()
		}
	}
}

// peakRSS is the process's high-water resident set size, from the kernel.
func (o *operator) peakRSS() int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", o.proc.Pid()))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmHWM:" {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb * 1024
		}
	}
	return 0
}

// findsOf is how many find-by-key calls the operator's drivers made.
func findsOf(m metrics) int {
	return int(m.sum("serverimage_cloud_requests_total", map[string]string{"operation": "findImages"}))
}

func (o *operator) heapPeak() float64 {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.peakHeap
}

// stopAndWait ends the process with SIGTERM, as a rolling update would.
func (o *operator) stopAndWait() {
	close(o.stop)
	<-o.done
	_ = o.proc.Stop()
}

func (o *operator) waitMetrics(ctx context.Context) error {
	for {
		if _, err := o.scrape(); err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("operator metrics never came up (see %s)", o.proc.LogPath)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// settled scrapes until the operator's API writes stop changing. The
// recorder sends Events in the background, so the last objects' Ready
// Events may still be on their way when the bench sees them Ready.
func (o *operator) settled(ctx context.Context) (metrics, error) {
	const quiet, limit = time.Second, 15 * time.Second
	m, err := o.scrape()
	if err != nil {
		return nil, err
	}
	since, deadline := time.Now(), time.Now().Add(limit)
	for time.Since(since) < quiet && time.Now().Before(deadline) {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
		next, err := o.scrape()
		if err != nil {
			return nil, err
		}
		if mutatingRequests(next) != mutatingRequests(m) {
			since = time.Now()
		}
		m = next
	}
	return m, nil
}

// metrics is a parsed Prometheus text exposition: series name → samples.
type metrics map[string][]sample

type sample struct {
	labels map[string]string
	value  float64
}

// sum adds the samples of name whose labels include match.
func (m metrics) sum(name string, match map[string]string) float64 {
	total := 0.0
next:
	for _, s := range m[name] {
		for k, v := range match {
			if s.labels[k] != v {
				continue next
			}
		}
		total += s.value
	}
	return total
}

func (o *operator) scrape() (metrics, error) {
	resp, err := http.Get("http://" + o.metricsAddr + "/metrics")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("metrics: HTTP %d", resp.StatusCode)
	}
	return parseMetrics(resp.Body)
}

// parseMetrics reads the text format well enough for counters and gauges
// (a full parser would pull in another dependency for a benchmark tool).
func parseMetrics(r io.Reader) (metrics, error) {
	out := metrics{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		sp := strings.LastIndexByte(line, ' ')
		if sp < 0 {
			continue
		}
		v, err := strconv.ParseFloat(line[sp+1:], 64)
		if err != nil {
			continue
		}
		series := line[:sp]
		name, labels := series, map[string]string{}
		if i := strings.IndexByte(series, '{'); i >= 0 {
			name = series[:i]
			for _, kv := range strings.Split(strings.TrimSuffix(series[i+1:], "}"), ",") {
				if k, val, ok := strings.Cut(kv, "="); ok {
					labels[k] = strings.Trim(val, `"`)
				}
			}
		}
		out[name] = append(out[name], sample{labels: labels, value: v})
	}
	return out, sc.Err()
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// cpuProfile fetches a CPU profile of the operator over d into path.
func (o *operator) cpuProfile(d time.Duration, path string) error {
	resp, err := http.Get(fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", o.pprofAddr, int(d.Seconds())))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.Copy(f, resp.Body)
	return err
}
