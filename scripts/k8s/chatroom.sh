#!/bin/sh
# The container image's command (installed as /usr/local/bin/chatroom, run under tini from /app):
#   chatroom [comet|logic|job|migrate|all-in-one] [args…]   runs that service (default all-in-one)
#   chatroom <other command> [args…]                         runs the command as given (node --watch …, sh)
# exec: node replaces this shell, so that the signals tini forwards (SIGTERM: drain and stop) reach it.
set -e
command="${1:-all-in-one}"
[ "$#" -gt 0 ] && shift
# A comet runs with V8 flags for many idle connections (docs/benchmarks.md, "Comet memory"); COMET_NODE_FLAGS
# replaces them ("" for none; the Helm chart sets it from comet.nodeFlags). Same default as scripts/cluster.
comet_flags="${COMET_NODE_FLAGS---max-semi-space-size=1}"
case "$command" in
  # shellcheck disable=SC2086 # the flags are words
  comet) exec node $comet_flags "services/comet/src/main.ts" "$@" ;;
  logic | job | all-in-one) exec node "services/$command/src/main.ts" "$@" ;;
  migrate) exec node scripts/migrate.ts "$@" ;;
  *) exec "$command" "$@" ;;
esac
