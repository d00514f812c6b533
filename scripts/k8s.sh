#!/usr/bin/env bash
# A local single-node Kubernetes cluster from upstream components, for the
# end-to-end tests (test/e2e/k8s.test.ts) and for trying generated manifests:
#
#   scripts/k8s.sh build        compile the components (cached) and the pause image
#   scripts/k8s.sh up           start the cluster; the last line printed is the kubeconfig
#   scripts/k8s.sh load IMAGE…  copy images from the Docker Engine into the node's runtime
#   scripts/k8s.sh down         stop and remove everything `up` started, also after a failed run
#   scripts/k8s.sh check        exit 0 if this machine can run the cluster, else say why (exit 3)
#   scripts/k8s.sh status       exit 0 if the cluster is up and its API server ready, else 1
#   scripts/k8s.sh kubectl ARGS kubectl with the cluster's admin kubeconfig
#
# What runs (all on this host, as root, nothing pulled from any registry):
#   etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kubelet and
#   kube-proxy — one multi-call binary (scripts/k8s/main.go) built from the Go
#   module proxy at the versions in scripts/k8s/go.mod;
#   containerd and runc from Debian, as a SECOND containerd with its own
#   socket, root and state directories (the Docker Engine's containerd is not
#   touched: restarting it with a CRI configuration would disturb every
#   container on the shared engine); the CNI bridge, host-local, loopback and
#   firewall plugins from Debian (containernetworking-plugins); a pause image
#   built from scripts/k8s/pause/main.go.
#
# Where (nothing else on the host is changed, and `down` undoes all of it):
#   $GONEAT_K8S_CACHE (~/.cache/goneat-k8s)  binaries and the pause image, kept by `down`
#   /var/lib/goneat-k8s, /run/goneat-k8s   state, logs (log/; kept in $GONEAT_K8S_CACHE/logs by `down`),
#                                          kubeconfigs, certificates
#   the address 10.245.0.1/32 on lo         the node's IP: every component listens on it only
#   bridge gk8s0, pods in 10.244.0.0/24, services in 10.96.0.0/16
#   cgroups /goneat-k8s in every hierarchy, iptables chains KUBE-* and CNI-*
#   sysctls the kubelet sets (vm.overcommit_memory, kernel.panic,
#   kernel.panic_on_oops): their values before `up` are restored by `down`.
#   /run/goneat-k8s.lock (empty; serializes up and down) stays.
#
# Choices, with the reasons:
#   - cgroup v1: Kubernetes >= 1.35 refuses to start the kubelet on cgroup v1
#     unless failCgroupV1 is false (KubeletConfiguration; KEP-5573). Machines
#     like the CI's still boot with v1, so the kubelet runs with
#     failCgroupV1: false there and the cgroupfs driver (no systemd as PID 1).
#   - kube-proxy in iptables mode (this kernel has no IPVS), with
#     localhostNodePorts off so it never sets route_localnet, and conntrack
#     sysctls left as they are.
#   - the kubelet's cgroupRoot, root dir and pod log dir, containerd's network
#     namespaces (netns_mounts_under_state_dir) and the CNI IPAM store are all
#     under the directories above, so `down` can remove them without guessing.
#   - Pod Security admission is on (named in --enable-admission-plugins, as it
#     is by default); namespaces choose their level with labels, as the tests
#     do (restricted), and the cluster-wide default stays privileged.
#   - Where the process may not lower OOM scores (no CAP_SYS_RESOURCE, as in
#     some sandboxes), containerd keeps pods' scores at or above its own
#     (restrict_oom_score_adj) instead of failing every pod.
#   - The load of the tests reaches Services at their cluster IP from this
#     host (kube-proxy's rules in nat OUTPUT). Every component listens on
#     10.245.0.1 only (containerd's streaming server on a free 127.0.0.1 port).
set -euo pipefail
umask 022

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SRC=$ROOT/scripts/k8s
CACHE=${GONEAT_K8S_CACHE:-${HOME:-/root}/.cache/goneat-k8s}
STATE=/var/lib/goneat-k8s
RUN=/run/goneat-k8s
LOG=$STATE/log
PKI=$STATE/pki
NODE_NAME=goneat-k8s
NODE_IP=10.245.0.1
POD_SUBNET=10.244.0.0/24
CLUSTER_CIDR=10.244.0.0/16
SERVICE_CIDR=10.96.0.0/16
API_SERVICE_IP=10.96.0.1
BRIDGE=gk8s0
API_PORT=6443
CGROUP_ROOT=goneat-k8s
CNI_BIN=${GONEAT_K8S_CNI_BIN:-/usr/lib/cni}
SOCK=$RUN/containerd.sock
# Readiness of `up`, in seconds.
UP_TIMEOUT=${GONEAT_K8S_UP_TIMEOUT:-180}
# The sysctls the kubelet changes on start (pkg/kubelet/cm setupKernelTunables) unless
# protectKernelDefaults is set, which would instead refuse to start on this host's values.
KUBELET_SYSCTLS="vm/overcommit_memory vm/panic_on_oom kernel/panic kernel/panic_on_oops kernel/keys/root_maxkeys kernel/keys/root_maxbytes"

