#!/usr/bin/env bash
# A second Docker Engine for the test matrix: Docker Engine 26.1 (Debian 13's
# dockerd 26.1 + containerd 1.7, run with bookworm's runc), beside the system's
# Engine 20.10 and without touching it.
#
#   scripts/engine.sh start   # fetch (once) and start it; prints nothing else on success
#   scripts/engine.sh stop    # stop dockerd and containerd (their data stays)
#   scripts/engine.sh clean   # stop, then remove its data, state and network namespace
#   scripts/engine.sh status  # versions and addresses, exit 1 when it is not running
#   scripts/engine.sh env     # `export DOCKER_HOST=...` lines for eval
#   scripts/engine.sh exec CMD [ARGS...]   # run CMD in its network namespace with DOCKER_HOST,
#                                          # GONEAT_TEST_ENGINE, GONEAT_ENGINE_NETNS and TMPDIR set
#
# Why its own network namespace: a second dockerd in the same namespace deleted
# the first engine's docker0 bridge on start (measured here, also with
# --bridge none), since both manage the same iptables chains and bridge. So
# this one gets a network namespace of its own (`ip netns add`, loopback only) with its
# own docker0 and iptables; it needs no outside network (images are built
# locally). Ports it publishes on 127.0.0.1 are that namespace's loopback:
# whatever connects to them runs inside it (`scripts/engine.sh exec ...`).
# The unix socket, data root, exec root, pidfiles, containerd socket and state
# and the cgroup parent are all its own.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)

VERSION=26.1
ROOTFS=${GONEAT_ENGINE_DIR:-/var/cache/goneat-deploy/engine-$VERSION}
# GONEAT_ENGINE_IMAGE_STORE=containerd: a second instance whose images live in containerd's
# store (the daemon's containerd-snapshotter feature; opt-in in 26.1, the default for new
# installs from Engine 29), beside the default overlay2 graph driver one.
case "${GONEAT_ENGINE_IMAGE_STORE:-overlay2}" in
  overlay2) INSTANCE=$VERSION; NS_DEFAULT=goneat-engine-26; FEATURES='{}' ;;
  containerd) INSTANCE=$VERSION-containerd; NS_DEFAULT=goneat-engine-26c; FEATURES='{"features": {"containerd-snapshotter": true}}' ;;
  *) echo "engine.sh: GONEAT_ENGINE_IMAGE_STORE is overlay2 or containerd" >&2; exit 2 ;;
esac
NS=${GONEAT_ENGINE_NETNS:-$NS_DEFAULT}
RUN=/run/goneat-engine-$INSTANCE
DATA=/var/lib/goneat-engine-$INSTANCE
LOG=/var/log/goneat-engine-$INSTANCE.log
SOCK=$RUN/docker.sock
CTRD_SOCK=$RUN/containerd/containerd.sock
export DOCKER_HOST=unix://$SOCK

