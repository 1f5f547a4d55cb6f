//go:build openstack

package openstack

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// operator is one run of the real operator binary, watching one namespace,
// its output in bin/openstack-e2e/<test>-<n>.log.
type operator struct {
	t    testing.TB
	cmd  *exec.Cmd
	log  string
	done chan struct{}
}

var operatorSeq atomic.Int32

// startOperator runs the binary as a Deployment would, minus leader
// election and the metrics and probe listeners (several run at once here).
func startOperator(t testing.TB, namespace string) *operator {
	t.Helper()
	name := strings.ReplaceAll(t.Name(), "/", "-")
	logPath := filepath.Join(artifacts, fmt.Sprintf("%s-%d.log", name, operatorSeq.Add(1)))
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(operatorBin,
		"--leader-elect=false",
		"--metrics-bind-address=0",
		"--health-probe-bind-address=0",
		"--watch-namespaces="+namespace,
	)
	cmd.Env = append(os.Environ(), "KUBECONFIG="+kubeconfig)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		_ = logFile.Close()
		t.Fatalf("starting the operator: %v", err)
	}
	o := &operator{t: t, cmd: cmd, log: logPath, done: make(chan struct{})}
	go func() {
		_ = cmd.Wait()
		_ = logFile.Close()
		close(o.done)
	}()
	t.Cleanup(func() {
		o.stop()
		if t.Failed() {
			t.Logf("operator log %s ends with:\n%s", logPath, o.tail(60))
		}
	})
	return o
}

// kill ends the process at once, as a node failure or an OOM kill would:
// no deferred code runs, nothing is flushed.
func (o *operator) kill() {
	_ = o.cmd.Process.Signal(syscall.SIGKILL)
	<-o.done
}

// stop asks the process to stop as Kubernetes would (SIGTERM), then kills
// it if it has not stopped within 10 seconds.
func (o *operator) stop() {
	select {
	case <-o.done:
		return
	default:
	}
	_ = o.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-o.done:
	case <-time.After(10 * time.Second):
		o.kill()
	}
}

func (o *operator) exited() bool {
	select {
	case <-o.done:
		return true
	default:
		return false
	}
}

func (o *operator) tail(n int) string {
	b, err := os.ReadFile(o.log)
	if err != nil {
		return err.Error()
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