log() { printf '› k8s: %s\n' "$*" >&2; }
die() { printf 'k8s.sh: %s\n' "$*" >&2; exit 1; }

k8s_version() { sed -n 's/^[[:space:]]*k8s\.io\/kubernetes v\([^ ]*\)$/\1/p' "$SRC/go.mod"; }

# ---------------------------------------------------------------- build

# The Go release to fetch when the local go is older than scripts/k8s/go.mod's `go` line.
GO_TOOLCHAIN=go1.26.8

version_ge() { [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" = "$2" ]; }

# A go that can build scripts/k8s: the local one when it is recent enough, else the toolchain
# module the go command itself would switch to (golang.org/toolchain on the Go module proxy),
# unpacked once into the cache.
go_cmd() {
  [ -z "${GO:-}" ] || { echo "$GO"; return; }
  local need have=""
  need=$(sed -n 's/^go \([0-9.]*\)$/\1/p' "$SRC/go.mod")
  if command -v go >/dev/null; then
    have=$(go env GOVERSION 2>/dev/null || go version | awk '{print $3}')
    have=${have#go}
    if version_ge "$have" "$need"; then command -v go; return; fi
  fi
  local arch dir=$CACHE/toolchain/$GO_TOOLCHAIN
  case "$(uname -m)" in x86_64) arch=amd64 ;; aarch64) arch=arm64 ;; *) arch=$(uname -m) ;; esac
  if [ ! -x "$dir/bin/go" ]; then
    local proxy=${GOPROXY:-https://proxy.golang.org} tmp
    proxy=${proxy%%,*}
    case "$proxy" in http*) ;; *) proxy=https://proxy.golang.org ;; esac
    log "fetching $GO_TOOLCHAIN from $proxy (golang.org/toolchain): the local go is ${have:-missing}, scripts/k8s needs $need"
    tmp=$(mktemp -d)
    curl -fsSL "$proxy/golang.org/toolchain/@v/v0.0.1-$GO_TOOLCHAIN.linux-$arch.zip" -o "$tmp/go.zip" || die "could not fetch $GO_TOOLCHAIN"
    (cd "$tmp" && { unzip -q go.zip 2>/dev/null || busybox unzip -q go.zip; }) || die "could not unpack $GO_TOOLCHAIN (needs unzip or busybox)"
    # Module zips keep no file modes; the go command marks these executable when it switches.
    chmod +x "$tmp/golang.org/toolchain@v0.0.1-$GO_TOOLCHAIN.linux-$arch"/bin/* "$tmp/golang.org/toolchain@v0.0.1-$GO_TOOLCHAIN.linux-$arch"/pkg/tool/*/*
    mkdir -p "$CACHE/toolchain"
    rm -rf "$dir"
    mv "$tmp/golang.org/toolchain@v0.0.1-$GO_TOOLCHAIN.linux-$arch" "$dir"
    rm -rf "$tmp"
  fi
  echo "$dir/bin/go"
}

# The cache key: everything that decides the binaries' bytes.
build_key() {
  { cat "$SRC/go.mod" "$SRC/go.sum" "$SRC/main.go" "$SRC/pause/main.go"; "$(go_cmd)" env GOVERSION GOARCH; } | sha256sum | cut -c1-16
}

bin_dir() { echo "$CACHE/bin/v$(k8s_version)-$(build_key)"; }

# A docker-archive (docker save format; `ctr images import` reads it) holding
# one layer with /pause, owned by root, mode 0755, mtime 0.
pause_archive() {
  local bin=$1 out=$2 tmp
  tmp=$(mktemp -d)
  mkdir -p "$tmp/root"
  cp "$bin" "$tmp/root/pause"
  chmod 0755 "$tmp/root/pause"
  tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -C "$tmp/root" -cf "$tmp/layer.tar" pause
  local diff config
  diff=$(sha256sum "$tmp/layer.tar" | cut -d' ' -f1)
  printf '{"architecture":"%s","os":"linux","config":{"Entrypoint":["/pause"],"User":"65535:65535","StopSignal":"SIGTERM"},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]},"history":[{"created_by":"goneat-deploy scripts/k8s.sh"}]}' \
    "$("$(go_cmd)" env GOARCH)" "$diff" >"$tmp/config.json"
  config=$(sha256sum "$tmp/config.json" | cut -d' ' -f1)
  mv "$tmp/config.json" "$tmp/$config.json"
  mkdir "$tmp/$diff" && mv "$tmp/layer.tar" "$tmp/$diff/layer.tar"
  printf '[{"Config":"%s.json","RepoTags":["%s"],"Layers":["%s/layer.tar"]}]' "$config" "$(pause_image)" "$diff" >"$tmp/manifest.json"
  tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -C "$tmp" -cf "$out" manifest.json "$config.json" "$diff"
  rm -rf "$tmp"
}

