#!/usr/bin/env bash
# `npm run bench`: raises the open-files limit to the hard limit (every connection is a descriptor on both sides;
# servers and load workers inherit it), then runs the harness with Node 24. Arguments go to scripts/bench/main.ts.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
hard="$(ulimit -Hn)"
if [ "$hard" != "unlimited" ] && [ "$hard" -lt 110000 ]; then
  echo "bench: open-files hard limit is $hard (ulimit -Hn): about $((hard - 500)) connections per process at most" >&2
fi
ulimit -n "$hard" 2>/dev/null || ulimit -n 1048576 2>/dev/null || true
cd "$here/../.."
exec bash scripts/node.sh node scripts/bench/main.ts "$@"
