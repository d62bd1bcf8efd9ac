#!/usr/bin/env bash
# Fails when a C++ source or header of the repository is not as clang-format (the
# project's .clang-format, Debian's clang-format 14) would write it. Prints each place.
#   scripts/lint.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/deps.sh
pitchey_install_deps "${PITCHEY_LINT_PACKAGES[@]}"

git ls-files -z '*.cpp' '*.h' | xargs -0 clang-format --dry-run --Werror
echo "clang-format: clean"