pause_image() { echo "goneat-k8s/pause:$(build_key)"; }

cmd_build() {
  local dir
  GO=$(go_cmd)
  dir=$(bin_dir)
  if [ -x "$dir/kube" ] && [ -f "$dir/pause.tar" ]; then echo "$dir"; return; fi
  mkdir -p "$CACHE"
  exec 8>"$CACHE/build.lock"
  if ! flock -n 8; then
    log "waiting for another build of the components (lock $CACHE/build.lock)"
    flock 8
  fi
  if [ -x "$dir/kube" ] && [ -f "$dir/pause.tar" ]; then echo "$dir"; return; fi
  local v tmp start
  v=$(k8s_version)
  tmp="$dir.tmp.$$"
  rm -rf "$tmp"
  mkdir -p "$tmp"
  start=$(date +%s)
  log "building Kubernetes v$v and etcd into one binary (cold: tens of minutes; cached in $CACHE)"
  # The version stamps the release build sets (kubernetes hack/lib/version.sh):
  # the API server reports it and derives its default compatibility version from it.
  local x="" p
  for p in k8s.io/client-go/pkg/version k8s.io/component-base/version; do
    x="$x -X $p.gitVersion=v$v -X $p.gitMajor=${v%%.*} -X $p.gitMinor=$(echo "$v" | cut -d. -f2) -X $p.gitTreeState=clean -X $p.buildDate=1970-01-01T00:00:00Z"
  done
  (
    cd "$SRC"
    export CGO_ENABLED=0 GOCACHE="$CACHE/go-build" GOFLAGS="-mod=readonly -buildvcs=false" GOTOOLCHAIN=local
    "$GO" build -trimpath -ldflags "-s -w$x" -o "$tmp/kube" .
    "$GO" build -trimpath -ldflags "-s -w" -o "$tmp/pause" ./pause
  ) >&2
  pause_archive "$tmp/pause" "$tmp/pause.tar"
  for p in etcd kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kubectl; do ln -s kube "$tmp/$p"; done
  rm -rf "$dir"
  mv "$tmp" "$dir"
  log "built in $(($(date +%s) - start)) s: $dir"
  # Older builds are useless once the key changed, but for one a running cluster still uses.
  local used
  used=$(dirname "$(readlink "$STATE/bin/kube" 2>/dev/null || echo /nonexistent/x)")
  find "$CACHE/bin" -mindepth 1 -maxdepth 1 ! -path "$dir" ! -path "$used" -exec rm -rf {} + 2>/dev/null || true
  echo "$dir"
}

# ---------------------------------------------------------------- check

# Why this machine cannot run the cluster ("" when it can).
why_not() {
  [ "$(uname -s)" = Linux ] || { echo "not Linux"; return; }
  [ "$(id -u)" = 0 ] || { echo "needs root (the kubelet, containerd and kube-proxy manage cgroups, mounts and iptables)"; return; }
  local b
  for b in containerd containerd-shim-runc-v2 runc ctr iptables openssl curl flock setsid ip; do
    command -v "$b" >/dev/null || { echo "$b is not installed (scripts/ensure-env.sh installs it)"; return; }
  done
  for b in bridge host-local loopback firewall; do
    [ -x "$CNI_BIN/$b" ] || { echo "CNI plugin $CNI_BIN/$b is missing (Debian package containernetworking-plugins)"; return; }
  done
  grep -qw overlay /proc/filesystems || { echo "the kernel has no overlay filesystem (containerd's snapshotter)"; return; }
  if [ "$(stat -fc %T /sys/fs/cgroup)" != cgroup2fs ]; then
    for b in cpu cpuacct cpuset memory pids; do
      grep -qE "^$b\s+[1-9]" /proc/cgroups || { echo "cgroup v1 controller $b is not mounted"; return; }
    done
  fi
}

cmd_check() {
  local why
  why=$(why_not)
  if [ -n "$why" ]; then echo "$why"; exit 3; fi
  echo "ok"
}

# ---------------------------------------------------------------- up

start() {
  local name=$1
  shift
  # 8>&- 9>&-: the daemons must not hold the build and cluster locks.
  setsid "$@" >"$LOG/$name.log" 2>&1 </dev/null 8>&- 9>&- &
  echo $! >"$RUN/$name.pid"
}

alive() { [ -f "$RUN/$1.pid" ] && kill -0 "$(cat "$RUN/$1.pid")" 2>/dev/null; }

