#!/usr/bin/env bash
# Makes a fresh Debian 12 machine with Node 20 ready for goneat-deploy and its
# tests: installs the system packages that are missing, provides both Compose
# generations (v2, the `docker compose` plugin, from Debian 13's package; v1,
# `docker-compose` 1.29, from Debian 12's), installs npm dependencies, builds
# the CLI, and starts dockerd when it is not running.
# GONEAT_ENV_ENGINES="20.10 26.1 26.1-containerd" also starts Docker Engine 26.1
# beside the system's engine (scripts/engine.sh: its own socket and network
# namespace), with the graph driver and/or with containerd's image store.
# Idempotent and quiet when everything is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '› %s\n' "$*" >&2; }
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

# 1. System packages (Debian names). busybox-static and docker-registry serve the tests.
need=()
command -v dockerd >/dev/null 2>&1 || need+=(docker.io)
# Compose v1 (docker-compose 1.29, Python) from Debian 12; v2 comes from Debian 13 below.
{ command -v docker-compose >/dev/null 2>&1 && docker-compose version --short 2>/dev/null | grep -q '^1\.'; } || need+=(docker-compose)
[ -x /usr/bin/tini-static ] || need+=(tini)
# image.certificates ships Debian's CA bundle; image.timezones its zoneinfo.
[ -f /etc/ssl/certs/ca-certificates.crt ] || need+=(ca-certificates)
[ -d /usr/share/zoneinfo ] || need+=(tzdata)
command -v go >/dev/null 2>&1 || need+=(golang-go)
if [ "${GONEAT_ENV_MINIMAL:-}" != "1" ]; then
  # busybox-static, not busybox: test images copy it into FROM scratch. ldd fails on static binaries.
  { [ -x /bin/busybox ] && ! ldd /bin/busybox >/dev/null 2>&1; } || need+=(busybox-static)
  command -v systemd-analyze >/dev/null 2>&1 || need+=(systemd)
  command -v tmux >/dev/null 2>&1 || need+=(tmux)
  command -v script >/dev/null 2>&1 || need+=(bsdutils)
  [ -x /usr/bin/docker-registry ] || need+=(docker-registry)
  # Host daemons: daemonize (its e2e), shellcheck (the generated control script), mmdebstrap
  # (the root filesystem of the systemd e2e image, scripts/systemd-image.sh).
  command -v daemonize >/dev/null 2>&1 || need+=(daemonize)
  command -v shellcheck >/dev/null 2>&1 || need+=(shellcheck)
  command -v mmdebstrap >/dev/null 2>&1 || need+=(mmdebstrap)
  # python3: its plistlib reads the launchd plists back in the tests; PyYAML (docker-compose v1's YAML reader,
  # which test/consumers/read.py runs on the generated compose files) for Debian's /usr/bin/python3.
  command -v python3 >/dev/null 2>&1 || need+=(python3)
  /usr/bin/python3 -c 'import yaml' >/dev/null 2>&1 || need+=(python3-yaml)
  # Third-party Go servers packaged in the e2e tests (dynamically linked: image.libraries: host).
  [ -x /usr/bin/etcd ] || need+=(etcd-server)
  command -v openssl >/dev/null 2>&1 || need+=(openssl)   # the TLS test's CA and server certificate
  # scripts/k8s.sh: the pod network, fetching (openssl above makes its certificates) (containerd and runc come with docker.io).
  [ -x /usr/lib/cni/bridge ] || need+=(containernetworking-plugins)
  command -v curl >/dev/null 2>&1 || need+=(curl)
  command -v ip >/dev/null 2>&1 || need+=(iproute2)
fi
case " ${GONEAT_ENV_ENGINES:-} " in
  *" 26.1"*)
    for t in curl:curl ip:iproute2 iptables:iptables runc:runc nsenter:util-linux; do
      command -v "${t%%:*}" >/dev/null 2>&1 || need+=("${t#*:}")
    done
    ;;
esac
if [ "${#need[@]}" -gt 0 ]; then
  # One name once (several checks may ask for the same package).
  mapfile -t need < <(printf '%s\n' "${need[@]}" | sort -u)
  log "installing ${need[*]} from Debian's packages"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# 2. Compose v2: the `docker compose` CLI plugin, from Debian 13's docker-compose package
# (2.26; needs only libc), unpacked by scripts/debian-trixie.sh, never installed as a package.
# The docker CLI looks for plugins in $DOCKER_CONFIG/cli-plugins (default ~/.docker/cli-plugins).
if ! docker compose version >/dev/null 2>&1; then
  plugins="${DOCKER_CONFIG:-$HOME/.docker}/cli-plugins"
  unpacked=/var/cache/goneat-deploy/compose-v2
  log "installing Compose v2 (Debian 13's docker-compose) as $plugins/docker-compose"
  scripts/debian-trixie.sh unpack "$unpacked" docker-compose
  mkdir -p "$plugins"
  install -m 0755 "$unpacked/usr/libexec/docker/cli-plugins/docker-compose" "$plugins/docker-compose"
  docker compose version >/dev/null 2>&1 || { echo "goneat-deploy: docker compose (v2) does not run after installing it in $plugins" >&2; exit 1; }
fi

# BuildKit for the tests: Debian 13's docker-buildx plugin, unpacked but not installed as a plugin
# (installed, it would turn every `docker build` on this machine into BuildKit). test/e2e/engines.test.ts
# builds the --context-dir output with it through a docker config dir of its own, on each engine:
# BuildKit is what replaces the legacy builder the docker CLI deprecated in 23.0.
if [ "${GONEAT_ENV_MINIMAL:-}" != "1" ]; then
  scripts/debian-trixie.sh unpack /var/cache/goneat-deploy/buildx docker-buildx
fi

# 3. dockerd, started in the background when it does not answer.
if ! docker info >/dev/null 2>&1; then
  if [ -z "${DOCKER_HOST:-}" ]; then
    log "starting dockerd (log: /var/log/goneat-dockerd.log)"
    $SUDO sh -c 'nohup dockerd >/var/log/goneat-dockerd.log 2>&1 &'
    for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 1; done
  fi
  docker info >/dev/null 2>&1 || { echo "goneat-deploy: the Docker Engine did not come up; see /var/log/goneat-dockerd.log" >&2; exit 1; }
fi

# 4. Docker Engine 26.1 beside it, when asked for (the e2e matrix): "26.1" with the overlay2
# graph driver, "26.1-containerd" with containerd's image store.
for e in ${GONEAT_ENV_ENGINES:-}; do
  case "$e" in
    26.1) scripts/engine.sh start ;;
    26.1-containerd) GONEAT_ENGINE_IMAGE_STORE=containerd scripts/engine.sh start ;;
  esac
done

# 5. npm dependencies (from the lockfile) and the compiled CLI.
lock_sum=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f node_modules/.goneat-lock-sum ] || [ "$(cat node_modules/.goneat-lock-sum)" != "$lock_sum" ]; then
  log "installing npm dependencies (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error >/dev/null
  echo "$lock_sum" > node_modules/.goneat-lock-sum
fi
log "compiling the CLI"
npm run --silent build
