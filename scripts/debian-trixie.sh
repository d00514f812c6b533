#!/usr/bin/env bash
# Fetches Debian 13 (trixie) packages and unpacks them into a private folder,
# without installing them: `apt-get download` through a source list, list
# directory and cache of its own (the system's apt state is not touched), then
# `dpkg-deb -x`. Used for what Debian 12 does not have: Compose v2 (the
# `docker-compose` package is the CLI plugin, 2.26) and Docker Engine 26.1
# (`docker.io` + `containerd` 1.7; it runs with bookworm's runc, as trixie's
# runc needs a newer glibc).
#
#   scripts/debian-trixie.sh unpack DEST PACKAGE...   # idempotent: a stamp records what DEST holds
#
# Downloads are cached in $GONEAT_TRIXIE_CACHE (default /var/cache/goneat-deploy/trixie).
set -euo pipefail

die() { echo "debian-trixie.sh: $*" >&2; exit 1; }
[ "${1:-}" = unpack ] && [ $# -ge 3 ] || die "usage: $0 unpack DEST PACKAGE..."
dest=$2
shift 2
pkgs=("$@")
stamp="$dest/.goneat-packages"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "${pkgs[*]}" ]; then exit 0; fi

cache=${GONEAT_TRIXIE_CACHE:-/var/cache/goneat-deploy/trixie}
mkdir -p "$cache/sources" "$cache/lists/partial" "$cache/archives/partial"
cat > "$cache/sources/trixie.sources" <<'EOF'
Types: deb
URIs: http://deb.debian.org/debian
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
apt_opts=(
  -o "Dir::Etc::SourceList=/dev/null" -o "Dir::Etc::SourceParts=$cache/sources"
  -o "Dir::State::Lists=$cache/lists" -o "Dir::Cache=$cache" -o "Dir::Cache::pkgcache=" -o "Dir::Cache::srcpkgcache="
  -o "Dir::State::status=/dev/null" -o "APT::Architectures=amd64"
  -o "Acquire::IndexTargets::deb::DEP-11::DefaultEnabled=false"
  -o "APT::Sandbox::User=root"
)
[ "$(dpkg --print-architecture)" = amd64 ] || die "only amd64 is set up (this machine is $(dpkg --print-architecture))"

# The index is refreshed once a day at most.
if [ -z "$(find "$cache/lists" -maxdepth 1 -name '*trixie_InRelease' -mmin -1440 2>/dev/null)" ]; then
  echo "› apt-get update (Debian 13 index, private to $cache)" >&2
  apt-get -qq "${apt_opts[@]}" update >/dev/null || die "could not read the Debian 13 package index"
fi
debs=$(mktemp -d "$cache/debs.XXXXXX")
trap 'rm -rf "$debs"' EXIT
cd "$debs"
echo "› apt-get download ${pkgs[*]} (Debian 13)" >&2
apt-get -qq "${apt_opts[@]}" download "${pkgs[@]}" >/dev/null || die "could not download ${pkgs[*]} from Debian 13"
rm -rf "$dest.tmp"
mkdir -p "$dest.tmp"
for deb in ./*.deb; do dpkg-deb -x "$deb" "$dest.tmp"; done
for deb in ./*.deb; do dpkg-deb --showformat='${Package} ${Version}\n' -W "$deb"; done > "$dest.tmp/.goneat-versions"
echo "${pkgs[*]}" > "$dest.tmp/.goneat-packages"
rm -rf "$dest"
mv "$dest.tmp" "$dest"
