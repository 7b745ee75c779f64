#!/usr/bin/env bash
# Regenerates proto/src/gen from proto/**/*.proto with buf + ts-proto and lints the protos.
# --check: regenerate into a temporary folder and fail when the committed code differs.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/ensure-node.sh"
source "$here/ensure-deps.sh"
cd "$here/../proto"
buf="../node_modules/.bin/buf"
"$buf" lint
if [ "${1:-}" = "--check" ]; then
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  "$buf" generate -o "$tmp"
  if ! diff -r "$tmp/src/gen" src/gen >/dev/null; then
    diff -ru src/gen "$tmp/src/gen" | head -40
    echo "proto/src/gen is stale: run npm run proto and commit the result" >&2
    exit 1
  fi
  echo "proto: generated code is up to date"
else
  rm -rf src/gen
  "$buf" generate
  echo "proto: generated proto/src/gen"
fi
