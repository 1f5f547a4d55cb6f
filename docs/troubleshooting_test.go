// Package docs holds the project's documentation; this test keeps
// troubleshooting.md complete as reasons are added.
package docs

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/serverimage-operator/serverimage-operator/internal/policy"
)

// TestTroubleshootingCoversEveryReason: every condition reason and type
// the operator can write appears in docs/troubleshooting.md, in backticks.
// The reasons are read from the code: the Reason* and Condition* constants
// of api/v1alpha1 and controllers, and the literal reasons passed to the
// controllers' set(...) helper.
func TestTroubleshootingCoversEveryReason(t *testing.T) {
	doc, err := os.ReadFile("troubleshooting.md")
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]string{} // value -> where it was found
	for _, dir := range []string{"../api/v1alpha1", "../controllers"} {
		collect(t, dir, names)
	}
	if len(names) < 30 {
		t.Fatalf("found only %d reasons and condition types in the code: is the parsing broken? %v", len(names), names)
	}
	// The failure policy's table, read as the reconcilers read it.
	for _, step := range policy.Steps {
		for _, class := range policy.Classes {
			r := policy.For(step, class)
			names[r.Reason] = "internal/policy: " + string(step) + "/" + string(class)
		}
	}
	var missing []string
	for v, where := range names {
		if !strings.Contains(string(doc), "`"+v+"`") {
			missing = append(missing, v+" ("+where+")")
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("docs/troubleshooting.md does not explain:\n  %s", strings.Join(missing, "\n  "))
	}
}

func collect(t *testing.T, dir string, names map[string]string) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(file, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.ValueSpec:
				for i, id := range n.Names {
					if (strings.HasPrefix(id.Name, "Reason") || strings.HasPrefix(id.Name, "Condition")) && i < len(n.Values) {
						if v, ok := stringLit(n.Values[i]); ok {
							names[v] = filepath.Base(f) + ": " + id.Name
						}
					}
				}
			case *ast.CallExpr:
				// set(conds, gen, type, status, "Reason", msg)
				if id, ok := n.Fun.(*ast.Ident); ok && id.Name == "set" && len(n.Args) == 6 {
					if v, ok := stringLit(n.Args[4]); ok {
						names[v] = filepath.Base(f) + ": set(...)"
					}
				}
			}
			return true
		})
	}
}

func stringLit(e ast.Expr) (string, bool) {
	lit, ok := e.(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		return "", false
	}
	v, err := strconv.Unquote(lit.Value)
	return v, err == nil
}
