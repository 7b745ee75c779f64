#!/bin/sh
# The container image's command (installed as /usr/local/bin/chatroom, run under tini from /app):
#   chatroom [comet|logic|job|migrate|all-in-one] [args…]   runs that service (default all-in-one)
#   chatroom <other command> [args…]                         runs the command as given (node --watch …, sh)
# exec: node replaces this shell, so that the signals tini forwards (SIGTERM: drain and stop) reach it.
set -e
command="${1:-all-in-one}"
[ "$#" -gt 0 ] && shift
case "$command" in
  comet | logic | job | all-in-one) exec node "services/$command/src/main.ts" "$@" ;;
  migrate) exec node scripts/migrate.ts "$@" ;;
  *) exec "$command" "$@" ;;
esac
