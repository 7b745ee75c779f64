#!/usr/bin/env bash
# Runs a command with Node 24 first on PATH and the npm dependencies installed (see ensure-node.sh).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/ensure-node.sh
source "$here/ensure-node.sh"
# shellcheck source=scripts/ensure-deps.sh
source "$here/ensure-deps.sh"
export PATH="$here/../node_modules/.bin:$PATH"
exec "$@"
