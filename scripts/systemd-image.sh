#!/usr/bin/env bash
# Builds the image the systemd end-to-end tests boot: Debian 12's systemd as PID 1, on a root
# filesystem made with mmdebstrap from this machine's Debian mirrors (nothing is pulled from a
# registry), imported with `docker import`. Prints the image reference.
#
# The image is cached: its tag is the hash of this script, so it is built once per machine and
# rebuilt only when this file changes. Measured cold build: ~80 s (download and unpack of ~80
# packages, 75 MB image); a cached run returns at once.
#
# Contents, and why: the "essential" variant (dpkg, coreutils, bash, util-linux...) plus systemd,
# which brings systemctl, journalctl and systemd-sysusers. usr-is-merged with mmdebstrap's
# merged-usr hook instead of the usrmerge package, which would pull in perl. No dbus: systemctl
# talks to PID 1 over /run/systemd/private as root. No docker CLI: the tests mount the host's.
# Documentation, manual pages and locales are left out.
set -euo pipefail

tag="goneat-systemd-test:$(sha256sum "$0" | cut -c1-12)"
if docker image inspect "$tag" >/dev/null 2>&1; then
  echo "$tag"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
command -v mmdebstrap >/dev/null 2>&1 || {
  echo "systemd-image: mmdebstrap is missing (scripts/ensure-env.sh installs it)" >&2
  exit 1
}

# The machine's own Debian sources (deb822), else Debian's default mirror.
mirror=http://deb.debian.org/debian
for f in /etc/apt/sources.list.d/debian.sources /etc/apt/sources.list; do
  if [ -f "$f" ] && grep -q 'debian' "$f"; then mirror=$f; break; fi
done

started=$(date +%s)
echo "systemd-image: building $tag with mmdebstrap from $mirror" >&2
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# A pipe, not a file: the tarball streams into the engine. pipefail makes a failed mmdebstrap fail the build.
if ! $SUDO mmdebstrap --variant=essential --include=systemd,usr-is-merged \
  --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr \
  --dpkgopt=force-unsafe-io \
  --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/doc/*' \
  --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-exclude=/usr/share/info/*' \
  bookworm - "$mirror" 2>"$log" |
  docker import --change 'CMD ["/lib/systemd/systemd"]' \
    --message 'goneat-deploy systemd e2e: Debian 12 systemd as PID 1' - "$tag" >/dev/null; then
  tail -n 30 "$log" >&2
  echo "systemd-image: building $tag failed" >&2
  exit 1
fi
echo "systemd-image: built $tag in $(($(date +%s) - started)) s" >&2
echo "$tag"
