#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ (clang, ASan + UBSan: the fuzz preset) and runs
# each for a bounded time from its seed corpus in fuzz/corpus/. A crash, a sanitizer report
# or a leak fails the run; the input that caused it is kept in build/fuzz/artifacts/.
#   scripts/fuzz.sh [seconds per target, default 60]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/deps.sh
pitchey_install_deps "${PITCHEY_FUZZ_PACKAGES[@]}"

seconds="${1:-60}"
cmake --preset fuzz
cmake --build --preset fuzz

artifacts="build/fuzz/artifacts"
mkdir -p "$artifacts"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
for target in http_request client_frame websocket_frames; do
  echo "== fuzz_$target for ${seconds}s"
  mkdir -p "$work/$target" # new inputs go here, the seeds stay as they are
  "build/fuzz/fuzz/fuzz_$target" -max_total_time="$seconds" -max_len=70000 -timeout=10 \
    -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$artifacts/$target-" \
    "$work/$target" "fuzz/corpus/$target"
done
