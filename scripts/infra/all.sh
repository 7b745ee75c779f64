#!/usr/bin/env bash
# Kafka, MariaDB and Redis together (see kafka.sh, mariadb.sh, redis.sh), for `npm run cluster` and the tests.
#   all.sh start [service…]      start the three (or the named ones: redis, mariadb, kafka; idempotent), then print
#                                the env lines the services and tests read. With INFRA_STARTED_DIR set, each service
#                                this call really starts (not one already running) leaves a marker file there.
#   all.sh stop-started <dir>    stop only the services with a marker in <dir> (what one caller started), remove
#                                the markers; services someone else started keep running
#   all.sh stop                  stop the three, whoever started them
#   all.sh status                one line each; exit 0 only when all three run
#   all.sh env                   print the env lines only (e.g. `eval "$(bash scripts/infra/all.sh env)"`)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
services=(redis mariadb kafka)

print_env() {
  echo "export KAFKA_BROKERS=127.0.0.1:${KAFKA_PORT:-19092}"
  echo "export MYSQL_URL=mysql://chatroom:chatroom@127.0.0.1:${MYSQL_PORT:-13306}/chatroom"
  echo "export REDIS_URL=redis://127.0.0.1:${REDIS_PORT:-16379}"
}

case "${1:-}" in
start)
  shift
  wanted=("${@:-${services[@]}}")
  for s in "${wanted[@]}"; do
    case " ${services[*]} " in *" $s "*) ;; *)
      echo "all.sh: unknown service $s (one of: ${services[*]})" >&2
      exit 2
      ;;
    esac
  done
  # Sequential: on two cores, a parallel start only makes the JVM's start slower.
  for s in "${wanted[@]}"; do
    if [ -n "${INFRA_STARTED_DIR:-}" ]; then
      INFRA_STARTED_MARKER="$INFRA_STARTED_DIR/$s" bash "$here/$s.sh" start
    else
      bash "$here/$s.sh" start
    fi
  done
  print_env
  ;;
stop-started)
  dir="${2:?usage: $0 stop-started <dir>}"
  rc=0
  for s in kafka mariadb redis; do
    [ -e "$dir/$s" ] || continue
    if bash "$here/$s.sh" stop; then rm -f "$dir/$s"; else rc=1; fi
  done
  exit "$rc"
  ;;
stop)
  rc=0
  for s in kafka mariadb redis; do bash "$here/$s.sh" stop || rc=1; done
  exit "$rc"
  ;;
status)
  rc=0
  for s in "${services[@]}"; do bash "$here/$s.sh" status || rc=3; done
  exit "$rc"
  ;;
env) print_env ;;
*)
  echo "usage: $0 {start [service…]|stop-started <dir>|stop|status|env}" >&2
  exit 2
  ;;
esac
