# shellcheck shell=bash
# Sourced by hack/envtest-binaries.sh and hack/tool-binaries.sh.

# build_k8s_command VERSION CMD OUTPUT [LDFLAGS]
#
# Builds k8s.io/kubernetes/cmd/CMD at VERSION (e.g. 1.37.2) into OUTPUT, in
# the current directory, which should be empty. The command's main package
# lives in k8s.io/kubernetes, whose go.mod replaces every staging module
# (k8s.io/client-go, k8s.io/apiserver...) with a local path; a module that
# requires it must pin each one to its published release (v0.MINOR.PATCH)
# instead. The version variables are what the command reports about
# itself; without them it says v0.0.0 and kubectl's skew warning fires.
# Both scripts use the same compile flags, so the packages kubectl shares
# with kube-apiserver come from the build cache.
build_k8s_command() {
  local version="$1" cmd="$2" output="$3" ldflags="${4:-}"
  local minor="${version#*.}"; minor="${minor%%.*}"
  local staging="0.${minor}.${version##*.}"
  go mod download "k8s.io/kubernetes@v${version}"
  local modfile
  modfile="$(go env GOMODCACHE)/cache/download/k8s.io/kubernetes/@v/v${version}.mod"
  {
    echo "module tools.local/${cmd}"
    echo
    echo "go 1.26"
    echo
    echo "require k8s.io/kubernetes v${version}"
    echo
    grep -oE '^\s*k8s\.io/[a-z0-9-]+ => \./staging' "$modfile" \
      | awk '{print "replace " $1 " => " $1 " v'"${staging}"'"}'
  } > go.mod
  printf '//go:build tools\n\npackage tools\n\nimport _ "k8s.io/kubernetes/cmd/%s"\n' "$cmd" > tools.go
  go mod tidy >/dev/null 2>&1
  go build \
    -ldflags "${ldflags} -X k8s.io/component-base/version.gitVersion=v${version} -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=${minor}" \
    -o "${output}.tmp" "k8s.io/kubernetes/cmd/${cmd}"
  mv "${output}.tmp" "$output"
}
