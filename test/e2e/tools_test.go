//go:build e2e

package e2e

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// tool is a command-line program run with extra environment.
type tool struct {
	path string
	env  []string
}

// try runs the tool with stdin (may be nil) and returns its output.
func (c *tool) try(stdin []byte, args ...string) (stdout, stderr string, err error) {
	cmd := exec.Command(c.path, args...)
	cmd.Env = append(os.Environ(), c.env...)
	cmd.Dir = root
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err = cmd.Run()
	return out.String(), errb.String(), err
}

// run is try that fails the test on a non-zero exit.
func (c *tool) run(t *testing.T, stdin []byte, args ...string) string {
	t.Helper()
	out, errOut, err := c.try(stdin, args...)
	if err != nil {
		t.Fatalf("%s %s: %v\nstdout:\n%s\nstderr:\n%s", filepath.Base(c.path), strings.Join(args, " "), err, out, errOut)
	}
	return out
}

// toolPath finds a tool: $envVar when set (a command name looked up in
// PATH, or a path relative to the repository root; it must exist), else
// the versioned binary in bin/, built by hack/tool-binaries.sh when
// missing.
func toolPath(envVar, name, versioned string) (string, error) {
	if p := os.Getenv(envVar); p != "" {
		if !strings.Contains(p, "/") {
			return exec.LookPath(p)
		}
		if !filepath.IsAbs(p) {
			p = filepath.Join(root, p)
		}
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("%s=%s: %w", envVar, p, err)
		}
		return p, nil
	}
	p := filepath.Join(root, "bin", versioned)
	if _, err := os.Stat(p); err == nil {
		return p, nil
	}
	fmt.Fprintf(os.Stderr, "e2e: %s not found, building it from the Go module proxy\n", versioned)
	cmd := exec.Command(filepath.Join(root, "hack", "tool-binaries.sh"), filepath.Join(root, "bin"), name)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("building %s: %w", name, err)
	}
	return p, nil
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
