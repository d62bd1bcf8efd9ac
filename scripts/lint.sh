#!/usr/bin/env bash
# Fails when a C++ source or header of the repository is not as clang-format (the
# project's .clang-format, Debian's clang-format 14) would write it, or when qmllint warns
# about the QML module (configures the dev preset for that). Prints each place.
#   scripts/lint.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/deps.sh
pitchey_install_deps "${PITCHEY_LINT_PACKAGES[@]}"

git ls-files -z '*.cpp' '*.h' | xargs -0 clang-format --dry-run --Werror
echo "clang-format: clean"

# qmllint sees the QML module with the metatypes of client_core's controllers; a warning
# that is Qt 6.4's qmllint's own mistake is disabled on its line, with its category.
cmake --preset dev > /dev/null
cmake --build --preset dev --target pitchey_qml_qmllint
echo "qmllint: clean"
