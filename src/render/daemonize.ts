/**
 * A control script (start|stop|restart|status) for the external tool
 * daemonize(1) (Debian package `daemonize`; bmc/daemonize), for hosts without
 * systemd. What daemonize does, from its source (daemonize.c, 1.7.x):
 *  - takes an exclusive flock(2) on the lock file (-l) before anything else and
 *    exits 1 if another process holds it; the descriptor is inherited through
 *    the exec, so the lock lives exactly as long as the service;
 *  - switches to the account (-u, root only), opens the log files (-o, -e; -a
 *    appends) as that account, chdir (-c), then daemon(3): one fork, the parent
 *    exits, the child calls setsid(2) — no controlling terminal, so no hangup;
 *  - writes the child's pid (-p) and execs the service: the pid in the file is
 *    the service's own. It never resets the umask: the script's is inherited.
 * The service runs in the foreground of that child: it never forks, and no
 * nohup is needed, because no terminal can reach it.
 *
 * Stop sends the stop signal, waits the shutdown budget, then SIGKILL, and
 * says which happened. The service is not the script's child (daemon(3) gave
 * it to init), so its exit status is not observable here: the script reports
 * the signal, the time it took and the last line of each of the service's logs
 * (stdout's and stderr's: Go's log package writes to stderr) instead.
 * Exit codes follow the LSB init-script actions: status 0 running, 1 dead with
 * a pid file left, 3 not running; stop 1 when SIGKILL was needed.
 *
 * Every value is a single-quoted shell word; the spec refuses control
 * characters. POSIX sh (dash); `sh -n` and shellcheck clean (tests). Pure.
 */
import type { ServiceSpec } from '../model/service.js';
import { withHeader, type RenderedFile } from '../model/generated.js';

/**
 * One POSIX shell word that reads back as `word` exactly: single quotes, a
 * quote as '\''. Plain words stay bare, except with `always` (assignments:
 * shellcheck SC2209 reads `NAME=echo` as a command's output meant).
 */