# wait_for WHAT COMPONENT COMMAND...: until COMMAND succeeds, failing at once when COMPONENT died.
wait_for() {
  local what=$1 comp=$2 deadline=$(($(date +%s) + UP_TIMEOUT))
  shift 2
  until "$@" >/dev/null 2>&1; do
    if [ -n "$comp" ] && ! alive "$comp"; then
      tail -n 15 "$LOG/$comp.log" >&2 || true
      die "$comp exited while waiting for $what (log: $LOG/$comp.log)"
    fi
    [ "$(date +%s)" -lt "$deadline" ] || die "timed out after ${UP_TIMEOUT}s waiting for $what (logs: $LOG)"
    sleep 0.2
  done
}

cert() { # NAME SUBJECT EXTENDED-KEY-USAGE [SUBJECT-ALT-NAMES]
  local name=$1 subj=$2 eku=$3 san=${4:-}
  openssl ecparam -name prime256v1 -genkey -noout -out "$PKI/$name.key" 2>/dev/null
  openssl req -new -key "$PKI/$name.key" -subj "$subj" -out "$PKI/$name.csr" 2>/dev/null
  {
    echo "basicConstraints=critical,CA:FALSE"
    echo "keyUsage=critical,digitalSignature,keyEncipherment"
    echo "extendedKeyUsage=$eku"
    [ -z "$san" ] || echo "subjectAltName=$san"
  } >"$PKI/$name.ext"
  openssl x509 -req -in "$PKI/$name.csr" -CA "$PKI/ca.crt" -CAkey "$PKI/ca.key" -set_serial "0x$(openssl rand -hex 16)" \
    -days 30 -extfile "$PKI/$name.ext" -out "$PKI/$name.crt" 2>/dev/null
  rm -f "$PKI/$name.csr" "$PKI/$name.ext"
}

kubeconfig() { # FILE CERT-NAME
  cat >"$1" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: $NODE_NAME
  cluster:
    certificate-authority: $PKI/ca.crt
    server: https://$NODE_IP:$API_PORT
users:
- name: $2
  user:
    client-certificate: $PKI/$2.crt
    client-key: $PKI/$2.key
contexts:
- name: $NODE_NAME
  context:
    cluster: $NODE_NAME
    user: $2
current-context: $NODE_NAME
EOF
}

