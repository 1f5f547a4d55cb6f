#!/usr/bin/env bash
# Builds the command-line tools the end-to-end, packaging and docs checks
# run: kubectl, helm and crd-ref-docs. Like hack/envtest-binaries.sh, they
# come from the Go module proxy and are built outside the project's module,
# so none of them becomes a dependency of the operator. Each binary's name
# carries its version, so changing a version builds a new one and an old
# binary is never mistaken for the current one.
#
# Usage: hack/tool-binaries.sh <output-dir> kubectl|helm|crd-ref-docs...
# Prints nothing on a cache hit; the path of each binary is
#   <output-dir>/kubectl-v$KUBECTL_VERSION
#   <output-dir>/helm-$HELM_VERSION
#   <output-dir>/crd-ref-docs-$CRD_REF_DOCS_VERSION
set -euo pipefail

KUBECTL_VERSION="${KUBECTL_VERSION:-1.37.2}"
HELM_VERSION="${HELM_VERSION:-v4.3.1}"
CRD_REF_DOCS_VERSION="${CRD_REF_DOCS_VERSION:-v0.3.0}"
out="${1:?usage: $0 <output-dir> kubectl|helm|crd-ref-docs...}"
shift
mkdir -p "$out"
out="$(cd "$out" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# kubectl's main package lives in k8s.io/kubernetes, whose go.mod replaces
# every staging module (k8s.io/kubectl, k8s.io/client-go...) with a local
# path; a module that requires it must pin each one to its published
# release instead (the same pins hack/envtest-binaries.sh uses).
build_kubectl() {
  local bin="$out/kubectl-v${KUBECTL_VERSION}"
  [[ -x "$bin" ]] && return 0
  echo ">> building kubectl v${KUBECTL_VERSION} (a few minutes the first time)" >&2
  local minor="${KUBECTL_VERSION#*.}"; minor="${minor%%.*}"
  local staging="0.${minor}.${KUBECTL_VERSION##*.}"
  mkdir -p "$work/kubectl" && cd "$work/kubectl"
  go mod download "k8s.io/kubernetes@v${KUBECTL_VERSION}"
  local modfile
  modfile="$(go env GOMODCACHE)/cache/download/k8s.io/kubernetes/@v/v${KUBECTL_VERSION}.mod"
  {
    echo "module tools.local/kubectl"
    echo
    echo "go 1.26"
    echo
    echo "require k8s.io/kubernetes v${KUBECTL_VERSION}"
    echo
    grep -oE '^\s*k8s\.io/[a-z0-9-]+ => \./staging' "$modfile" \
      | awk '{print "replace " $1 " => " $1 " v'"${staging}"'"}'
  } > go.mod
  cat > tools.go <<'GO'
//go:build tools

package tools

import _ "k8s.io/kubernetes/cmd/kubectl"
GO
  go mod tidy >/dev/null 2>&1
  # The version variables are what `kubectl version` prints; without them
  # it reports v0.0.0 and the version skew warning fires. The compile
  # flags are those of hack/envtest-binaries.sh, so that the packages
  # kubectl shares with kube-apiserver come from the build cache.
  go build \
    -ldflags "-s -w -X k8s.io/component-base/version.gitVersion=v${KUBECTL_VERSION} -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=${minor}" \
    -o "$bin.tmp" k8s.io/kubernetes/cmd/kubectl
  mv "$bin.tmp" "$bin"
}

# helm has no replace directives, so `go install pkg@version` builds it in
# a temporary module of its own; the ldflag is what `helm version` prints.
build_helm() {
  local bin="$out/helm-${HELM_VERSION}"
  [[ -x "$bin" ]] && return 0
  echo ">> building helm ${HELM_VERSION}" >&2
  mkdir -p "$work/helm"
  CGO_ENABLED=0 GOBIN="$work/helm" go install -trimpath \
    -ldflags "-s -w -X helm.sh/helm/v4/internal/version.version=${HELM_VERSION}" \
    "helm.sh/helm/v4/cmd/helm@${HELM_VERSION}"
  mv "$work/helm/helm" "$bin"
}

build_crd_ref_docs() {
  local bin="$out/crd-ref-docs-${CRD_REF_DOCS_VERSION}"
  [[ -x "$bin" ]] && return 0
  echo ">> building crd-ref-docs ${CRD_REF_DOCS_VERSION}" >&2
  mkdir -p "$work/crd-ref-docs"
  CGO_ENABLED=0 GOBIN="$work/crd-ref-docs" go install -trimpath \
    "github.com/elastic/crd-ref-docs@${CRD_REF_DOCS_VERSION}"
  mv "$work/crd-ref-docs/crd-ref-docs" "$bin"
}

for tool in "$@"; do
  case "$tool" in
    kubectl) build_kubectl ;;
    helm) build_helm ;;
    crd-ref-docs) build_crd_ref_docs ;;
    *) echo "unknown tool $tool" >&2; exit 2 ;;
  esac
done