export function shellQuote(word: string, always = false): string {
  if (!always && /^[A-Za-z0-9_./=:,@+%-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

function signalName(sig: string): string {
  return sig.replace(/^SIG/, '');
}

export function renderDaemonize(spec: ServiceSpec, dir = 'daemonize'): RenderedFile {
  const h = spec.host;
  const q = (w: string) => shellQuote(w);
  const v = (w: string) => shellQuote(w, true);
  const command = [
    ...spec.env.map(([k, v]) => `    -E ${q(`${k}=${v}`)} \\`),
    // trpc-go: the config's path on the host (host.configPath), never the image's /app/trpc_go.yaml.
    `    ${[h.binaryPath, ...h.args].map(q).join(' ')}`,
  ];
  const body = `# ${spec.name}: start|stop|restart|status with daemonize(1), for hosts without systemd.
# Needs daemonize (Debian, Ubuntu: apt-get install daemonize). Run as root (or as ${h.account}):
#   sh ${spec.name}.sh start    # detached from this terminal; a second start does not run a second copy
#   sh ${spec.name}.sh stop     # SIG${signalName(spec.shutdown.signal)}, up to ${spec.shutdown.timeoutSeconds}s to drain, then SIGKILL
# The service stays in the foreground of the process daemonize starts: it never forks, needs no nohup.
set -u

NAME=${v(spec.name)}
BINARY=${v(h.binaryPath)}
WORKING_DIRECTORY=${v(h.workingDirectory)}
RUN_AS=${v(h.account)}
RUN_DIRECTORY=${v(h.runDirectory)}
PID_FILE="$RUN_DIRECTORY/"${v(`${spec.name}.pid`)}
LOCK_FILE="$RUN_DIRECTORY/"${v(`${spec.name}.lock`)}
LOG_DIRECTORY=${v(h.daemonizeLogDirectory)}
STDOUT_LOG="$LOG_DIRECTORY/"${v(`${spec.name}.log`)}
STDERR_LOG="$LOG_DIRECTORY/"${v(`${spec.name}.err.log`)}
STOP_SIGNAL=${v(signalName(spec.shutdown.signal))}
# The shutdown budget in seconds (goneat-deploy.yaml shutdown:): the longest stop waits before SIGKILL.
STOP_TIMEOUT=${spec.shutdown.timeoutSeconds}
UMASK=${v(h.umask)}

PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export PATH

say() { printf '%s: %s\\n' "$NAME" "$*"; }
fail() { printf '%s: %s\\n' "$NAME" "$*" >&2; exit 1; }

# The last line of one of the service's logs, if it has one. Both are read: Go's log package
# writes to stderr (its package doc: the standard logger "writes to standard error"), fmt.Print to stdout.
last_line() {
  line=$(tail -n 1 "$2" 2>/dev/null) && [ -n "$line" ] && say "its last log line on $1: $line"
  return 0
}

# The pid in the pid file, when it holds one.
read_pid() {
  [ -r "$PID_FILE" ] || return 1
  read -r pid < "$PID_FILE" || [ -n "\${pid:-}" ] || return 1
  case $pid in '' | *[!0-9]*) return 1 ;; esac
  printf '%s\\n' "$pid"
}

# Running, and not a zombie waiting for its parent (init) to reap it.
alive() {
  if [ -d /proc/self ]; then
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    state=\${stat##*) }
    state=\${state%% *}
    [ "$state" != Z ] && [ "$state" != X ]
  else
    kill -0 "$1" 2>/dev/null
  fi
}

# daemonize locked the lock file and the service inherited the descriptor: a lock
# nobody holds means the pid file is stale (the pid may belong to another process now).
locked() {
  command -v flock >/dev/null 2>&1 || return 0
  [ -e "$LOCK_FILE" ] || return 1
  flock -n "$LOCK_FILE" true 2>/dev/null && return 1
  return 0
}

# Now, in hundredths of a second since boot (/proc/uptime), else whole seconds since the epoch.
now_cs() {
  if read -r up _ < /proc/uptime 2>/dev/null; then
    printf '%s\\n' "\${up%.*}\${up#*.}"
  else
    printf '%s00\\n' "$(date +%s)"
  fi
}

running_pid() {
  pid=$(read_pid) && alive "$pid" && locked && printf '%s\\n' "$pid"
}

launch() {
  # env -i: the service sees PATH and what is listed below, not the caller's environment.
  # Each value is single-quoted on purpose: nothing in it expands.
  # shellcheck disable=SC2016
  env -i PATH="$PATH" daemonize -a -c "$WORKING_DIRECTORY" -o "$STDOUT_LOG" -e "$STDERR_LOG" \\
    -p "$PID_FILE" -l "$LOCK_FILE" "$@" \\
${command.join('\n')}
}

# A directory the account can write to; created (and handed over) only when missing.
ensure_dir() {
  [ -d "$1" ] && return 0
  mkdir -p "$1" || fail "cannot create $1"
  if [ "$(id -u)" = 0 ]; then chown "$RUN_AS" "$1" || fail "cannot hand $1 to $RUN_AS"; fi
}

start() {
  if pid=$(running_pid); then
    say "already running (pid $pid)"
    return 0
  fi
  command -v daemonize >/dev/null 2>&1 || fail "daemonize is not installed (Debian, Ubuntu: apt-get install daemonize)"
  [ -x "$BINARY" ] || fail "$BINARY is not an executable file"
  if [ "$(id -u)" = 0 ]; then
    set -- -u "$RUN_AS"
  elif [ "$(id -un)" = "$RUN_AS" ]; then
    set --
  else
    fail "run this as root or as $RUN_AS (daemonize switches accounts only as root)"
  fi
  [ -d "$RUN_DIRECTORY" ] || mkdir -p "$RUN_DIRECTORY" || fail "cannot create $RUN_DIRECTORY"
  ensure_dir "$LOG_DIRECTORY"
  ensure_dir "$WORKING_DIRECTORY"
  rm -f "$PID_FILE"
  umask "$UMASK"
  launch "$@" || fail "daemonize could not start $BINARY (see the message above)"
  # daemonize returns once it has forked; the child writes the pid file, then execs the service.
  i=0
  until pid=$(read_pid) && alive "$pid"; do
    i=$((i + 1))
    [ "$i" -le 50 ] || fail "no pid in $PID_FILE after 5s; see $STDERR_LOG"
    sleep 0.1
  done
  # A service that exits at once (a bad flag, a port in use) is reported, not left for status to find.
  i=0
  while [ "$i" -lt 10 ]; do
    alive "$pid" || fail "exited right after start (pid $pid); see $STDOUT_LOG and $STDERR_LOG"
    i=$((i + 1))
    sleep 0.1
  done
  say "started (pid $pid), logs in $STDOUT_LOG and $STDERR_LOG"
}

stop() {
  if ! pid=$(read_pid); then
    say "not running"
    return 0
  fi
  if ! alive "$pid" || ! locked; then
    rm -f "$PID_FILE"
    say "not running (removed the stale pid file)"
    return 0
  fi
  kill -s "$STOP_SIGNAL" "$pid" || fail "cannot send SIG$STOP_SIGNAL to pid $pid"
  sent=$(now_cs)
  while alive "$pid"; do
    if [ $(($(now_cs) - sent)) -ge $((STOP_TIMEOUT * 100)) ]; then
      kill -s KILL "$pid" 2>/dev/null
      i=0
      while alive "$pid" && [ "$i" -lt 50 ]; do i=$((i + 1)); sleep 0.1; done
      rm -f "$PID_FILE"
      printf '%s: pid %s did not exit within %ss of SIG%s: sent SIGKILL; in-flight work was cut off\\n' "$NAME" "$pid" "$STOP_TIMEOUT" "$STOP_SIGNAL" >&2
      return 1
    fi
    sleep 0.1
  done
  took=$(($(now_cs) - sent))
  rm -f "$PID_FILE"
  say "stopped: pid $pid exited $((took / 100)).$((took % 100 / 10))s after SIG$STOP_SIGNAL (budget \${STOP_TIMEOUT}s)"
  last_line stdout "$STDOUT_LOG"
  last_line stderr "$STDERR_LOG"
  return 0
}

status() {
  if pid=$(read_pid); then
    if alive "$pid" && locked; then
      say "running (pid $pid)"
      return 0
    fi
    say "not running, but $PID_FILE is left (pid $pid)"
    return 1
  fi
  say "not running"
  return 3
}

case \${1:-} in
  start) start ;;
  stop) stop ;;
  restart)
    stop
    start
    ;;
  status) status ;;
  *)
    printf 'usage: %s start|stop|restart|status\\n' "$0" >&2
    exit 2
    ;;
esac
`;
  // The interpreter line must come first; the generated-file header follows it, and its checksum covers it too.
  return { path: `${dir}/${spec.name}.sh`, content: withHeader('hash', body, { prefix: '#!/bin/sh\n' }) };
}