pki() {
  mkdir -p "$PKI"
  openssl ecparam -name prime256v1 -genkey -noout -out "$PKI/ca.key" 2>/dev/null
  openssl req -x509 -new -key "$PKI/ca.key" -subj "/CN=goneat-k8s-ca" -days 30 -out "$PKI/ca.crt" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" 2>/dev/null
  cert apiserver "/CN=kube-apiserver" serverAuth \
    "DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,DNS:localhost,IP:$API_SERVICE_IP,IP:$NODE_IP,IP:127.0.0.1"
  cert kubelet-serving "/CN=$NODE_NAME" serverAuth "DNS:$NODE_NAME,IP:$NODE_IP"
  # Client identities as the default RBAC bindings expect them (system:masters for the admin
  # and for the API server's calls to the kubelet; the Node authorizer for the kubelet).
  cert admin "/O=system:masters/CN=goneat-k8s-admin" clientAuth
  cert apiserver-kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client" clientAuth
  cert controller-manager "/CN=system:kube-controller-manager" clientAuth
  cert scheduler "/CN=system:kube-scheduler" clientAuth
  cert kubelet "/O=system:nodes/CN=system:node:$NODE_NAME" clientAuth
  cert kube-proxy "/CN=system:kube-proxy" clientAuth
  openssl ecparam -name prime256v1 -genkey -noout -out "$PKI/sa.key" 2>/dev/null
  openssl ec -in "$PKI/sa.key" -pubout -out "$PKI/sa.pub" 2>/dev/null
  chmod 0600 "$PKI"/*.key
  local c
  for c in admin controller-manager scheduler kubelet kube-proxy; do kubeconfig "$STATE/$c.kubeconfig" "$c"; done
}

# Whether this process may lower OOM scores (CAP_SYS_RESOURCE, bit 24, in the bounding set).
# Some sandboxes drop it: then runc cannot set the pod sandbox's oom_score_adj (-998, containerd's
# default) and every pod fails ("nsexec: failed to update /proc/self/oom_score_adj: Permission
# denied"), unless containerd keeps scores at or above its own (restrict_oom_score_adj).
can_lower_oom_score() {
  local bnd
  bnd=$(awk '/^CapBnd:/ {print $2}' /proc/self/status)
  (( (16#$bnd >> 24) & 1 ))
}

configs() {
  local pause=$1 restrict_oom=false
  can_lower_oom_score || restrict_oom=true
  mkdir -p "$STATE/cni/net.d" "$STATE/cni/ipam"
  cat >"$STATE/containerd.toml" <<EOF
version = 2
root = "$STATE/containerd"
state = "$RUN/containerd"
plugin_dir = ""
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.zfs", "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing"]
[grpc]
  address = "$SOCK"
[ttrpc]
  address = "$RUN/containerd.ttrpc.sock"
[debug]
  address = ""
[metrics]
  address = ""
[plugins]
  [plugins."io.containerd.internal.v1.opt"]
    path = "$STATE/containerd-opt"
  [plugins."io.containerd.grpc.v1.cri"]
    sandbox_image = "$pause"
    netns_mounts_under_state_dir = true
    stream_server_address = "127.0.0.1"
    stream_server_port = "0"
    enable_selinux = false
    restrict_oom_score_adj = $restrict_oom
    [plugins."io.containerd.grpc.v1.cri".cni]
      bin_dir = "$CNI_BIN"
      conf_dir = "$STATE/cni/net.d"
    [plugins."io.containerd.grpc.v1.cri".containerd]
      snapshotter = "overlayfs"
      default_runtime_name = "runc"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
        runtime_type = "io.containerd.runc.v2"
        [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
          SystemdCgroup = false
EOF
  # bridge + host-local: one subnet on one node. firewall: Docker sets the FORWARD policy to
  # DROP and br_netfilter sends bridged frames through FORWARD, so pod-to-pod traffic needs
  # the ACCEPT rules this plugin adds per pod (removed again on CNI DEL).
  cat >"$STATE/cni/net.d/10-goneat-k8s.conflist" <<EOF
{
  "cniVersion": "1.0.0",
  "name": "goneat-k8s",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "$BRIDGE",
      "isGateway": true,
      "ipMasq": false,
      "hairpinMode": true,
      "ipam": {
        "type": "host-local",
        "ranges": [[{ "subnet": "$POD_SUBNET" }]],
        "routes": [{ "dst": "0.0.0.0/0" }],
        "dataDir": "$STATE/cni/ipam"
      }
    },
    { "type": "firewall", "backend": "iptables" }
  ]
}
EOF
  local cgv1=true
  [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ] && cgv1=false
  cat >"$STATE/kubelet.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $NODE_IP
port: 10250
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: 0
authentication:
  anonymous: { enabled: false }
  webhook: { enabled: true }
  x509: { clientCAFile: $PKI/ca.crt }
authorization: { mode: Webhook }
tlsCertFile: $PKI/kubelet-serving.crt
tlsPrivateKeyFile: $PKI/kubelet-serving.key
containerRuntimeEndpoint: unix://$SOCK
cgroupDriver: cgroupfs
cgroupRoot: /$CGROUP_ROOT
# cgroup v1 is in maintenance mode; 1.35+ refuses it unless told otherwise (see the header).
failCgroupV1: $( $cgv1 && echo false || echo true )
failSwapOn: false
podLogsDir: $STATE/pod-logs
resolvConf: /etc/resolv.conf
clusterDomain: cluster.local
# A shared test machine: evict nothing and collect no images because of other tenants' disk use.
evictionHard: { memory.available: 50Mi, nodefs.available: 1%, nodefs.inodesFree: 1%, imagefs.available: 1% }
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
# Pod status reaches the API server sooner (default 10s / 1m): the tests wait on it.
nodeStatusUpdateFrequency: 4s
syncFrequency: 10s
$($restrict_oom && echo "oomScoreAdj: 0  # cannot lower OOM scores here (see can_lower_oom_score)")
EOF
  cat >"$STATE/kube-proxy.yaml" <<EOF
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection: { kubeconfig: $STATE/kube-proxy.kubeconfig }
hostnameOverride: $NODE_NAME
mode: iptables
clusterCIDR: $CLUSTER_CIDR
bindAddress: $NODE_IP
healthzBindAddress: $NODE_IP:10256
metricsBindAddress: $NODE_IP:10249
nodePortAddresses: ["$NODE_IP/32"]
iptables:
  # true would set net.ipv4.conf.all.route_localnet=1 on the host.
  localhostNodePorts: false
  syncPeriod: 30s
  minSyncPeriod: 0s
# 0: leave the host's conntrack sysctls as they are.
conntrack: { maxPerCore: 0, min: 0, tcpEstablishedTimeout: 0s, tcpCloseWaitTimeout: 0s }
$($restrict_oom && echo "oomScoreAdj: 0")
EOF
}

cgroups_create() {
  local h
  if [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ]; then
    mkdir -p "/sys/fs/cgroup/$CGROUP_ROOT"
    return
  fi
  for h in /sys/fs/cgroup/*/; do
    h=${h%/}
    [ "$(stat -fc %T "$h")" = cgroupfs ] || continue
    mkdir -p "$h/$CGROUP_ROOT"
    if [ -f "$h/cpuset.cpus" ]; then
      cat "$h/cpuset.cpus" >"$h/$CGROUP_ROOT/cpuset.cpus"
      cat "$h/cpuset.mems" >"$h/$CGROUP_ROOT/cpuset.mems"
    fi
  done
}

