#!/usr/bin/env bash
# Builds the .deb packages from a configured build tree, checks them with lintian,
# installs them, starts the installed server with the packaged configuration (directly:
# CI has no systemd) and checks /health, /ready and /metrics, starts the installed client
# offscreen and waits for its login window, then removes the packages again.
# Usage: scripts/package-check.sh [BUILD_DIR]   (default build/dev; needs root or sudo)
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build/dev}"

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  sudo="sudo"
fi
tools=(lintian desktop-file-utils appstream curl systemd)
missing=()
for pkg in "${tools[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

as_pitchey() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u pitchey -- "$@"; else sudo -u pitchey -- "$@"; fi
}
step() { echo "== package check: $*"; }
work="$(mktemp -d)"
server_pid=""
client_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
  [ -n "$client_pid" ] && kill "$client_pid" 2>/dev/null || true
  $sudo rm -rf "$work"
}
trap cleanup EXIT

step "building the packages"
rm -rf "$build/packages"
(cd "$build" && cpack -G DEB)
server_deb="$(ls "$build"/packages/pitchey-server_*.deb)"
messenger_deb="$(ls "$build"/packages/pitchey-messenger_*.deb)"

step "lintian, desktop-file-validate, appstreamcli"
lintian --fail-on error,warning --allow-root "$server_deb" "$messenger_deb"
desktop-file-validate packaging/org.pitchey.Messenger.desktop
appstreamcli validate --no-net packaging/org.pitchey.Messenger.metainfo.xml

step "installing"
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "./$server_deb" "./$messenger_deb"
getent passwd pitchey >/dev/null
test "$(stat -c %U /var/lib/pitchey)" = pitchey
test -f /etc/pitchey/server.conf
systemd-analyze verify --man=no /lib/systemd/system/pitchey-server.service
test -f /usr/share/applications/org.pitchey.Messenger.desktop
test -f /usr/share/icons/hicolor/256x256/apps/org.pitchey.Messenger.png

step "the installed server with the packaged configuration, as its user"
as_pitchey pitchey-server admin check-config --config /etc/pitchey/server.conf
# As the unit runs it, but on a free port (the environment overrides the file).
# setpriv execs (no parent in between), so $! is the server itself.
if [ "$(id -u)" -eq 0 ]; then
  PITCHEY_PORT=0 setpriv --reuid=pitchey --regid=pitchey --init-groups \
    /usr/bin/pitchey-server --config /etc/pitchey/server.conf >"$work/server.out" 2>"$work/server.err" &
else
  sudo -u pitchey env PITCHEY_PORT=0 \
    /usr/bin/pitchey-server --config /etc/pitchey/server.conf >"$work/server.out" 2>"$work/server.err" &
fi
server_pid=$!
port=""
for _ in $(seq 1 100); do
  port="$(grep -o 'listening on http://[^:]*:[0-9]*' "$work/server.out" | grep -o '[0-9]*$' || true)"
  [ -n "$port" ] && break
  sleep 0.1
done
if [ -z "$port" ]; then
  cat "$work/server.err"
  exit 1
fi
base="http://127.0.0.1:$port"
curl -fsS "$base/health" | grep -q '"status":"ok"'
curl -fsS "$base/ready" | grep -q '"status":"ready"'
curl -fsS "$base/metrics" >"$work/metrics"
grep -q '^pitchey_connections 0$' "$work/metrics"
grep -q '^# TYPE pitchey_delivery_latency_seconds histogram$' "$work/metrics"
grep -q 'pitchey_http_requests_total{route="/ready",method="GET",status="200"} 1' "$work/metrics"
test -f /var/lib/pitchey/pitchey.db
test "$(stat -c %U /var/lib/pitchey/jwt-secret)" = pitchey

step "the installed client, offscreen: its login window"
mkdir -p "$work/home"
env -u DBUS_SESSION_BUS_ADDRESS HOME="$work/home" XDG_RUNTIME_DIR="$work/home" \
  QT_QPA_PLATFORM=offscreen /usr/bin/pitchey-messenger --server "$base" >"$work/client.log" 2>&1 &
client_pid=$!
for _ in $(seq 1 100); do
  grep -q 'page shown: loginPage' "$work/client.log" && break
  sleep 0.1
done
grep -q 'page shown: loginPage' "$work/client.log" || { cat "$work/client.log"; exit 1; }
if grep -E 'qrc:|module .* is not installed' "$work/client.log"; then
  exit 1 # a QML error: a runtime dependency is missing from the package
fi
kill "$client_pid"
client_pid=""
kill "$server_pid"
wait "$server_pid" # SIGTERM: a clean exit, status 0
server_pid=""

step "removing"
DEBIAN_FRONTEND=noninteractive $sudo apt-get purge -y -qq pitchey-server pitchey-messenger
test ! -e /usr/bin/pitchey-server
test ! -e /usr/bin/pitchey-messenger
test ! -e /var/lib/pitchey
! getent passwd pitchey >/dev/null
step "passed"
