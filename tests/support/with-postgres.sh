#!/bin/sh
# Runs a command with PITCHEY_TEST_POSTGRES pointing at a PostgreSQL server on 127.0.0.1,
# started here if it is not running; the tests make a database of their own per server.
#   with-postgres.sh COMMAND [ARGS...]
#   with-postgres.sh --stop        (the ctest fixture's cleanup)
#   with-postgres.sh --restart [SECONDS]
#                                  (what PITCHEY_TEST_POSTGRES_RESTART runs: tests that take
#                                  the database away under load, for SECONDS if given)
# As root: Debian's cluster (the newest version, "main", port 5432; created if missing).
# Otherwise: a private instance (initdb) under /tmp on port 55432.
set -eu
action=start
[ "${1:-}" = "--stop" ] && action=stop
[ "${1:-}" = "--restart" ] && action=restart
down="${2:-0}"
# One starter at a time: ctest runs two suites at once. (The server must not inherit the
# lock: every command that starts it closes fd 9.)
exec 9>"/tmp/pitchey-test-postgres-$(id -u).lock"
flock 9
bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
if [ "$(id -u)" -eq 0 ]; then
  version="$(basename "$(dirname "$bin")")"
  case "$action" in
    start)
      pg_lsclusters -h | grep -q "^$version main" || pg_createcluster "$version" main >/dev/null 9>&-
      pg_lsclusters -h | grep "^$version main" | grep -q online || pg_ctlcluster "$version" main start 9>&-
      for _ in $(seq 1 50); do
        runuser -u postgres -- psql -qtAc 'SELECT 1' >/dev/null 2>&1 && break
        sleep 0.2
      done
      runuser -u postgres -- psql -qtAc "DO \$\$ BEGIN
          IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'pitchey_test') THEN
            CREATE ROLE pitchey_test LOGIN CREATEDB PASSWORD 'pitchey_test';
          END IF; END \$\$;" >/dev/null
      ;;
    stop) ;; # the machine's cluster stays as it was found running
    restart)
      pg_ctlcluster "$version" main stop -m fast 9>&-
      sleep "$down"
      pg_ctlcluster "$version" main start 9>&-
      ;;
  esac
  port=5432
else
  dir="/tmp/pitchey-test-postgres-$(id -u)"
  case "$action" in
    start)
      if [ ! -d "$dir/data" ]; then
        mkdir -p "$dir"
        echo pitchey_test >"$dir/pw"
        "$bin/initdb" -D "$dir/data" -U pitchey_test --pwfile="$dir/pw" -A scram-sha-256 >/dev/null
      fi
      "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
        -o "-h 127.0.0.1 -p 55432 -k $dir" status >/dev/null 2>&1 ||
        "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w -o "-h 127.0.0.1 -p 55432 -k $dir" start >/dev/null 9>&-
      ;;
    stop)
      "$bin/pg_ctl" -D "$dir/data" -w stop >/dev/null 2>&1 || true
      ;;
    restart)
      "$bin/pg_ctl" -D "$dir/data" -w -m fast stop >/dev/null 9>&-
      sleep "$down"
      "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w -o "-h 127.0.0.1 -p 55432 -k $dir" \
        start >/dev/null 9>&-
      ;;
  esac
  port=55432
fi
[ "$action" = start ] || exit 0
flock -u 9
export PITCHEY_TEST_POSTGRES="postgresql://pitchey_test:pitchey_test@127.0.0.1:$port/postgres"
export PITCHEY_TEST_POSTGRES_RESTART="$(readlink -f "$0") --restart"
exec "$@"
