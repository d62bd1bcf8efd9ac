#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite (ctest).
# PITCHEY_PRESET=asan ./scripts/test.sh runs it under AddressSanitizer + UBSan;
# PITCHEY_PRESET=asan-server, only the server's suites (what they need built, no client).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/deps.sh
pitchey_install_deps

preset="${PITCHEY_PRESET:-dev}"
cmake --preset "$preset"
cmake --build --preset "$preset"
ctest --preset "$preset"
