#!/usr/bin/env bash
# Kafka, MariaDB and Redis together (see kafka.sh, mariadb.sh, redis.sh), for `npm run cluster` and the tests.
#   all.sh start    start the three (idempotent), then print the env lines the services and tests read
#   all.sh stop     stop the three
#   all.sh status   one line each; exit 0 only when all three run
#   all.sh env      print the env lines only (e.g. `eval "$(bash scripts/infra/all.sh env)"`)
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
  # Sequential: on two cores, a parallel start only makes the JVM's start slower.
  for s in "${services[@]}"; do bash "$here/$s.sh" start; done
  print_env
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
  echo "usage: $0 {start|stop|status|env}" >&2
  exit 2
  ;;
esac
