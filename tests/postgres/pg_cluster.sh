#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for tests.
#
#   pg_cluster.sh start STATE_DIR [--watch-pid PID | --watch-parent]
#   pg_cluster.sh stop  STATE_DIR
#
# start: initdb in a fresh directory under /tmp, start postgres listening on
# 127.0.0.1 only, on a free port, with its Unix socket in that directory,
# password authentication (a random password) and fsync left on. Writes
#   STATE_DIR/dsn          a libpq keyword/value connection string (mode 600)
#   STATE_DIR/cluster_dir  where the cluster lives
# and prints "ready" on success. With --watch-pid (or --watch-parent, the
# caller's pid), a watchdog stops the cluster once that process is gone, so
# a crashed test run does not leave a server behind.
# stop: stops the server (pg_ctl stop -m fast) and removes its directory.
#
# As root (CI runs as root), initdb and postgres run as the `postgres` user,
# which PostgreSQL requires. Without PostgreSQL's server binaries this fails
# with a message that says how to install them: tests that need a database
# fail, they are never skipped.
set -euo pipefail

usage() {
  echo "usage: $0 start STATE_DIR [--watch-pid PID | --watch-parent] | stop STATE_DIR" >&2
  exit 2
}
[ $# -ge 2 ] || usage
cmd=$1
state_dir=$2
shift 2

find_bindir() {
  if [ -n "${POLKU_PG_BINDIR:-}" ]; then
    echo "$POLKU_PG_BINDIR"
    return
  fi
  for d in /usr/lib/postgresql/*/bin; do
    if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then
      echo "$d"
    fi
  done | sort -V | tail -n 1
}

# Runs a PostgreSQL server binary as the user that owns the cluster.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

free_port() {
  /usr/bin/python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

stop_cluster() {
  local dir=$1 bindir=$2
  if [ -f "$dir/data/postmaster.pid" ]; then
    as_owner "$bindir/pg_ctl" -D "$dir/data" stop -m fast -w -t 60 >/dev/null 2>&1 ||
      as_owner "$bindir/pg_ctl" -D "$dir/data" stop -m immediate -w >/dev/null 2>&1 || true
  fi
  case "$dir" in
    /tmp/polku-pg.*) rm -rf -- "$dir" ;;
  esac
}

case "$cmd" in
  start)
    watch_pid=""
    while [ $# -gt 0 ]; do
      case "$1" in
        --watch-pid) watch_pid=$2; shift 2 ;;
        --watch-parent) watch_pid=$PPID; shift ;;
        *) usage ;;
      esac
    done
    bindir=$(find_bindir)
    if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
      echo "error: PostgreSQL server binaries (initdb, pg_ctl) not found under" \
           "/usr/lib/postgresql/*/bin; install the Debian packages postgresql" \
           "and libpq-dev (scripts/install-deps.sh does)" >&2
      exit 1
    fi
    if [ "$(id -u)" -eq 0 ] && ! id postgres >/dev/null 2>&1; then
      echo "error: running as root but there is no 'postgres' user to run" \
           "initdb as (the Debian postgresql package creates it)" >&2
      exit 1
    fi
    mkdir -p "$state_dir"
    dir=$(mktemp -d /tmp/polku-pg.XXXXXX)
    chmod 700 "$dir"
    if [ "$(id -u)" -eq 0 ]; then
      chown postgres: "$dir"
    fi
    password=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
    user=polku
    # initdb reads the superuser's password from a file only the owner
    # can read, removed right after.
    as_owner bash -c "umask 077; printf '%s\n' '$password' > '$dir/pwfile'"
    if ! as_owner "$bindir/initdb" -D "$dir/data" -U "$user" \
        --pwfile="$dir/pwfile" --auth=scram-sha-256 --encoding=UTF8 \
        --locale=C --no-sync >"$dir/initdb.log" 2>&1; then
      cat "$dir/initdb.log" >&2
      stop_cluster "$dir" "$bindir"
      echo "error: initdb failed" >&2
      exit 1
    fi
    rm -f "$dir/pwfile"
    as_owner mkdir -p "$dir/sock"
    started=""
    for attempt in 1 2 3 4 5; do
      port=$(free_port)
      if as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
          -o "-c listen_addresses=127.0.0.1 -p $port -k $dir/sock -c max_connections=200" \
          start >/dev/null 2>&1; then
        started=yes
        break
      fi
    done
    if [ -z "$started" ]; then
      cat "$dir/server.log" >&2 || true
      stop_cluster "$dir" "$bindir"
      echo "error: postgres did not start" >&2
      exit 1
    fi
    (umask 077; printf 'host=127.0.0.1 port=%s user=%s password=%s dbname=postgres connect_timeout=10\n' \
      "$port" "$user" "$password" >"$state_dir/dsn")
    echo "$dir" >"$state_dir/cluster_dir"
    echo "$bindir" >"$state_dir/bindir"
    if [ -n "$watch_pid" ]; then
      # Detached from the caller's stdout, so a caller that reads our
      # output until EOF does not wait for the watchdog.
      setsid bash -c '
        while kill -0 "$1" 2>/dev/null; do
          [ -d "$2/data" ] || exit 0  # stopped already
          sleep 1
        done
        exec "$3" stop-dir "$2" "$4"' watchdog "$watch_pid" "$dir" \
        "$(readlink -f "$0")" "$bindir" </dev/null >/dev/null 2>&1 &
    fi
    echo ready
    ;;
  stop)
    [ $# -eq 0 ] || usage
    if [ ! -f "$state_dir/cluster_dir" ]; then
      exit 0  # never started, or stopped already
    fi
    dir=$(cat "$state_dir/cluster_dir")
    bindir=$(cat "$state_dir/bindir" 2>/dev/null || find_bindir)
    stop_cluster "$dir" "$bindir"
    rm -f "$state_dir/dsn" "$state_dir/cluster_dir" "$state_dir/bindir"
    ;;
  stop-dir)
    # Internal (the watchdog): STATE_DIR is the cluster directory itself,
    # followed by the bin directory.
    [ $# -eq 1 ] || usage
    stop_cluster "$state_dir" "$1"
    ;;
  *)
    usage
    ;;
esac
