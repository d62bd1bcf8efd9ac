#!/bin/sh
# Runs a command with a private HOME, its own D-Bus session and an unlocked
# gnome-keyring (the Secret Service QtKeychain talks to), so that tests use a real
# keychain and never touch the user's own.
#   with-keyring.sh COMMAND [ARGS...]
set -eu
home="$(mktemp -d)"
trap 'rm -rf "$home"' EXIT
export HOME="$home" XDG_DATA_HOME="$home/.local/share" XDG_CONFIG_HOME="$home/.config" \
       XDG_CACHE_HOME="$home/.cache" XDG_RUNTIME_DIR="$home/run"
mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
exec dbus-run-session -- sh -c '
  echo -n test-keyring | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1
  exec "$@"' with-keyring "$@"
