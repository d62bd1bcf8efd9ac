#!/usr/bin/env bash
# Installs what is missing, builds, starts the Pitchey server with its embedded SQLite
# database on http://127.0.0.1:8000 (data in ~/.local/share/pitchey-server) and opens the
# desktop messenger against it. Closing the messenger stops the server it started.
#
# A second window, for a second account, while the first one runs:
#   ./scripts/run.sh --profile bob
# Extra arguments go to pitchey-messenger (see pitchey-messenger --help).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/deps.sh
pitchey_install_deps

cmake --preset dev >/dev/null
cmake --build --preset dev --target pitchey-server pitchey-messenger

port="${PITCHEY_PORT:-8000}"
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; }

server_pid=""
if ! listening; then
  ./build/dev/server/src/pitchey-server --listen 127.0.0.1 --port "$port" &
  server_pid=$!
  trap 'kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null || true' EXIT
  for _ in $(seq 1 50); do listening && break; sleep 0.1; done
else
  echo "A server already listens on port $port; opening another messenger window."
fi

if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ] && [ -z "${QT_QPA_PLATFORM:-}" ]; then
  echo "No display found: the server runs on http://127.0.0.1:$port (Ctrl+C stops it)."
  echo "Start the messenger where there is a display, or with QT_QPA_PLATFORM=offscreen."
  [ -n "$server_pid" ] && wait "$server_pid"
  exit 0
fi
./build/dev/client/app/pitchey-messenger --server "http://127.0.0.1:$port" "$@"
