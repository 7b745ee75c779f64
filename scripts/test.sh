#!/usr/bin/env bash
# `npm test`: every check and test of the project (see README). Fails loudly when something it needs is missing.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/ensure-node.sh"
source "$here/ensure-deps.sh"
source "$here/ensure-chromium.sh"
cd "$here/.."
echo "== Kubernetes tools (helm, etcd, the kube hyperkube, hadolint; the test cluster's packages, pause, coredns)"
bash "$here/k8s/install-tools.sh" --cluster
echo "== test cluster images (buildah: the Dockerfile on a debootstrap base; cached layers reused)"
# Built here rather than inside test/k8s/cluster.test.ts: a cold build takes minutes, more than a test's timeout.
bash "$here/k8s/images.sh"
export PATH="$PWD/node_modules/.bin:$PATH"

echo "== typecheck (tsc --noEmit)"
tsc -p tsconfig.json
echo "== lint (biome)"
biome ci --reporter=summary .
echo "== protos (buf lint, regenerate and diff)"
bash scripts/proto-gen.sh --check
echo "== web client bundle"
node packages/web/build.ts

echo "== tests (node --test)"
# Test files: *.test.ts anywhere under proto, packages, services and test/. Arguments narrow the run.
if [ "$#" -gt 0 ]; then
  files=("$@")
else
  mapfile -t files < <(git ls-files --cached --others --exclude-standard -- '*.test.ts' | sort)
fi
if [ "${#files[@]}" -eq 0 ]; then
  echo "no test files found" >&2
  exit 1
fi
exec node --test --test-reporter=spec --test-timeout=180000 --test-global-setup=test/support/global-setup.ts "${files[@]}"
