#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages the project needs, only those that are missing.
# Works as root or through sudo. Sourced by run.sh and test.sh.
set -euo pipefail

PITCHEY_PACKAGES=(
  build-essential cmake ninja-build ccache dpkg-dev file pkg-config
  qt6-base-dev qt6-websockets-dev qt6-declarative-dev libboost-dev
  qt6-tools-dev qt6-l10n-tools qtkeychain-qt6-dev
  libqt6sql6-sqlite libsqlite3-dev libqt6sql6-psql libsodium-dev libcurl4-openssl-dev libicu-dev unicode-data fonts-noto-color-emoji
  libjpeg-dev qt6-image-formats-plugins
  libtcmalloc-minimal4
  qml6-module-qtquick qml6-module-qtqml qml6-module-qtqml-models
  qml6-module-qtquick-controls qml6-module-qtquick-templates
  qml6-module-qtquick-window qml6-module-qtquick-layouts
  qml6-module-qtqml-workerscript qml6-module-qttest
  dbus gnome-keyring libsecret-1-0 postgresql python3-aiosmtpd xvfb openssl
)

# Only for scripts/fuzz.sh: clang and its libFuzzer.
PITCHEY_FUZZ_PACKAGES=(clang libclang-rt-dev)
# Only for scripts/lint.sh.
PITCHEY_LINT_PACKAGES=(clang-format clang-tidy git)

# Installs the packages above that are missing, and any named as arguments.
pitchey_install_deps() {
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    sudo="sudo"
  fi
  local missing=()
  for pkg in "${PITCHEY_PACKAGES[@]}" "$@"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
      missing+=("$pkg")
    fi
  done
  if [ "${#missing[@]}" -eq 0 ]; then
    return 0
  fi
  echo "Installing: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
}