cluster_up() {
  [ -S "$SOCK" ] && alive kube-apiserver && alive kubelet && alive kube-proxy && alive containerd && alive etcd && \
    [ -f "$STATE/admin.kubeconfig" ] && "$STATE/bin/kubectl" --kubeconfig "$STATE/admin.kubeconfig" get --raw /readyz >/dev/null 2>&1
}

cmd_up() {
  local why
  why=$(why_not)
  [ -z "$why" ] || die "cannot run here: $why"
  exec 9>/run/goneat-k8s.lock
  flock 9
  if cluster_up; then
    log "already up"
    echo "$STATE/admin.kubeconfig"
    return
  fi
  local t0 bin pause
  t0=$(date +%s.%N)
  bin=$(cmd_build)
  teardown quiet
  UP_DONE=""
  trap '[ -n "$UP_DONE" ] || { log "up failed: removing what it started (its logs: $CACHE/logs)"; teardown quiet; }' EXIT
  mkdir -p "$STATE" "$RUN" "$LOG" "$STATE/bin"
  chmod 0700 "$STATE"
  for b in kube kubectl; do ln -sf "$bin/$b" "$STATE/bin/$b"; done
  pause=docker.io/$(pause_image)

  local s
  for s in $KUBELET_SYSCTLS; do echo "$s $(cat "/proc/sys/$s")"; done >"$STATE/sysctl.saved"
  ip addr add "$NODE_IP/32" dev lo
  cgroups_create
  pki
  configs "$pause"

  start etcd "$bin/etcd" --name "$NODE_NAME" --data-dir "$STATE/etcd" \
    --listen-client-urls "http://$NODE_IP:2379" --advertise-client-urls "http://$NODE_IP:2379" \
    --listen-peer-urls "http://$NODE_IP:2380" --initial-advertise-peer-urls "http://$NODE_IP:2380" \
    --initial-cluster "$NODE_NAME=http://$NODE_IP:2380" \
    --unsafe-no-fsync --quota-backend-bytes 1073741824
  start containerd containerd --config "$STATE/containerd.toml"
  wait_for etcd etcd curl -sf "http://$NODE_IP:2379/health"
  start kube-apiserver "$bin/kube-apiserver" \
    --etcd-servers "http://$NODE_IP:2379" \
    --bind-address "$NODE_IP" --advertise-address "$NODE_IP" --secure-port "$API_PORT" \
    --service-cluster-ip-range "$SERVICE_CIDR" \
    --client-ca-file "$PKI/ca.crt" --tls-cert-file "$PKI/apiserver.crt" --tls-private-key-file "$PKI/apiserver.key" \
    --kubelet-client-certificate "$PKI/apiserver-kubelet-client.crt" --kubelet-client-key "$PKI/apiserver-kubelet-client.key" \
    --kubelet-preferred-address-types InternalIP \
    --service-account-issuer https://kubernetes.default.svc.cluster.local \
    --service-account-key-file "$PKI/sa.pub" --service-account-signing-key-file "$PKI/sa.key" \
    --authorization-mode Node,RBAC \
    --enable-admission-plugins NodeRestriction,PodSecurity \
    --allow-privileged=false --profiling=false --anonymous-auth=false
  wait_for "containerd" containerd ctr --address "$SOCK" version
  ctr --address "$SOCK" -n k8s.io images import "$bin/pause.tar" >/dev/null
  wait_for "the API server" kube-apiserver curl -sf --cacert "$PKI/ca.crt" --cert "$PKI/admin.crt" --key "$PKI/admin.key" "https://$NODE_IP:$API_PORT/readyz"
  start kube-controller-manager "$bin/kube-controller-manager" \
    --kubeconfig "$STATE/controller-manager.kubeconfig" \
    --authentication-kubeconfig "$STATE/controller-manager.kubeconfig" --authorization-kubeconfig "$STATE/controller-manager.kubeconfig" \
    --bind-address "$NODE_IP" --leader-elect=false --profiling=false \
    --service-cluster-ip-range "$SERVICE_CIDR" --cluster-cidr "$CLUSTER_CIDR" \
    --service-account-private-key-file "$PKI/sa.key" --root-ca-file "$PKI/ca.crt" --use-service-account-credentials
  start kube-scheduler "$bin/kube-scheduler" \
    --kubeconfig "$STATE/scheduler.kubeconfig" \
    --authentication-kubeconfig "$STATE/scheduler.kubeconfig" --authorization-kubeconfig "$STATE/scheduler.kubeconfig" \
    --bind-address "$NODE_IP" --leader-elect=false --profiling=false
  start kubelet "$bin/kubelet" --config "$STATE/kubelet.yaml" --kubeconfig "$STATE/kubelet.kubeconfig" \
    --root-dir "$STATE/kubelet" --cert-dir "$STATE/kubelet/pki" \
    --hostname-override "$NODE_NAME" --node-ip "$NODE_IP"
  start kube-proxy "$bin/kube-proxy" --config "$STATE/kube-proxy.yaml"

  local k=("$STATE/bin/kubectl" --kubeconfig "$STATE/admin.kubeconfig")
  wait_for "node $NODE_NAME to register" kubelet "${k[@]}" get node "$NODE_NAME"
  wait_for "node $NODE_NAME to be Ready" kubelet "${k[@]}" wait --for=condition=Ready "node/$NODE_NAME" --timeout=2s
  wait_for "the default service account" kube-controller-manager "${k[@]}" -n default get serviceaccount default
  wait_for "kube-proxy to sync" kube-proxy curl -sf "http://$NODE_IP:10256/healthz"
  UP_DONE=1
  log "up in $(awk "BEGIN{printf \"%.1f\", $(date +%s.%N) - $t0}") s: Kubernetes v$(k8s_version), node $NODE_NAME ($NODE_IP); logs in $LOG"
  echo "$STATE/admin.kubeconfig"
}

