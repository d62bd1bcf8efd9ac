#!/usr/bin/env bash
# Fails when a C++ source or header of the repository is not as clang-format (the
# project's .clang-format, Debian's clang-format 14) would write it, when qmllint warns
# about the QML module, or when clang-tidy (the project's .clang-tidy, Debian's 14) finds
# anything in a source of the dev preset (builds it first: sources include generated
# files). Prints each place.
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

cmake --build --preset dev
# Every source of compile_commands.json but Qt's generated ones (moc, qmltyperegistrar).
run-clang-tidy -p build/dev -j "$(nproc)" -quiet '^(?!.*_autogen/)(?!.*/build/).*/(server|client|shared|qml|tools|tests)/' \
  > build/clang-tidy.log 2>&1 || { sed 's/\x1b\[[0-9;]*m//g' build/clang-tidy.log | grep -E -A3 '(error|warning):'; exit 1; }
echo "clang-tidy: clean"
