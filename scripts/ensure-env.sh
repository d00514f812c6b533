#!/usr/bin/env bash
# Makes a fresh Debian 12 machine with Node 20 ready for goneat-deploy and its
# tests: installs the system packages that are missing, installs npm
# dependencies, builds the CLI, and starts dockerd when it is not running.
# Idempotent and quiet when everything is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '› %s\n' "$*" >&2; }
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

# 1. System packages (Debian names). busybox-static and docker-registry serve the tests.
need=()
command -v dockerd >/dev/null 2>&1 || need+=(docker.io)
command -v docker-compose >/dev/null 2>&1 || docker compose version >/dev/null 2>&1 || need+=(docker-compose)
[ -x /usr/bin/tini-static ] || need+=(tini)
command -v go >/dev/null 2>&1 || need+=(golang-go)
if [ "${GONEAT_ENV_MINIMAL:-}" != "1" ]; then
  # busybox-static, not busybox: test images copy it into FROM scratch. ldd fails on static binaries.
  { [ -x /bin/busybox ] && ! ldd /bin/busybox >/dev/null 2>&1; } || need+=(busybox-static)
  command -v systemd-analyze >/dev/null 2>&1 || need+=(systemd)
  command -v tmux >/dev/null 2>&1 || need+=(tmux)
  command -v script >/dev/null 2>&1 || need+=(bsdutils)
  [ -x /usr/bin/docker-registry ] || need+=(docker-registry)
  # scripts/k8s.sh: the pod network, certificates, fetching (containerd and runc come with docker.io).
  [ -x /usr/lib/cni/bridge ] || need+=(containernetworking-plugins)
  command -v openssl >/dev/null 2>&1 || need+=(openssl)
  command -v curl >/dev/null 2>&1 || need+=(curl)
  command -v ip >/dev/null 2>&1 || need+=(iproute2)
fi
if [ "${#need[@]}" -gt 0 ]; then
  log "installing ${need[*]} from Debian's packages"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# 2. dockerd, started in the background when it does not answer.
if ! docker info >/dev/null 2>&1; then
  if [ -z "${DOCKER_HOST:-}" ]; then
    log "starting dockerd (log: /var/log/goneat-dockerd.log)"
    $SUDO sh -c 'nohup dockerd >/var/log/goneat-dockerd.log 2>&1 &'
    for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 1; done
  fi
  docker info >/dev/null 2>&1 || { echo "goneat-deploy: the Docker Engine did not come up; see /var/log/goneat-dockerd.log" >&2; exit 1; }
fi

# 3. npm dependencies (from the lockfile) and the compiled CLI.
lock_sum=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f node_modules/.goneat-lock-sum ] || [ "$(cat node_modules/.goneat-lock-sum)" != "$lock_sum" ]; then
  log "installing npm dependencies (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error >/dev/null
  echo "$lock_sum" > node_modules/.goneat-lock-sum
fi
log "compiling the CLI"
npm run --silent build
