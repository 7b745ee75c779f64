#!/usr/bin/env bash
# A private MariaDB server on loopback for tests and `npm run cluster`, data in the git-ignored .data/mariadb.
# Ignores the machine's /etc/mysql config (--no-defaults) and never touches a system MariaDB.
#   mariadb.sh start    initialise the data folder on first use, start, ensure database and user (idempotent)
#   mariadb.sh stop     clean shutdown, SIGKILL after 60 s (idempotent)
#   mariadb.sh status   exit 0 when running and accepting the chatroom user
# Database `chatroom`, user chatroom/chatroom with all privileges on it and on `chatroom_*` (tests may create a
# database each); root logs in over the unix socket only (unix_socket auth for the OS user that ran the first start).
# Environment: MYSQL_PORT (13306), MARIADB_START_TIMEOUT seconds (60); INFRA_HOST, INFRA_DATA_DIR (lib.sh).
set -euo pipefail
infra_name=mariadb
# shellcheck source=scripts/infra/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

port="${MYSQL_PORT:-13306}"
data="$infra_data/mariadb"
pidfile="$data/mariadbd.pid"
logfile="$data/mariadbd.log"
socket="$(infra_socket_path "$data/mariadbd.sock")"
pattern="--datadir=$data/db"
client="$(infra_find_bin mariadb mysql || echo mariadb)"

ensure_binaries() {
  if ! infra_find_bin mariadbd mysqld >/dev/null || ! infra_find_bin mariadb-install-db mysql_install_db >/dev/null ||
    ! infra_find_bin mariadb mysql >/dev/null; then
    infra_apt_install mariadb-server mariadb-client
  fi
  mariadbd="$(infra_find_bin mariadbd mysqld)" || infra_die "no mariadbd after installing mariadb-server"
  install_db="$(infra_find_bin mariadb-install-db mysql_install_db)" || infra_die "no mariadb-install-db"
  client="$(infra_find_bin mariadb mysql)" || infra_die "no mariadb client"
}

run_as() {
  # mariadbd refuses to run as root unless told to; as another user it runs as that user.
  if [ "$(id -u)" -eq 0 ]; then echo "--user=root"; fi
}

root_sql() {
  "$client" --no-defaults --protocol=socket -S "$socket" -uroot -N -B -e "$1"
}

ping_root() {
  root_sql "SELECT 1" >/dev/null 2>&1
}

ping_app() {
  "$client" --no-defaults --protocol=tcp -h"$infra_host" -P"$port" -uchatroom -pchatroom chatroom -N -B -e "SELECT 1" \
    >/dev/null 2>&1
}

initialise() {
  [ -d "$data/db/mysql" ] && return 0
  infra_say "initialising $data/db"
  rm -rf "$data/db"
  mkdir -p "$data/db"
  # shellcheck disable=SC2046
  "$install_db" --no-defaults --datadir="$data/db" $(run_as) --auth-root-authentication-method=socket \
    --auth-root-socket-user="$(id -un)" --skip-test-db --skip-name-resolve >"$data/install-db.log" 2>&1 || {
    infra_log_tail "$data/install-db.log"
    rm -rf "$data/db"
    infra_die "mariadb-install-db failed"
  }
}

provision() {
  root_sql "
    CREATE DATABASE IF NOT EXISTS chatroom CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
    CREATE USER IF NOT EXISTS 'chatroom'@'%' IDENTIFIED BY 'chatroom';
    CREATE USER IF NOT EXISTS 'chatroom'@'localhost' IDENTIFIED BY 'chatroom';
    GRANT ALL PRIVILEGES ON \`chatroom\`.* TO 'chatroom'@'%', 'chatroom'@'localhost';
    GRANT ALL PRIVILEGES ON \`chatroom\\_%\`.* TO 'chatroom'@'%', 'chatroom'@'localhost';
    DROP USER IF EXISTS ''@'localhost';
    DROP USER IF EXISTS ''@'$(hostname)';
    FLUSH PRIVILEGES;" || infra_die "could not create the chatroom database and user"
}

start() {
  infra_lock
  if infra_pid_alive "$pidfile" "$pattern"; then
    if infra_wait_until "${MARIADB_START_TIMEOUT:-60}" "$pidfile" "$pattern" ping_app; then
      infra_say "already running on $infra_host:$port (pid $(cat "$pidfile"))"
      return 0
    fi
    infra_log_tail "$logfile"
    infra_die "pid $(cat "$pidfile") runs but does not accept the chatroom user on $infra_host:$port; run mariadb.sh stop"
  fi
  ensure_binaries
  infra_port_free_or_die "$port"
  local t0
  t0="$(infra_now_us)"
  mkdir -p "$data/tmp"
  initialise
  rm -f "$socket"
  : >"$logfile"
  # setsid: the server must outlive the caller (a test process); 9>&-: it must not hold the start lock.
  # innodb_flush_log_at_trx_commit=2: a test database need not survive an OS crash; commits stay fast.
  # shellcheck disable=SC2046
  setsid bash -c 'echo $$ >"$1"; shift; exec "$@"' _ "$pidfile" \
    "$mariadbd" --no-defaults --datadir="$data/db" $(run_as) --port="$port" --bind-address="$infra_host" \
    --socket="$socket" --pid-file="$pidfile" --log-error="$logfile" --tmpdir="$data/tmp" --skip-name-resolve \
    --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci --max-connections=500 \
    --innodb-buffer-pool-size=128M --innodb-flush-log-at-trx-commit=2 --skip-log-bin \
    </dev/null >>"$logfile" 2>&1 9>&- &
  local rc=0
  infra_wait_until "${MARIADB_START_TIMEOUT:-60}" "$pidfile" "$pattern" ping_root || rc=$?
  if [ "$rc" -ne 0 ]; then
    infra_log_tail "$logfile"
    [ "$rc" -eq 2 ] && infra_die "mariadbd exited during startup (log: $logfile)"
    infra_stop_pid "$pidfile" "$pattern" 60
    infra_die "mariadbd did not accept connections on $socket within ${MARIADB_START_TIMEOUT:-60}s (log: $logfile)"
  fi
  provision
  ping_app || infra_die "the chatroom user cannot log in over $infra_host:$port"
  infra_mark_started
  infra_say "MariaDB $("$mariadbd" --version | grep -o 'Ver [^ ]*' | cut -c5-) up on $infra_host:$port (pid $(cat "$pidfile"), $(infra_elapsed "$t0"))"
}

stop() { infra_stop "$pidfile" "$pattern" 60; }

status() { infra_status "$pidfile" "$pattern" ping_app; }

case "${1:-}" in
start) start ;;
stop) stop ;;
status) status ;;
*)
  echo "usage: $0 {start|stop|status}" >&2
  exit 2
  ;;
esac
