//go:build e2e

package e2e

import (
	"bufio"
	"debug/buildinfo"
	"debug/elf"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"
)

// No Docker engine runs here, so the image itself cannot be built. What
// can go wrong in it is checked instead: the builder stage's go build
// command is taken from the Dockerfile verbatim and run, with /bin/sh as
// RUN does, in a workspace holding only what the Dockerfile COPYs. The
// e2e tests then run that very binary.

// buildArgs are the values given to the Dockerfile's version ARGs.
type buildArgs struct{ Version, Commit string }

// dockerfile is what the tests need to know about the Dockerfile.
type dockerfile struct {
	froms      []string   // base images, in order
	copies     [][]string // builder-stage COPY sources and destination (last)
	buildCmd   string     // the RUN line with go build, continuations joined
	args       map[string]string
	user       string
	entrypoint string
}

func parseDockerfile(path string) (*dockerfile, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	d := &dockerfile{args: map[string]string{}}
	var lines []string
	var cur strings.Builder
	sc := bufio.NewScanner(strings.NewReader(string(raw)))
	for sc.Scan() {
		l := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(l, "#") || (l == "" && cur.Len() == 0) {
			continue
		}
		if strings.HasSuffix(l, `\`) {
			cur.WriteString(strings.TrimSuffix(l, `\`) + " ")
			continue
		}
		cur.WriteString(l)
		lines = append(lines, cur.String())
		cur.Reset()
	}
	for _, l := range lines {
		instr, rest, _ := strings.Cut(l, " ")
		switch strings.ToUpper(instr) {
		case "FROM":
			d.froms = append(d.froms, strings.Fields(rest)[0])
		case "ARG":
			if len(d.froms) == 1 {
				k, v, _ := strings.Cut(rest, "=")
				d.args[k] = v
			}
		case "COPY":
			if len(d.froms) == 1 && !strings.HasPrefix(rest, "--from") {
				d.copies = append(d.copies, strings.Fields(rest))
			}
		case "RUN":
			if strings.Contains(rest, "go build") {
				d.buildCmd = rest
			}
		case "USER":
			d.user = rest
		case "ENTRYPOINT":
			d.entrypoint = rest
		}
	}
	if d.buildCmd == "" {
		return nil, fmt.Errorf("%s: no RUN with go build", path)
	}
	return d, nil
}

// buildLikeDockerfile runs the Dockerfile's go build in workspace (the
// builder's WORKDIR, filled by its COPY lines) and moves the binary to out.
func buildLikeDockerfile(root, workspace, out string, b buildArgs) error {
	d, err := parseDockerfile(filepath.Join(root, "Dockerfile"))
	if err != nil {
		return err
	}
	for _, c := range d.copies {
		dest := filepath.Join(workspace, c[len(c)-1])
		for _, src := range c[:len(c)-1] {
			if err := copyPath(filepath.Join(root, src), dest, strings.HasSuffix(c[len(c)-1], "/") && !strings.HasSuffix(src, "/")); err != nil {
				return fmt.Errorf("COPY %s: %w", src, err)
			}
		}
	}
	// ARGs are environment variables of RUN; a platform build sets
	// TARGETOS/TARGETARCH to the target, here the machine the tests run on.
	env := os.Environ()
	for k, v := range d.args {
		env = append(env, k+"="+v)
	}
	env = append(env, "TARGETOS="+runtime.GOOS, "TARGETARCH="+runtime.GOARCH,
		"VERSION="+b.Version, "COMMIT="+b.Commit,
		// The golang image sets no GOFLAGS; the host's must not leak in.
		"GOFLAGS=")
	cmd := exec.Command("/bin/sh", "-c", d.buildCmd)
	cmd.Dir = workspace
	cmd.Env = env
	if outb, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("the Dockerfile's build failed (%s): %v\n%s", d.buildCmd, err, outb)
	}
	m := regexp.MustCompile(`-o\s+(\S+)`).FindStringSubmatch(d.buildCmd)
	if m == nil {
		return fmt.Errorf("no -o in %q", d.buildCmd)
	}
	return os.Rename(filepath.Join(workspace, m[1]), out)
}

// copyPath copies a file or a directory tree as COPY does: into dest when
// intoDir, otherwise to dest.
func copyPath(src, dest string, intoDir bool) error {
	info, err := os.Stat(src)
	if err != nil {
		return err
	}
	if !info.IsDir() {
		if intoDir {
			dest = filepath.Join(dest, filepath.Base(src))
		}
		return copyFile(src, dest)
	}
	return filepath.WalkDir(src, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		return copyFile(p, filepath.Join(dest, rel))
	})
}

func copyFile(src, dest string) error {
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(dest), 0o755); err != nil {
		return err
	}
	return os.WriteFile(dest, b, 0o644)
}

func TestDockerfile(t *testing.T) {
	d, err := parseDockerfile(filepath.Join(root, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	t.Run("multi-stage onto distroless nonroot", func(t *testing.T) {
		if len(d.froms) < 2 {
			t.Fatalf("stages %v: want a builder and a runtime stage", d.froms)
		}
		if last := d.froms[len(d.froms)-1]; !strings.HasPrefix(last, "gcr.io/distroless/static") || !strings.Contains(last, "nonroot") {
			t.Errorf("runtime base %s, want gcr.io/distroless/static:nonroot", last)
		}
		if d.user != "65532:65532" && d.user != "nonroot" && d.user != "nonroot:nonroot" {
			t.Errorf("USER %q, want the distroless nonroot user", d.user)
		}
		if d.entrypoint != `["/manager"]` {
			t.Errorf("ENTRYPOINT %s, want [\"/manager\"] (config/manager runs command /manager)", d.entrypoint)
		}
	})

	t.Run("same flags as make build", func(t *testing.T) {
		mk, err := os.ReadFile(filepath.Join(root, "Makefile"))
		if err != nil {
			t.Fatal(err)
		}
		m := regexp.MustCompile(`(?m)^GO_LDFLAGS\s*\??=\s*(.+)$`).FindSubmatch(mk)
		if m == nil {
			t.Fatal("no GO_LDFLAGS in the Makefile")
		}
		makeFlags := regexp.MustCompile(`\$\((\w+)\)`).ReplaceAllString(strings.TrimSpace(string(m[1])), "$${$1}")
		if !strings.Contains(d.buildCmd, `-ldflags "`+makeFlags+`"`) {
			t.Errorf("Dockerfile build %q does not use the Makefile's GO_LDFLAGS %q", d.buildCmd, makeFlags)
		}
		for _, want := range []string{"CGO_ENABLED=0", "-trimpath"} {
			if !strings.Contains(d.buildCmd, want) {
				t.Errorf("Dockerfile build lacks %s", want)
			}
		}
	})

	t.Run("static binary", func(t *testing.T) {
		f, err := elf.Open(operatorBin)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		for _, p := range f.Progs {
			if p.Type == elf.PT_INTERP {
				t.Error("the binary needs a dynamic loader; distroless/static has none")
			}
		}
		if libs, _ := f.ImportedLibraries(); len(libs) > 0 {
			t.Errorf("the binary links %v", libs)
		}
		bi, err := buildinfo.ReadFile(operatorBin)
		if err != nil {
			t.Fatal(err)
		}
		settings := map[string]string{}
		for _, s := range bi.Settings {
			settings[s.Key] = s.Value
		}
		if settings["CGO_ENABLED"] != "0" || settings["-trimpath"] != "true" {
			t.Errorf("build settings %v", settings)
		}
		// -trimpath keeps -ldflags out of the build info; -s -w show as
		// a binary without symbol table and DWARF.
		if syms, err := f.Symbols(); err == nil || len(syms) > 0 {
			t.Errorf("the binary has a symbol table (%d symbols): -s missing", len(syms))
		}
		for _, s := range f.Sections {
			if strings.HasPrefix(s.Name, ".debug_") || strings.HasPrefix(s.Name, ".zdebug_") {
				t.Errorf("section %s: -w missing", s.Name)
			}
		}
	})

	t.Run("version and commit stamped", func(t *testing.T) {
		// Without a reachable cluster the manager logs its version and
		// exits; the log is JSON by default.
		cmd := exec.Command(operatorBin, "--metrics-bind-address=0", "--health-probe-bind-address=0")
		cmd.Env = []string{"KUBECONFIG=" + filepath.Join(t.TempDir(), "missing"), "HOME=" + t.TempDir()}
		done := make(chan []byte, 1)
		go func() { out, _ := cmd.CombinedOutput(); done <- out }()
		var out []byte
		select {
		case out = <-done:
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
			t.Fatal("the manager did not exit without a cluster")
		}
		var start map[string]any
		for _, line := range strings.Split(string(out), "\n") {
			var entry map[string]any
			if json.Unmarshal([]byte(line), &entry) == nil && entry["msg"] == "starting serverimage-operator" {
				start = entry
			}
		}
		if start == nil {
			t.Fatalf("no JSON start line in:\n%s", out)
		}
		if start["version"] != buildInfo.Version || start["commit"] != buildInfo.Commit {
			t.Errorf("start line %v, want version %s commit %s", start, buildInfo.Version, buildInfo.Commit)
		}
	})
}
