#!/usr/bin/env bash
# `npm test`: every check and test of the project (see README). Fails loudly when something it needs is missing.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/ensure-node.sh"
source "$here/ensure-deps.sh"
cd "$here/.."
# --tier=unit|integration|k8s narrows the run to one tier (scripts/test-files.ts says which file is in which);
# without it, every tier runs. The checks (typecheck, lint, protos, bundle) run in every case.
tier=all
if [[ "${1:-}" == --tier=* ]]; then
  tier="${1#--tier=}"
  shift
fi
case "$tier" in
  all | unit | integration | k8s) ;;
  *)
    echo "unknown tier '$tier' (unit, integration, k8s)" >&2
    exit 2
    ;;
esac
if [ "$tier" = all ] || [ "$tier" = integration ]; then
  source "$here/ensure-chromium.sh" # the browser tests
fi
if [ "$tier" = all ] || [ "$tier" = k8s ]; then
  echo "== Kubernetes tools (helm, etcd, the kube hyperkube, hadolint; the test cluster's packages, pause, coredns)"
  bash "$here/k8s/install-tools.sh" --cluster
  echo "== test cluster images (buildah: the Dockerfile on a debootstrap base; cached layers reused)"
  # Built here rather than inside test/k8s/cluster.test.ts: a cold build takes minutes, more than a test's timeout.
  bash "$here/k8s/images.sh"
fi
export PATH="$PWD/node_modules/.bin:$PATH"

echo "== typecheck (tsc --noEmit)"
tsc -p tsconfig.json
echo "== lint (biome)"
biome ci --reporter=summary .
echo "== protos (buf lint, regenerate and diff)"
bash scripts/proto-gen.sh --check
echo "== web client bundle"
node packages/web/build.ts

echo "== tests (node --test, tier: $tier)"
# Test files: *.test.ts anywhere under proto, packages, services and test/. Arguments narrow the run.
if [ "$#" -gt 0 ]; then
  files=("$@")
else
  mapfile -t files < <(node scripts/test-files.ts "$tier")
fi
if [ "${#files[@]}" -eq 0 ]; then
  echo "no test files found" >&2
  exit 1
fi
# Unit test files share nothing (no service, port or process of their own), so several run at once; the other
# tiers share Kafka/MySQL/Redis and measure heartbeats, so their files run one after another.
concurrency=1
if [ "$tier" = unit ]; then concurrency=4; fi
exec node --test --test-reporter=spec --test-timeout=180000 --test-concurrency="$concurrency" \
  --test-global-setup=test/support/global-setup.ts "${files[@]}"
