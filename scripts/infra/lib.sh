# Sourced by the infra scripts (kafka.sh, mariadb.sh, redis.sh): paths, a per-service lock, pid-file process
# control and waiting with a deadline. The caller sets `infra_name` (used in messages and the lock file name) before
# sourcing. Services run detached (own session) so they outlive the shell or test process that started them;
# only `<service>.sh stop` ends them.
# shellcheck shell=bash
infra_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# INFRA_DATA_DIR and INFRA_HOST run a second, separate set of services: the Kubernetes test cluster's external
# Kafka, MariaDB and Redis listen on its bridge address, where pods reach them (scripts/k8s/cluster/services.ts).
infra_data="${INFRA_DATA_DIR:-$infra_root/.data}"
infra_host="${INFRA_HOST:-127.0.0.1}"
infra_tools="$infra_root/.tools"

infra_say() { echo "$infra_name: $*" >&2; }

infra_die() {
  echo "$infra_name: ERROR: $*" >&2
  exit 1
}

# Serialises start/stop of one service across concurrent callers (parallel test processes): the second caller waits
# here, then finds the service running and returns at once. Children must not inherit fd 9 (launch with `9>&-`),
# or a long-running service would hold the lock forever.
infra_lock() {
  mkdir -p "$infra_data"
  exec 9>"$infra_data/$infra_name.lock"
  flock -w 600 9 || infra_die "timed out waiting for $infra_data/$infra_name.lock"
}

# True while the process exists and is not a zombie (an orphan stays a zombie until init reaps it, which can take
# seconds on some machines).
infra_running() {
  local state
  kill -0 "$1" 2>/dev/null || return 1
  state="$(sed -E 's/^[0-9]+ \(.*\) ([A-Za-z]).*/\1/' "/proc/$1/stat" 2>/dev/null)" || return 1
  [ "$state" != "Z" ] && [ "$state" != "X" ]
}

# True when the pid file names a live process whose command line contains $2 (guards against pid reuse).
infra_pid_alive() {
  local file=$1 pattern=$2 pid
  [ -s "$file" ] || return 1
  pid="$(cat "$file")"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  infra_running "$pid" || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$pattern"
}

infra_port_open() {
  (exec 3<>"/dev/tcp/$infra_host/$1") 2>/dev/null
}

# Fails when something that is not ours already listens on the port (a stale process or another program).
infra_port_free_or_die() {
  if infra_port_open "$1"; then
    infra_die "port $infra_host:$1 is already in use by another process (ss -ltnp 'sport = :$1' shows which); stop it or set the port variable"
  fi
}

# Polls `$@` every 0.1 s until it succeeds, for at most $1 seconds; fails early (status 2) when the process of the pid
# file has not existed for 2 s (a crash at startup; the grace covers a pid file written late, as mariadbd does).
infra_wait_until() {
  local seconds=$1 pidfile=$2 pattern=$3
  shift 3
  local deadline=$((SECONDS + seconds)) missing=0
  while ((SECONDS < deadline)); do
    if "$@"; then return 0; fi
    if [ -n "$pidfile" ] && ! infra_pid_alive "$pidfile" "$pattern"; then
      missing=$((missing + 1))
      ((missing < 20)) || return 2
    else
      missing=0
    fi
    sleep 0.1
  done
  return 1
}

# Called after a start that really started the service (not "already running"): touches $INFRA_STARTED_MARKER when
# the caller set it, so a test run's global teardown stops only what the tests themselves started.
infra_mark_started() {
  if [ -n "${INFRA_STARTED_MARKER:-}" ]; then
    mkdir -p "$(dirname "$INFRA_STARTED_MARKER")"
    : >"$INFRA_STARTED_MARKER"
  fi
}

infra_log_tail() {
  echo "---- last ${2:-80} lines of $1" >&2
  tail -n "${2:-80}" "$1" >&2 2>/dev/null || echo "(no log)" >&2
  echo "----" >&2
}

# Sends SIGTERM to the pid-file process, waits up to $3 seconds for it to exit, then SIGKILLs it.
infra_stop_pid() {
  local pidfile=$1 pattern=$2 seconds=$3 pid
  if ! infra_pid_alive "$pidfile" "$pattern"; then
    rm -f "$pidfile"
    return 0
  fi
  pid="$(cat "$pidfile")"
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + seconds))
  while infra_running "$pid" && ((SECONDS < deadline)); do sleep 0.1; done
  if infra_running "$pid"; then
    infra_say "pid $pid did not stop within ${seconds}s; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    while infra_running "$pid"; do sleep 0.1; done
  fi
  rm -f "$pidfile"
}

infra_elapsed() {
  echo "$(((${EPOCHREALTIME/./} - $1) / 1000)) ms"
}

infra_now_us() {
  echo "${EPOCHREALTIME/./}"
}

# Finds a binary on PATH or in the sbin folders (not on a normal user's PATH); prints its path.
infra_find_bin() {
  local name
  for name in "$@"; do
    command -v "$name" 2>/dev/null && return 0
    for dir in /usr/sbin /usr/local/sbin /sbin; do
      [ -x "$dir/$name" ] && echo "$dir/$name" && return 0
    done
  done
  return 1
}

# Installs Debian packages when a binary is missing (as root, or through sudo); the project's machines are Debian.
infra_apt_install() {
  command -v apt-get >/dev/null || infra_die "missing $*; install them (no apt-get on this machine)"
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || infra_die "missing $*; run as root or install them: apt-get install -y $*"
    sudo="sudo"
  fi
  infra_say "installing Debian packages: $*"
  $sudo apt-get update -qq >&2 || infra_die "apt-get update failed"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@" >&2 ||
    infra_die "apt-get install $* failed"
}

# A unix socket path must stay under ~107 bytes: fall back to /tmp (keyed by the data folder) for deep checkouts.
infra_socket_path() {
  local wanted=$1
  if [ "${#wanted}" -le 100 ]; then
    echo "$wanted"
  else
    echo "/tmp/chatroom-$(echo "$wanted" | sha256sum | cut -c1-12).sock"
  fi
}

# The `stop` command of a service script: stops the process in <pidfile> (matching <pattern>), waiting up to
# <seconds> before SIGKILL; says "not running" (and drops a stale pidfile) when there is none.
infra_stop() {
  local pidfile=$1 pattern=$2 seconds=$3
  infra_lock
  if infra_pid_alive "$pidfile" "$pattern"; then
    infra_say "stopping pid $(cat "$pidfile")"
    infra_stop_pid "$pidfile" "$pattern" "$seconds"
    infra_say "stopped"
  else
    rm -f "$pidfile"
    infra_say "not running"
  fi
}

# The `status` command of a service script: one line; exit 3 unless the process runs and <probe> (a command) answers.
infra_status() {
  local pidfile=$1 pattern=$2 probe=$3
  if infra_pid_alive "$pidfile" "$pattern" && "$probe"; then
    echo "$infra_name: running on $infra_host:$port (pid $(cat "$pidfile"))"
  else
    echo "$infra_name: not running"
    return 3
  fi
}
