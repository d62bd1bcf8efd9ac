#!/usr/bin/env bash
# Regenerates docs/screenshots/*.png: the real messenger (offscreen) against a real server,
# driven by the tests in tests/client that drive its window.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/deps.sh
pitchey_install_deps
cmake --preset dev >/dev/null
tests=(tst_messenger_app tst_message_view tst_app_look tst_app_navigation tst_app_files tst_app_actions)
cmake --build --preset dev --target "${tests[@]}"
mkdir -p docs/screenshots
for test in "${tests[@]}"; do
  PITCHEY_SCREENSHOT_DIR="$PWD/docs/screenshots" QT_QPA_PLATFORM=offscreen QT_QUICK_CONTROLS_STYLE=Fusion \
    tests/support/with-keyring.sh "build/dev/tests/client/$test" -silent
done
# The tests save more than the README shows: only what it shows is kept.
for png in docs/screenshots/*.png; do
  grep -qF "($png)" README.md || rm "$png"
done
ls docs/screenshots