# ---------------------------------------------------------------- load

cmd_load() {
  [ $# -gt 0 ] || die "usage: scripts/k8s.sh load IMAGE..."
  [ -S "$SOCK" ] || die "the cluster is not up (scripts/k8s.sh up)"
  local image
  for image in "$@"; do
    docker image inspect "$image" >/dev/null 2>&1 || die "no image $image in the Docker Engine"
    docker save "$image" | ctr --address "$SOCK" -n k8s.io images import - >/dev/null
    log "loaded $image"
  done
}

# ---------------------------------------------------------------- down

# stop_pid PID...: SIGTERM to all at once, SIGKILL to those still there after 10 s (each
# component takes ~2 s to shut down: one after another, `down` took 16 s).
stop_pid() {
  local pid i left
  for pid in "$@"; do kill -TERM "$pid" 2>/dev/null || true; done
  for i in $(seq 1 100); do
    left=""
    for pid in "$@"; do kill -0 "$pid" 2>/dev/null && left="$left $pid"; done
    [ -n "$left" ] || return 0
    sleep 0.1
  done
  for pid in $left; do kill -KILL "$pid" 2>/dev/null || true; done
}

# stop NAME...: the processes this script started under those names (their command line still
# names our files), together.
stop() {
  local name pid pids=()
  for name in "$@"; do
    [ -f "$RUN/$name.pid" ] || continue
    pid=$(cat "$RUN/$name.pid")
    if tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -e "$STATE" -e "$CACHE" -e "$NODE_IP"; then pids+=("$pid"); fi
    rm -f "$RUN/$name.pid"
  done
  [ ${#pids[@]} -eq 0 ] || stop_pid "${pids[@]}"
}

# Processes left without pid files (a run killed mid-way): the component binary, containerd
# or a shim of ours, recognized by the files they were started with, never by name alone.
strays() {
  local p exe
  for p in /proc/[0-9]*; do
    exe=$(readlink "$p/exe" 2>/dev/null) || continue
    case "$exe" in
      "$CACHE"/bin/*/kube | */containerd | */containerd-shim-runc-v2) ;;
      *) continue ;;
    esac
    tr '\0' ' ' <"$p/cmdline" 2>/dev/null | grep -qE -- "(--config $STATE/|--data-dir $STATE/|--kubeconfig $STATE/|--client-ca-file $PKI/|-address $RUN/containerd.sock)" && echo "${p#/proc/}"
  done
  return 0
}

iptables_cleanup() {
  local ipt table chain
  for ipt in iptables ip6tables iptables-legacy ip6tables-legacy; do
    command -v "$ipt" >/dev/null || continue
    for table in filter nat mangle raw; do
      # Listing a legacy table creates it: only touch legacy tables something already uses.
      case "$ipt" in
        iptables-legacy) grep -qx "$table" /proc/net/ip_tables_names 2>/dev/null || continue ;;
        ip6tables-legacy) grep -qx "$table" /proc/net/ip6_tables_names 2>/dev/null || continue ;;
      esac
      "$ipt" -t "$table" -S >/dev/null 2>&1 || continue
      # Jumps into our chains first, then the chains.
      "$ipt" -t "$table" -S 2>/dev/null | grep -E -- '^-A [A-Z-]+ .*-j (KUBE-|CNI-)' | grep -vE '^-A (KUBE-|CNI-)' | while read -r _ rule; do
        eval "\"$ipt\" -t \"$table\" -D $rule" 2>/dev/null || true
      done
      for chain in $("$ipt" -t "$table" -S 2>/dev/null | sed -n 's/^-N \(KUBE-[A-Za-z0-9_-]*\|CNI-[A-Za-z0-9_-]*\)$/\1/p'); do
        "$ipt" -t "$table" -F "$chain" 2>/dev/null || true
      done
      for chain in $("$ipt" -t "$table" -S 2>/dev/null | sed -n 's/^-N \(KUBE-[A-Za-z0-9_-]*\|CNI-[A-Za-z0-9_-]*\)$/\1/p'); do
        "$ipt" -t "$table" -X "$chain" 2>/dev/null || true
      done
    done
  done
}

