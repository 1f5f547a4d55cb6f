// Package pkg_test guards the public API of pkg/: every exported
// identifier is recorded in api.txt, and one may only disappear when the
// README's compatibility note names it.
package pkg_test

import (
	"flag"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite api.txt from the code (removals must be named in the README first)")

// TestExportedAPI fails when an identifier of api.txt is gone from pkg/
// (removed or renamed) and the README's compatibility note does not name
// it, and when a new one is not recorded yet (go test ./pkg -update).
func TestExportedAPI(t *testing.T) {
	got := exported(t)
	raw, err := os.ReadFile("api.txt")
	if err != nil {
		t.Fatal(err)
	}
	recorded := strings.Fields(string(raw))
	note := compatibilityNote(t)
	for _, id := range recorded {
		if !slices.Contains(got, id) && !strings.Contains(note, "`"+id+"`") {
			t.Errorf("%s is gone from pkg/: name it in the README's %q note (what replaces it), then run go test ./pkg -update", id, noteHeading)
		}
	}
	var added []string
	for _, id := range got {
		if !slices.Contains(recorded, id) {
			added = append(added, id)
		}
	}
	if *update {
		if err := os.WriteFile("api.txt", []byte(strings.Join(got, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if len(added) > 0 {
		t.Errorf("new exported identifiers not in pkg/api.txt (run go test ./pkg -update): %s", strings.Join(added, " "))
	}
}

const noteHeading = "Compatibility of pkg/"

// compatibilityNote is the README section on pkg/ compatibility.
func compatibilityNote(t *testing.T) string {
	raw, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(raw), "## "+noteHeading)
	if !ok {
		t.Fatalf("README.md has no %q section", "## "+noteHeading)
	}
	section, _, _ := strings.Cut(after, "\n## ")
	return section
}

// TestExportedDocumented: godoc on every exported identifier of pkg/ (a
// group's comment covers its constants).
func TestExportedDocumented(t *testing.T) {
	for _, id := range exportedWhere(t, func(documented bool) bool { return !documented }) {
		t.Errorf("%s has no doc comment", id)
	}
}

// exported lists pkg/'s exported identifiers as package.Name,
// package.Type.Method and package.Type.Field, sorted.
func exported(t *testing.T) []string {
	return exportedWhere(t, func(bool) bool { return true })
}

// exportedWhere lists the exported identifiers for which keep, told
// whether the identifier has a doc comment, says yes.
func exportedWhere(t *testing.T, keep func(documented bool) bool) []string {
	dirs, err := filepath.Glob("*")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	fset := token.NewFileSet()
	for _, dir := range dirs {
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			continue
		}
		pkgs, err := parser.ParseDir(fset, dir, func(fi os.FileInfo) bool { return !strings.HasSuffix(fi.Name(), "_test.go") }, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		for name, p := range pkgs {
			for _, f := range p.Files {
				out = append(out, fileExports(name, f, keep)...)
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func fileExports(pkg string, f *ast.File, keep func(documented bool) bool) []string {
	var out []string
	var doc *ast.CommentGroup
	add := func(parts ...string) {
		if keep(doc != nil) {
			out = append(out, pkg+"."+strings.Join(parts, "."))
		}
	}
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			if !d.Name.IsExported() {
				continue
			}
			doc = d.Doc
			if d.Recv == nil {
				add(d.Name.Name)
			} else if recv := receiverName(d.Recv.List[0].Type); ast.IsExported(recv) {
				add(recv, d.Name.Name)
			}
		case *ast.GenDecl:
			for _, s := range d.Specs {
				switch s := s.(type) {
				case *ast.ValueSpec:
					doc = first(s.Doc, s.Comment, d.Doc)
					for _, n := range s.Names {
						if n.IsExported() {
							add(n.Name)
						}
					}
				case *ast.TypeSpec:
					if !s.Name.IsExported() {
						continue
					}
					doc = first(s.Doc, s.Comment, d.Doc)
					add(s.Name.Name)
					if st, ok := s.Type.(*ast.StructType); ok {
						for _, fld := range st.Fields.List {
							doc = first(fld.Doc, fld.Comment)
							for _, n := range fld.Names {
								if n.IsExported() {
									add(s.Name.Name, n.Name)
								}
							}
						}
					}
				}
			}
		}
	}
	return out
}

func receiverName(e ast.Expr) string {
	if s, ok := e.(*ast.StarExpr); ok {
		e = s.X
	}
	if id, ok := e.(*ast.Ident); ok {
		return id.Name
	}
	return ""
}

func first(docs ...*ast.CommentGroup) *ast.CommentGroup {
	for _, d := range docs {
		if d != nil {
			return d
		}
	}
	return nil
}
