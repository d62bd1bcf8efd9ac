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
if ! ctest --preset "$preset"; then
    # What failed and where, last in the log (CI shows its tail).
    log=$(ls -t build/*/Testing/Temporary/LastTest.log | head -1)
    grep -E -A2 "^(FAIL!|XPASS)|ERROR: AddressSanitizer|runtime error:" "$log" | head -60 || true
    exit 1
fi