# Best effort from start to end: a step that fails (nothing to remove) must not stop the rest.
teardown() { (set +e +o pipefail; teardown_steps "$@"); }

teardown_steps() {
  local quiet=${1:-}
  [ -d "$STATE" ] || [ -d "$RUN" ] || return 0
  [ -n "$quiet" ] || log "stopping the cluster"
  local bin=$STATE/bin/kube c pid
  # 1. No more pods: the kubelet first, then every sandbox through the CRI, so containerd
  #    runs CNI DEL for each (veth, IP lease, firewall rules).
  stop kubelet
  if [ -S "$SOCK" ] && alive containerd && [ -x "$bin" ]; then
    timeout 120 "$bin" cri-reset "unix://$SOCK" >&2 || true
  fi
  if [ -S "$SOCK" ] && alive containerd; then
    # Anything the CRI did not know about (ctr-made containers): kill and delete.
    for c in $(ctr --address "$SOCK" -n k8s.io tasks ls -q 2>/dev/null); do ctr --address "$SOCK" -n k8s.io tasks kill -s KILL "$c" >/dev/null 2>&1 || true; done
  fi
  # 2. The rest together (each takes ~2 s), etcd last: on SIGTERM the API server removes its
  #    endpoint lease, and waits for etcd to do it.
  stop kube-proxy kube-scheduler kube-controller-manager kube-apiserver containerd
  stop etcd
  local left
  left=$(strays)
  if [ -n "$left" ]; then
    # A shim's children are the containers: kill them with it.
    for pid in $left; do
      for c in $(pgrep -P "$pid" 2>/dev/null); do kill -KILL "$c" 2>/dev/null || true; done
    done
    # shellcheck disable=SC2086
    stop_pid $left
  fi
  # kube-proxy's own cleanup of its rules, then whatever chain of ours is left (kubelet's, CNI's).
  if [ -x "$bin" ]; then "$STATE/bin/kube" kube-proxy --cleanup >/dev/null 2>&1 || true; fi
  iptables_cleanup
  ip link del "$BRIDGE" 2>/dev/null || true
  ip addr del "$NODE_IP/32" dev lo 2>/dev/null || true
  # Mounts (container root filesystems, network namespaces, volumes), deepest first.
  local m
  for m in $(awk '{print $5}' /proc/self/mountinfo | grep -E "^($STATE|$RUN)/" | sort -r); do umount -l "$m" 2>/dev/null || true; done
  # cgroups, deepest first, once their processes are gone.
  local h
  for h in /sys/fs/cgroup/*/"$CGROUP_ROOT" /sys/fs/cgroup/"$CGROUP_ROOT"; do
    [ -d "$h" ] && find "$h" -depth -type d -exec rmdir {} \; 2>/dev/null || true
  done
  if [ -f "$STATE/sysctl.saved" ]; then
    local s v
    while read -r s v; do echo "$v" >"/proc/sys/$s" 2>/dev/null || true; done <"$STATE/sysctl.saved"
  fi
  # Keep the logs of the last run, for a look after `down` (or a failed `up`).
  if [ -d "$LOG" ]; then
    rm -rf "$CACHE/logs"
    mkdir -p "$CACHE"
    cp -a "$LOG" "$CACHE/logs" 2>/dev/null || true
  fi
  # --one-file-system: never follow a mount that survived the unmounting above.
  rm -rf --one-file-system "$RUN" "$STATE"
  [ -n "$quiet" ] || log "down: nothing of the cluster is left (its logs: $CACHE/logs)"
}

cmd_down() {
  exec 9>/run/goneat-k8s.lock
  # An `up` in progress finishes first; a lock held for longer (a process that should not
  # have it) must not stop `down`.
  flock -w 300 9 || log "the cluster lock is still held after 5 min; going ahead"
  teardown
}

cmd_kubectl() {
  [ -f "$STATE/admin.kubeconfig" ] || die "the cluster is not up (scripts/k8s.sh up)"
  exec "$STATE/bin/kubectl" --kubeconfig "$STATE/admin.kubeconfig" "$@"
}

main() {
  case "${1:-}" in
    build) cmd_build ;;
    up) cmd_up ;;
    load) shift; cmd_load "$@" ;;
    down) cmd_down ;;
    check) cmd_check ;;
    status) cluster_up ;;
    kubectl) shift; cmd_kubectl "$@" ;;
    *) echo "usage: scripts/k8s.sh build|up|load IMAGE...|down|check|status|kubectl ARGS..." >&2; exit 2 ;;
  esac
}

# One line, so bash has read all of it before it runs: editing this file while a build runs
# must not make bash read on into the new text.
main "$@"; exit
