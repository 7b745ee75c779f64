#!/usr/bin/env bash
# `npm start`: the whole chat in one process on in-process backends (see README).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/ensure-node.sh"
source "$here/ensure-deps.sh"
cd "$here/.."
node packages/web/build.ts
exec node services/all-in-one/src/main.ts "$@"
