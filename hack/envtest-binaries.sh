#!/usr/bin/env bash
# Builds the kube-apiserver and etcd binaries that envtest and the local
# control plane need, from the Go module proxy. setup-envtest downloads
# prebuilt binaries from release buckets, which this project cannot rely on;
# both programs are published as Go modules, so the toolchain can build them.
#
# Usage: hack/envtest-binaries.sh <output-dir>
# Skips the build when both binaries are already present in <output-dir>.
set -euo pipefail

K8S_VERSION="${K8S_VERSION:-1.37.2}"
ETCD_VERSION="${ETCD_VERSION:-3.6.16}"
out="${1:?usage: $0 <output-dir>}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"

if [[ -x "$out/kube-apiserver" && -x "$out/etcd" ]]; then
  exit 0
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# shellcheck source=lib/k8s-command.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/k8s-command.sh"

if [[ ! -x "$out/etcd" ]]; then
  echo ">> building etcd v${ETCD_VERSION}" >&2
  mkdir -p "$work/etcd"
  cd "$work/etcd"
  go mod init envtest.local/etcd >/dev/null 2>&1
  cat > main.go <<'GO'
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
GO
  go get "go.etcd.io/etcd/server/v3@v${ETCD_VERSION}" >/dev/null 2>&1
  go mod tidy >/dev/null 2>&1
  go build -o "$out/etcd.tmp" . && mv "$out/etcd.tmp" "$out/etcd"
fi

if [[ ! -x "$out/kube-apiserver" ]]; then
  echo ">> building kube-apiserver v${K8S_VERSION} (a few minutes the first time)" >&2
  mkdir -p "$work/apiserver"
  cd "$work/apiserver"
  build_k8s_command "$K8S_VERSION" kube-apiserver "$out/kube-apiserver"
fi
echo ">> envtest binaries ready in $out" >&2
