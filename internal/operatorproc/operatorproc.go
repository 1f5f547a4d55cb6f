// Package operatorproc runs the real manager binary as a child process, for
// the tools that measure or torture the operator as users run it (the
// bench, the soak): built once from the repository, started with a
// kubeconfig and flags, stopped gracefully or killed outright.
package operatorproc

import (
	"fmt"
	"os"
	"os/exec"
	"syscall"
)

// Build compiles the manager (the main package at the repository root)
// into out.
func Build(root, out string) error {
	cmd := exec.Command("go", "build", "-o", out, ".")
	cmd.Dir = root
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("building the operator: %w", err)
	}
	return nil
}

// Process is one running manager. Its output goes to a log file.
type Process struct {
	Cmd     *exec.Cmd
	LogPath string
	log     *os.File
}

// Start runs bin with args against the API server of kubeconfig, writing
// its output to logPath.
func Start(bin, kubeconfig, logPath string, args ...string) (*Process, error) {
	f, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "KUBECONFIG="+kubeconfig)
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Start(); err != nil {
		_ = f.Close()
		return nil, err
	}
	return &Process{Cmd: cmd, LogPath: logPath, log: f}, nil
}

// Pid is the process ID.
func (p *Process) Pid() int { return p.Cmd.Process.Pid }

// Stop ends the process with SIGTERM, as a rolling update does, and waits
// for it.
func (p *Process) Stop() error { return p.end(syscall.SIGTERM) }

// Kill ends the process with SIGKILL, a crash: no deferred function, no
// lease release, no status write in flight completes. It waits for the
// process to be gone.
func (p *Process) Kill() error { return p.end(syscall.SIGKILL) }

func (p *Process) end(sig syscall.Signal) error {
	defer func() { _ = p.log.Close() }()
	if err := p.Cmd.Process.Signal(sig); err != nil {
		return err
	}
	// The exit status of a signalled process is an error by definition;
	// only the fact that it is gone matters.
	_ = p.Cmd.Wait()
	return nil
}
