#!/usr/bin/env bash
# Fetches Debian's static tini for another architecture (for `build --platform`)
# and prints its path. Debian packages tini per architecture; its arm64 build
# is not co-installable, so it is downloaded and unpacked into a cache:
#   scripts/fetch-tini.sh arm64   →  ~/.cache/goneat-deploy/tini/arm64/tini-static
# Use it with: GONEAT_TINI_ARM64=$(scripts/fetch-tini.sh arm64) goneat-deploy build ...
set -euo pipefail
arch=${1:?usage: fetch-tini.sh ARCH (e.g. arm64)}
cache="${XDG_CACHE_HOME:-$HOME/.cache}/goneat-deploy/tini/$arch"
if [ -x "$cache/tini-static" ]; then echo "$cache/tini-static"; exit 0; fi
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
if ! dpkg --print-foreign-architectures | grep -qx "$arch" && [ "$arch" != "$(dpkg --print-architecture)" ]; then
  $SUDO dpkg --add-architecture "$arch"
  $SUDO apt-get update -qq
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
( cd "$work" && apt-get download -qq "tini:$arch" 2>/dev/null || { $SUDO apt-get update -qq && apt-get download -qq "tini:$arch"; } )
dpkg-deb -x "$work"/tini_*_"$arch".deb "$work/x"
mkdir -p "$cache"
install -m 0755 "$work/x/usr/bin/tini-static" "$cache/tini-static"
echo "$cache/tini-static"
