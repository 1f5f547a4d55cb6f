package operatorproc

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A stand-in for the manager: a shell that reports its KUBECONFIG, then
// waits. Kill must end it with SIGKILL (a crash), Stop with SIGTERM.
func TestStartKillStop(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Fatalf("this test needs sh, which every supported machine has: %v", err)
	}
	for _, tc := range []struct {
		name string
		end  func(*Process) error
		want syscall.Signal
	}{
		{"Kill", (*Process).Kill, syscall.SIGKILL},
		{"Stop", (*Process).Stop, syscall.SIGTERM},
	} {
		t.Run(tc.name, func(t *testing.T) {
			logPath := filepath.Join(t.TempDir(), "manager.log")
			p, err := Start(sh, "/tmp/kubeconfig-for-test", logPath, "-c", `echo "KUBECONFIG=$KUBECONFIG"; exec sleep 60`)
			if err != nil {
				t.Fatal(err)
			}
			waitForLog(t, logPath, "KUBECONFIG=/tmp/kubeconfig-for-test")
			if err := tc.end(p); err != nil {
				t.Fatal(err)
			}
			ws, ok := p.Cmd.ProcessState.Sys().(syscall.WaitStatus)
			if !ok || !ws.Signaled() || ws.Signal() != tc.want {
				t.Errorf("process ended with %v, want signal %v", p.Cmd.ProcessState, tc.want)
			}
		})
	}
}

func waitForLog(t *testing.T, path, want string) {
	t.Helper()
	for i := 0; i < 500; i++ {
		if b, _ := os.ReadFile(path); strings.Contains(string(b), want) {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("%s never contained %q", path, want)
}
