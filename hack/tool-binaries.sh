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
# shellcheck source=lib/k8s-command.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/k8s-command.sh"

# kubectl's main package lives in k8s.io/kubernetes (see
# hack/lib/k8s-command.sh for what building from it takes).
build_kubectl() {
  local bin="$out/kubectl-v${KUBECTL_VERSION}"
  [[ -x "$bin" ]] && return 0
  echo ">> building kubectl v${KUBECTL_VERSION} (a few minutes the first time)" >&2
  mkdir -p "$work/kubectl" && cd "$work/kubectl"
  build_k8s_command "$KUBECTL_VERSION" kubectl "$bin" "-s -w"
}

# go_install NAME VERSION PACKAGE [LDFLAGS] builds a module that has no
# replace directives: `go install pkg@version` builds it in a temporary
# module of its own.
go_install() {
  local name="$1" version="$2" pkg="$3" ldflags="${4:-}"
  local bin="$out/${name}-${version}"
  [[ -x "$bin" ]] && return 0
  echo ">> building ${name} ${version}" >&2
  mkdir -p "$work/$name"
  CGO_ENABLED=0 GOBIN="$work/$name" go install -trimpath ${ldflags:+-ldflags "$ldflags"} "${pkg}@${version}"
  mv "$work/$name/$name" "$bin"
}

for tool in "$@"; do
  case "$tool" in
    kubectl) build_kubectl ;;
    # The ldflag is what `helm version` prints.
    helm) go_install helm "$HELM_VERSION" helm.sh/helm/v4/cmd/helm \
      "-s -w -X helm.sh/helm/v4/internal/version.version=${HELM_VERSION}" ;;
    crd-ref-docs) go_install crd-ref-docs "$CRD_REF_DOCS_VERSION" github.com/elastic/crd-ref-docs ;;
    *) echo "unknown tool $tool" >&2; exit 2 ;;
  esac
done
