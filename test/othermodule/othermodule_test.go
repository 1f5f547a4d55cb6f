// Package othermodule checks that pkg/ works from a module that is not
// this one: a user's module requires this module by path, replaced by the
// checkout, and runs testdata/user as its own test. That catches what
// only works inside the repository: internal/ imports, relative paths,
// test-only build tags, files outside the module's embeds. The README's
// short version of that test is compiled there too, so it cannot drift.
package othermodule

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

const modulePath = "github.com/serverimage-operator/serverimage-operator"

func TestUserModule(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	goVersion := goDirective(t, filepath.Join(root, "go.mod"))
	dir := t.TempDir() // outside the checkout: no parent go.mod applies
	write(t, filepath.Join(dir, "go.mod"), "module example.com/platform\n\ngo "+goVersion+"\n\n"+
		"require "+modulePath+" v0.0.0\n\nreplace "+modulePath+" => "+root+"\n")
	// Our go.sum covers the dependencies the user's module shares, so
	// tidy resolves them from the module cache instead of the network.
	copyFile(t, filepath.Join(root, "go.sum"), filepath.Join(dir, "go.sum"))
	fullTest := filepath.Join("testdata", "user", "snapshot_test.go")
	copyFile(t, fullTest, filepath.Join(dir, "snapshot_test.go"))

	readme := filepath.Join(dir, "readme")
	if err := os.Mkdir(readme, 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(readme, "readme_test.go"), readmeHeader(t, fullTest)+readmeTest(t, filepath.Join(root, "README.md")))

	env := append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod -buildvcs=false")
	run(t, dir, env, "go", "mod", "tidy")
	// The README's short version must compile as a user would paste it.
	run(t, dir, env, "go", "vet", "./readme")
	out := run(t, dir, env, "go", "test", "-count=1", "-v", "./...")
	if !strings.Contains(out, "--- PASS: TestGoldenImage") {
		t.Fatalf("the user's test did not pass:\n%s", out)
	}
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, "started:") || strings.Contains(l, "Ready ") {
			t.Log(strings.TrimSpace(l))
		}
	}
}

// readmeHeader makes the README's block a file: its package clause and
// the imports, which the README leaves out, taken from the full test
// (they need the same).
func readmeHeader(t *testing.T, fullTest string) string {
	raw, err := os.ReadFile(fullTest)
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?s)\nimport \(.*?\n\)\n`).Find(raw)
	if m == nil {
		t.Fatalf("no import block in %s", fullTest)
	}
	return "package readme\n" + string(m) + "\n"
}

// readmeTest is the first Go block of the README's section on testing
// users' controllers.
func readmeTest(t *testing.T, readme string) string {
	raw, err := os.ReadFile(readme)
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(raw), "## Testing your own controllers against serverimage-operator")
	if !ok {
		t.Fatal("README.md has no section on testing users' controllers")
	}
	_, code, ok := strings.Cut(section, "```go\n")
	if !ok {
		t.Fatal("README.md's section on testing users' controllers has no Go block")
	}
	code, _, _ = strings.Cut(code, "```")
	return code
}

func goDirective(t *testing.T, gomod string) string {
	raw, err := os.ReadFile(gomod)
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^go (\S+)$`).FindSubmatch(raw)
	if m == nil {
		t.Fatal("no go directive in go.mod")
	}
	return string(m[1])
}

func run(t *testing.T, dir string, env []string, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir, cmd.Env = dir, env
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

func write(t *testing.T, path, s string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	raw, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	write(t, to, string(raw))
}
