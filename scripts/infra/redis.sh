#!/usr/bin/env bash
# A private Redis on loopback for tests and `npm run cluster`: no persistence, working folder the git-ignored
# .data/redis. Never touches a system Redis.
#   redis.sh start    start daemonized, wait for PING (idempotent)
#   redis.sh stop     SHUTDOWN via SIGTERM, SIGKILL after 30 s (idempotent)
#   redis.sh status   exit 0 when running and answering PING
# Environment: REDIS_PORT (16379), REDIS_START_TIMEOUT seconds (30); INFRA_HOST, INFRA_DATA_DIR (lib.sh).
set -euo pipefail
infra_name=redis
# shellcheck source=scripts/infra/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

port="${REDIS_PORT:-16379}"
data="$infra_data/redis"
pidfile="$data/redis.pid"
logfile="$data/redis.log"
pattern="$infra_host:$port"
# Off the loopback (INFRA_HOST: the test cluster's bridge) clients come from pods: protected mode would refuse them.
protected_mode=yes
[ "$infra_host" = 127.0.0.1 ] || protected_mode=no

ping_ok() {
  local reply
  reply="$(
    exec 2>/dev/null
    exec 3<>"/dev/tcp/$infra_host/$port" || exit 1
    printf 'PING\r\n' >&3
    timeout 2 head -c 7 <&3
  )" || return 1
  [ "${reply%$'\r'}" = "+PONG" ]
}

start() {
  infra_lock
  if infra_pid_alive "$pidfile" "$pattern"; then
    if infra_wait_until "${REDIS_START_TIMEOUT:-30}" "$pidfile" "$pattern" ping_ok; then
      infra_say "already running on $infra_host:$port (pid $(cat "$pidfile"))"
      return 0
    fi
    infra_log_tail "$logfile"
    infra_die "pid $(cat "$pidfile") runs but does not answer PING on $infra_host:$port; run redis.sh stop"
  fi
  local server
  server="$(infra_find_bin redis-server)" || {
    infra_apt_install redis-server
    server="$(infra_find_bin redis-server)" || infra_die "no redis-server after installing it"
  }
  infra_port_free_or_die "$port"
  local t0
  t0="$(infra_now_us)"
  mkdir -p "$data"
  rm -f "$pidfile"
  : >"$logfile"
  # --daemonize: redis forks into the background and writes the pid file itself; 9>&-: it must not hold the lock.
  "$server" --bind "$infra_host" --port "$port" --dir "$data" --save "" --appendonly no --daemonize yes \
    --pidfile "$pidfile" --logfile "$logfile" --protected-mode "$protected_mode" --databases 16 </dev/null >>"$logfile" 2>&1 9>&- ||
    {
      infra_log_tail "$logfile"
      infra_die "redis-server failed to start"
    }
  local rc=0
  infra_wait_until "${REDIS_START_TIMEOUT:-30}" "$pidfile" "$pattern" ping_ok || rc=$?
  if [ "$rc" -ne 0 ]; then
    infra_log_tail "$logfile"
    [ "$rc" -eq 2 ] && infra_die "redis-server exited during startup (log: $logfile)"
    infra_stop_pid "$pidfile" "$pattern" 30
    infra_die "redis-server did not answer PING on $infra_host:$port within ${REDIS_START_TIMEOUT:-30}s"
  fi
  infra_mark_started
  infra_say "Redis $("$server" --version | grep -o 'v=[^ ]*' | cut -c3-) up on $infra_host:$port (pid $(cat "$pidfile"), $(infra_elapsed "$t0"))"
}

stop() { infra_stop "$pidfile" "$pattern" 30; }

status() { infra_status "$pidfile" "$pattern" ping_ok; }

case "${1:-}" in
start) start ;;
stop) stop ;;
status) status ;;
*)
  echo "usage: $0 {start|stop|status}" >&2
  exit 2
  ;;
esac
