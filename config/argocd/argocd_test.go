// Package argocd holds Argo CD resource health checks for the operator's
// kinds, in the layout Argo CD's own resource_customizations use:
// <group>/<Kind>/health.lua with health_test.yaml and testdata/. This test
// runs every one of them the way Argo CD does: the object, decoded from
// JSON, is the global obj, and the script returns a table with status and
// message.
package argocd

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"
	"sigs.k8s.io/yaml"
)

// healthTests is the health_test.yaml format of Argo CD.
type healthTests struct {
	Tests []struct {
		HealthStatus struct {
			Status  string `json:"status"`
			Message string `json:"message"`
		} `json:"healthStatus"`
		InputPath string `json:"inputPath"`
	} `json:"tests"`
}

// argoStatuses are the health statuses Argo CD knows.
var argoStatuses = map[string]bool{
	"Healthy": true, "Progressing": true, "Degraded": true, "Suspended": true, "Missing": true, "Unknown": true,
}

func TestHealthChecks(t *testing.T) {
	var suites []string
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && d.Name() == "health_test.yaml" {
			suites = append(suites, path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	// Every kind's check must be found: a moved layout must not turn
	// this test into one that runs nothing.
	for _, kind := range []string{"ServerImage", "Cloud", "ClusterCloud", "ServerImageSchedule"} {
		if !contains(suites, filepath.Join("images.serverimage.dev", kind, "health_test.yaml")) {
			t.Fatalf("%s health check not found; found %v", kind, suites)
		}
	}
	for _, suite := range suites {
		dir := filepath.Dir(suite)
		t.Run(filepath.ToSlash(dir), func(t *testing.T) { runSuite(t, dir) })
	}
}

func runSuite(t *testing.T, dir string) {
	script, err := os.ReadFile(filepath.Join(dir, "health.lua"))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(dir, "health_test.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var suite healthTests
	if err := yaml.UnmarshalStrict(raw, &suite); err != nil {
		t.Fatalf("health_test.yaml: %v", err)
	}
	if len(suite.Tests) == 0 {
		t.Fatal("health_test.yaml has no tests")
	}
	group, kind := filepath.Base(filepath.Dir(dir)), filepath.Base(dir)
	used := map[string]bool{}
	for _, tc := range suite.Tests {
		used[filepath.Clean(tc.InputPath)] = true
		t.Run(tc.InputPath, func(t *testing.T) {
			if !argoStatuses[tc.HealthStatus.Status] {
				t.Fatalf("expected status %q is not an Argo CD health status", tc.HealthStatus.Status)
			}
			obj := readObject(t, filepath.Join(dir, tc.InputPath))
			if gv, _ := obj["apiVersion"].(string); !strings.HasPrefix(gv, group+"/") || obj["kind"] != kind {
				t.Fatalf("input is %v %v, but it sits under %s/%s", obj["apiVersion"], obj["kind"], group, kind)
			}
			status, message, err := runHealth(string(script), obj)
			if err != nil {
				t.Fatal(err)
			}
			if status != tc.HealthStatus.Status {
				t.Errorf("status = %q, want %q (message %q)", status, tc.HealthStatus.Status, message)
			}
			if tc.HealthStatus.Message != "" && message != tc.HealthStatus.Message {
				t.Errorf("message = %q, want %q", message, tc.HealthStatus.Message)
			}
		})
	}
	// Every input is exercised by some test.
	inputs, _ := filepath.Glob(filepath.Join(dir, "testdata", "*.yaml"))
	for _, in := range inputs {
		rel, _ := filepath.Rel(dir, in)
		if !used[rel] {
			t.Errorf("%s is not used by health_test.yaml", in)
		}
	}
}

// readObject decodes a YAML manifest the way Argo CD holds a live object:
// as JSON, so numbers are float64 and only JSON types appear.
func readObject(t *testing.T, path string) map[string]any {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	js, err := yaml.YAMLToJSON(raw)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var obj map[string]any
	if err := json.Unmarshal(js, &obj); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return obj
}

// runHealth runs a health script with obj as the global obj and reads the
// table it returns. Only the libraries Argo CD offers health scripts are
// opened (no os, io or package loading).
func runHealth(script string, obj map[string]any) (status, message string, err error) {
	L := lua.NewState(lua.Options{SkipOpenLibs: true})
	defer L.Close()
	for _, lib := range []struct {
		name string
		open lua.LGFunction
	}{
		{lua.BaseLibName, lua.OpenBase},
		{lua.TabLibName, lua.OpenTable},
		{lua.StringLibName, lua.OpenString},
		{lua.MathLibName, lua.OpenMath},
	} {
		L.Push(L.NewFunction(lib.open))
		L.Push(lua.LString(lib.name))
		if err := L.PCall(1, 0, nil); err != nil {
			return "", "", err
		}
	}
	L.SetGlobal("obj", toLua(L, obj))
	if err := L.DoString(script); err != nil {
		return "", "", err
	}
	ret, ok := L.Get(-1).(*lua.LTable)
	if !ok {
		return "", "", fmt.Errorf("the script returned %s, want a table", L.Get(-1).Type())
	}
	s, ok := ret.RawGetString("status").(lua.LString)
	if !ok {
		return "", "", fmt.Errorf("the returned table has no string status")
	}
	if m, ok := ret.RawGetString("message").(lua.LString); ok {
		message = string(m)
	}
	return string(s), message, nil
}

// toLua converts decoded JSON into Lua values: objects and arrays become
// tables (arrays 1-based, so ipairs works), null becomes nil.
func toLua(L *lua.LState, v any) lua.LValue {
	switch v := v.(type) {
	case map[string]any:
		tbl := L.NewTable()
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			tbl.RawSetString(k, toLua(L, v[k]))
		}
		return tbl
	case []any:
		tbl := L.NewTable()
		for _, e := range v {
			tbl.Append(toLua(L, e))
		}
		return tbl
	case string:
		return lua.LString(v)
	case float64:
		return lua.LNumber(v)
	case bool:
		return lua.LBool(v)
	}
	return lua.LNil
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}