log() { printf '› %s\n' "$*" >&2; }
die() { echo "engine.sh: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || die "run as root (it creates a network namespace and starts dockerd)"

# nsenter, not `ip netns exec`: that also makes a mount namespace with a fresh /sys, which
# hides the cgroup hierarchies mounted under /sys/fs/cgroup (dockerd: "Devices cgroup isn't mounted").
in_ns() { nsenter --net="/run/netns/$NS" "$@"; }
alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }
answers() { curl -sf --unix-socket "$SOCK" http://engine/_ping >/dev/null 2>&1; }

fetch() {
  for tool in ip iptables runc curl; do command -v "$tool" >/dev/null 2>&1 || die "needs $tool (Debian 12: iproute2, iptables, runc, curl)"; done
  "$HERE/debian-trixie.sh" unpack "$ROOTFS" docker.io containerd
  [ -x "$ROOTFS/usr/sbin/dockerd" ] || die "no dockerd in $ROOTFS"
}

start() {
  fetch
  if answers; then return 0; fi
  mkdir -p "$RUN/containerd" "$RUN/exec" "$DATA/docker" "$DATA/containerd"
  ip netns list | grep -qw "^$NS" || ip netns add "$NS"
  ip netns exec "$NS" ip link set lo up
  # Its containerd (1.7) finds its own shims first on PATH; runc is bookworm's.
  local path="$ROOTFS/usr/bin:$ROOTFS/usr/sbin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
  cat > "$RUN/containerd.toml" <<EOF
version = 2
root = "$DATA/containerd"
state = "$RUN/containerd/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$CTRD_SOCK"
[ttrpc]
  address = "$CTRD_SOCK.ttrpc"
[debug]
  address = "$RUN/containerd/debug.sock"
EOF
  # A daemon.json of its own: nothing from /etc/docker/daemon.json (the system engine's) applies.
  echo "$FEATURES" > "$RUN/daemon.json"
  if ! alive "$RUN/containerd.pid"; then
    log "starting containerd 1.7 for Engine $INSTANCE in network namespace $NS (log: $LOG)"
    # exec all the way down, so that $! is containerd's own PID (it writes no pidfile itself).
    (exec nsenter --net="/run/netns/$NS" env PATH="$path" setsid "$ROOTFS/usr/bin/containerd" --config "$RUN/containerd.toml" >>"$LOG" 2>&1 < /dev/null) &
    echo $! > "$RUN/containerd.pid"
    for _ in $(seq 1 50); do [ -S "$CTRD_SOCK" ] && break; sleep 0.2; done
    [ -S "$CTRD_SOCK" ] || die "containerd did not come up; see $LOG"
  fi
  log "starting Docker Engine $INSTANCE at $DOCKER_HOST (log: $LOG)"
  # dockerd writes its own PID to --pidfile.
  in_ns env PATH="$path" setsid "$ROOTFS/usr/sbin/dockerd" \
    --config-file "$RUN/daemon.json" \
    --host "unix://$SOCK" \
    --containerd "$CTRD_SOCK" \
    --data-root "$DATA/docker" \
    --exec-root "$RUN/exec" \
    --pidfile "$RUN/dockerd.pid" \
    --cgroup-parent /goneat-engine-$INSTANCE \
    --userland-proxy-path "$ROOTFS/usr/sbin/docker-proxy" \
    --init-path /usr/bin/tini-static \
    >>"$LOG" 2>&1 < /dev/null &
  for _ in $(seq 1 100); do answers && break; sleep 0.3; done
  answers || die "Docker Engine $VERSION did not come up; see $LOG"
}

stop_pid() { # pidfile, name, seconds
  alive "$1" || { rm -f "$1"; return 0; }
  local pid
  pid=$(cat "$1")
  kill -TERM "$pid"
  for _ in $(seq 1 $(($3 * 5))); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  if kill -0 "$pid" 2>/dev/null; then log "$2 did not stop in $3 s: SIGKILL"; kill -KILL "$pid"; fi
  rm -f "$1"
}

stop() {
  # dockerd stops its containers on the way down (their stop timeouts, 30 s at most here).
  stop_pid "$RUN/dockerd.pid" dockerd 45
  stop_pid "$RUN/containerd.pid" containerd 15
  # A shim outlives containerd when its container still runs: end exactly those whose
  # -address is this engine's containerd socket, by PID.
  local f pid args
  for f in /proc/[0-9]*/cmdline; do
    pid=${f#/proc/}; pid=${pid%/cmdline}
    args=$({ tr '\0' '\n' < "$f"; } 2>/dev/null) || continue
    if grep -qxF -- "$CTRD_SOCK" <<<"$args" && grep -q containerd-shim <<<"$args"; then
      log "ending shim $pid"; kill -TERM "$pid" 2>/dev/null || true
    fi
  done
}

clean() {
  stop
  # Overlay mounts under the data root, and the namespace's own mounts, go before the files.
  local m
  for m in $({ grep -F -e " $DATA/" -e " $RUN/" /proc/mounts || true; } | cut -d' ' -f2 | sort -r); do umount -l "$m" 2>/dev/null || true; done
  rm -rf "$DATA" "$RUN"
  if ip netns list | grep -qw "^$NS"; then ip netns delete "$NS"; fi
  [ -d "/sys/fs/cgroup/cpu/goneat-engine-$INSTANCE" ] && find /sys/fs/cgroup/*/goneat-engine-$INSTANCE -depth -type d -exec rmdir {} \; 2>/dev/null || true
}

status() {
  answers || { echo "Docker Engine $INSTANCE: not running ($DOCKER_HOST)"; return 1; }
  local v
  v=$(curl -sf --unix-socket "$SOCK" http://engine/version)
  node -e 'const v=JSON.parse(process.argv[1]); console.log(`Docker Engine ${v.Version} (API ${v.ApiVersion}, minimum ${v.MinAPIVersion}) at ${process.argv[2]}, network namespace ${process.argv[3]}; ${(v.Components||[]).filter(c=>c.Name!=="Engine").map(c=>`${c.Name} ${c.Version}`).join(", ")}`)' "$v" "$DOCKER_HOST" "$NS"
}

case "${1:-}" in
  fetch) fetch ;;
  start) start ;;
  stop) stop ;;
  clean) clean ;;
  status) status ;;
  env) printf 'export DOCKER_HOST=%s\nexport GONEAT_TEST_ENGINE=%s\nexport GONEAT_ENGINE_NETNS=%s\n' "$DOCKER_HOST" "$VERSION" "$NS" ;;
  exec)
    shift
    [ $# -gt 0 ] || die "usage: $0 exec CMD [ARGS...]"
    answers || die "Docker Engine $VERSION is not running: scripts/engine.sh start"
    # A TMPDIR of its own too: the e2e sweep removes every gdt-* temp dir, and /tmp is shared with
    # whatever runs on the system's engine.
    mkdir -p "$RUN/tmp"
    exec nsenter --net="/run/netns/$NS" env DOCKER_HOST="$DOCKER_HOST" GONEAT_TEST_ENGINE="$VERSION" GONEAT_ENGINE_NETNS="$NS" TMPDIR="$RUN/tmp" "$@"
    ;;
  *) die "usage: $0 start|stop|clean|status|env|exec CMD..." ;;
esac
