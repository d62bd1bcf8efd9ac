#!/usr/bin/env bash
# Regenerates docs/screenshots/*.png: the real messenger (offscreen) against a real server,
# driven by tests/client/tst_messenger_app.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/deps.sh
pitchey_install_deps
cmake --preset dev >/dev/null
cmake --build --preset dev --target tst_messenger_app
mkdir -p docs/screenshots
PITCHEY_SCREENSHOT_DIR="$PWD/docs/screenshots" QT_QPA_PLATFORM=offscreen QT_QUICK_CONTROLS_STYLE=Fusion \
  tests/support/with-keyring.sh build/dev/tests/client/tst_messenger_app -silent
ls docs/screenshots
