#!/usr/bin/env bash
# Installs what is missing, builds, and starts the Pitchey server with its embedded SQLite
# database on http://127.0.0.1:8000 (data in ~/.local/share/pitchey-server).
# Extra arguments go to pitchey-server, e.g. ./scripts/run.sh --port 9000
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/deps.sh
pitchey_install_deps

cmake --preset dev >/dev/null
cmake --build --preset dev --target pitchey-server

exec ./build/dev/server/src/pitchey-server "$@"
