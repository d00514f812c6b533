/**
 * Values read the way their consumer reads them. Each function follows the
 * consumer's own parser (named in its docstring) — not a guess at it — so a
 * rule judges what systemd, Docker, Compose, Kubernetes or upstart will do.
 *
 * Written here rather than taken from a library: no npm package implements
 * systemd's, upstart's or kill(1)'s grammars; these are small, pure and tested
 * against the cases the sources name.
 */
import { formatDuration, parseDuration } from '../model/duration.js';

/** Linux signal numbers (x86/arm generic), as signal(7) lists them. */
const SIGNALS: Record<string, number> = {
  SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGILL: 4, SIGTRAP: 5, SIGABRT: 6, SIGIOT: 6, SIGBUS: 7, SIGFPE: 8, SIGKILL: 9,
  SIGUSR1: 10, SIGSEGV: 11, SIGUSR2: 12, SIGPIPE: 13, SIGALRM: 14, SIGTERM: 15, SIGSTKFLT: 16, SIGCHLD: 17, SIGCONT: 18,
  SIGSTOP: 19, SIGTSTP: 20, SIGTTIN: 21, SIGTTOU: 22, SIGURG: 23, SIGXCPU: 24, SIGXFSZ: 25, SIGVTALRM: 26, SIGPROF: 27,
  SIGWINCH: 28, SIGIO: 29, SIGPOLL: 29, SIGPWR: 30, SIGSYS: 31,
};
const BY_NUMBER = new Map<number, string>();
for (const [name, n] of Object.entries(SIGNALS)) if (!BY_NUMBER.has(n)) BY_NUMBER.set(n, name);

/** "SIGTERM" for a signal number, or undefined. */
export function signalName(n: number): string | undefined {
  return BY_NUMBER.get(n);
}

/** Whether a name is a real signal ("SIGTERM"). */
export function isSignalName(s: string): boolean {
  return s in SIGNALS;
}

/**
 * systemd's signal_from_string() (src/basic/signal-util.c), used by KillSignal=,
 * FinalKillSignal=, RestartKillSignal=, ReloadSignal=, WatchdogSignal=: a
 * number, or a name with or without the "SIG" prefix, case-sensitive
 * ("TERM", "SIGTERM", "15"; "term" is refused). Returns undefined when systemd
 * cannot parse it — config_parse_signal() then logs "Failed to parse signal
 * name, ignoring" and the default stays.
 */
export function systemdSignal(v: string): string | undefined {
  const t = v.trim();
  if (/^\d+$/.test(t)) return signalName(Number(t));
  const name = t.startsWith('SIG') ? t : `SIG${t}`;
  if (/^SIGRTMIN(\+\d+)?$|^SIGRTMAX(-\d+)?$/.test(name)) return name;
  return isSignalName(name) ? name : undefined;
}

/**
 * Docker's signal.ParseSignal (moby/sys/signal), used for Dockerfile
 * STOPSIGNAL, compose stop_signal and `docker run --stop-signal`: a number or a
 * name, case-insensitive, "SIG" optional.
 */
export function dockerSignal(v: unknown): string | undefined {
  if (typeof v === 'number') return signalName(v);
  if (typeof v !== 'string') return undefined;
  const t = v.trim().toUpperCase();
  if (/^\d+$/.test(t)) return signalName(Number(t));
  const name = t.startsWith('SIG') ? t : `SIG${t}`;
  return isSignalName(name) ? name : undefined;
}

/**
 * upstart's `kill signal` / `reload signal` argument (init(5): "a full name
 * (for example "SIGTERM") or a partial name (for example "TERM")", or a
 * number). upstart refuses to load a job whose signal it cannot parse.
 */
export function upstartSignal(v: string): string | undefined {
  const t = v.trim();
  if (/^\d+$/.test(t)) return signalName(Number(t));
  const name = t.startsWith('SIG') ? t : `SIG${t}`;
  return isSignalName(name) ? name : undefined;
}

/**
 * kill(1)'s signal argument (procps-ng and util-linux kill, the shells'
 * builtins): a name or number, case-insensitive, "SIG" optional.
 */
export function killSignal(v: string): string | undefined {
  return dockerSignal(v);
}

// ---------------------------------------------------------------- time

/** A span in ms; Infinity means "no timeout". */
export type SpanMs = number;

/**
 * systemd's parse_time()/parse_sec() (src/basic/time-util.c, systemd.time(7)):
 * one or more "NUMBER[UNIT]" parts, optionally separated by spaces, summed; a
 * part without a unit is in seconds; "infinity" alone is no limit. Units
 * (longest match first, as systemd's table orders them): us usec µs, ms msec,
 * s sec second seconds, m min minute minutes, h hr hour hours, d day days,
 * w week weeks, M month months (30.44 d), y year years (365.25 d). Returns
 * undefined for anything systemd would reject (negative numbers, unknown
 * units, garbage).
 */
export function systemdTimespan(v: string): SpanMs | undefined {
  const t = v.trim();
  if (t === 'infinity') return Number.POSITIVE_INFINITY;
  if (t === '') return undefined;
  const UNITS: Array<[string, number]> = [
    ['seconds', 1000], ['second', 1000], ['sec', 1000], ['s', 1000],
    ['minutes', 60_000], ['minute', 60_000], ['min', 60_000],
    ['months', 2_629_800_000], ['month', 2_629_800_000], ['M', 2_629_800_000],
    ['msec', 1], ['ms', 1], ['m', 60_000],
    ['hours', 3_600_000], ['hour', 3_600_000], ['hr', 3_600_000], ['h', 3_600_000],
    ['days', 86_400_000], ['day', 86_400_000], ['d', 86_400_000],
    ['weeks', 604_800_000], ['week', 604_800_000], ['w', 604_800_000],
    ['years', 31_557_600_000], ['year', 31_557_600_000], ['y', 31_557_600_000],
    ['usec', 0.001], ['us', 0.001], ['μs', 0.001], ['µs', 0.001],
  ];
  let i = 0;
  let total = 0;
  let parts = 0;
  while (i < t.length) {
    while (t[i] === ' ' || t[i] === '\t') i++;
    if (i >= t.length) break;
    const m = /^(\d*)(?:\.(\d*))?/.exec(t.slice(i));
    if (!m || (m[1] === '' && !m[2])) return undefined;
    i += m[0].length;
    while (t[i] === ' ' || t[i] === '\t') i++;
    const rest = t.slice(i);
    const unit = UNITS.find(([u]) => rest.startsWith(u));
    const mult = unit ? unit[1] : 1000;
    if (unit) i += unit[0].length;
    // After a unit systemd needs a separator, a digit or the end ("5secs" is refused).
    if (unit && i < t.length && !/[\s\d]/.test(t[i]!)) return undefined;
    if (!unit && i < t.length && !/[\s\d]/.test(t[i]!)) return undefined;
    total += Number(`${m[1] || '0'}.${m[2] ?? ''}`.replace(/\.$/, '')) * mult;
    parts++;
  }
  return parts ? total : undefined;
}

/**
 * systemd's parse_sec_fix_0() (src/basic/time-util.c), used for
 * TimeoutStopSec=, TimeoutSec=, TimeoutStartSec=, TimeoutAbortSec=: as
 * systemdTimespan, but 0 also means "no timeout" (compatibility with older
 * systemd, where 0 turned the timeout off).
 */
export function systemdTimeoutSpan(v: string): SpanMs | undefined {
  const ms = systemdTimespan(v);
  return ms === 0 ? Number.POSITIVE_INFINITY : ms;
}

/**
 * A compose duration (compose-spec 05-services.md "Specifying durations":
 * `{value}{unit}` parts, units us ms s m h, e.g. "1m30s"). A bare number is not
 * a duration (GD013 reports it) and gives undefined.
 */
export function composeDuration(v: unknown): SpanMs | undefined {
  if (typeof v !== 'string') return undefined;
  return parseDuration(v.trim());
}

/**
 * A Kubernetes integer field (int64 in the API types, e.g.
 * terminationGracePeriodSeconds, preStop sleep.seconds): a YAML integer.
 * A string ("30") or a fraction is rejected by the API server when the object
 * is decoded; undefined then.
 */
export function k8sInteger(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isInteger(v) ? v : undefined;
}

/**
 * upstart's `kill timeout INTERVAL` (init(5); a whole number of seconds,
 * default 5). upstart refuses to load a job whose interval is not a number.
 */
export function upstartInterval(v: string): SpanMs | undefined {
  const t = v.trim();
  return /^\d+$/.test(t) ? Number(t) * 1000 : undefined;
}

/**
 * GNU coreutils / busybox sleep(1) arguments: each NUMBER[smhd], summed
 * ("15", "15s", "1m 30s" as two args). undefined when one is not a duration.
 */
export function sleepSeconds(args: string[]): number | undefined {
  if (!args.length) return undefined;
  let total = 0;
  for (const a of args) {
    const m = /^(\d+(?:\.\d+)?)([smhd]?)$/.exec(a);
    if (!m) return undefined;
    total += Number(m[1]) * ({ '': 1, s: 1, m: 60, h: 3600, d: 86400 } as Record<string, number>)[m[2]!]!;
  }
  return total;
}

/**
 * A duration in a finding, written as the config and compose write it (model/duration.ts
 * formatDuration: 1500 → "1500ms", 90000 → "1m30s"); an infinite one (systemd "infinity",
 * upstart without a limit) is "no limit".
 */
export function fmtMs(ms: number): string {
  return Number.isFinite(ms) ? formatDuration(ms) : 'no limit';
}

// ---------------------------------------------------------------- command lines

/**
 * Splits a systemd Exec*= value into its commands' argv (systemd.service(5)
 * "Command lines"): leading prefixes @ - : + ! !! are dropped (and returned),
 * words are separated by whitespace, "double" and 'single' quotes group,
 * backslash escapes the next character. A lone ";" separated commands in
 * systemd < 250; both readings give the same kill commands here.
 */
export function splitSystemdCommand(v: string): { prefixes: string; argv: string[] } {
  const m = /^([@\-:+!|]*)/.exec(v.trim())!;
  return { prefixes: m[1]!, argv: shellWords(v.trim().slice(m[1]!.length)) };
}

/**
 * POSIX-shell-like word splitting (quotes, backslashes), without expansion:
 * enough to find the commands and arguments in `sh -c` scripts, compose
 * string commands (compose splits them with shellwords, it runs no shell) and
 * docker run lines. Operators ; && || | & and newlines become their own words.
 */
export function shellWords(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  let has = false;
  const push = () => {
    if (has) out.push(cur);
    cur = '';
    has = false;
  };
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '\\' && i + 1 < s.length) {
      if (s[i + 1] === '\n') {
        i++;
        continue;
      }
      cur += s[++i];
      has = true;
    } else if (c === "'") {
      const j = s.indexOf("'", i + 1);
      const end = j < 0 ? s.length : j;
      cur += s.slice(i + 1, end);
      has = true;
      i = end;
    } else if (c === '"') {
      i++;
      while (i < s.length && s[i] !== '"') {
        if (s[i] === '\\' && i + 1 < s.length && '"\\$`'.includes(s[i + 1]!)) i++;
        cur += s[i];
        i++;
      }
      has = true;
    } else if (c === ' ' || c === '\t') push();
    else if (c === '\n' || c === ';' || c === '|' || c === '&') {
      push();
      let op = c;
      if ((c === '&' || c === '|') && s[i + 1] === c) op += s[++i];
      out.push(op === '\n' ? ';' : op);
    } else {
      cur += c;
      has = true;
    }
  }
  push();
  return out;
}

const OPERATORS = new Set([';', '&&', '||', '|', '&']);

/** Splits shellWords() output into simple commands. */
export function simpleCommands(words: string[]): string[][] {
  const cmds: string[][] = [];
  let cur: string[] = [];
  for (const w of words) {
    if (OPERATORS.has(w)) {
      if (cur.length) cmds.push(cur);
      cur = [];
    } else cur.push(w);
  }
  if (cur.length) cmds.push(cur);
  return cmds;
}

const SHELLS = new Set(['sh', 'bash', 'dash', 'ash', 'zsh', 'ksh', 'busybox']);
const base = (p: string) => p.split('/').pop() ?? p;

/**
 * The simple commands an argv runs: itself, or — for `sh -c SCRIPT` (any
 * POSIX shell, `busybox sh`) — the commands of the script; `exec`, `env`,
 * `nohup` and `timeout N` wrappers are looked through.
 */
export function commandsOf(argv: string[]): string[][] {
  if (!argv.length) return [];
  let a = argv;
  if (base(a[0]!) === 'busybox' && a[1] && SHELLS.has(a[1])) a = a.slice(1);
  if (SHELLS.has(base(a[0]!)) && base(a[0]!) !== 'busybox') {
    const c = a.findIndex((x, i) => i > 0 && /^-[a-z]*c[a-z]*$/.test(x));
    if (c > 0 && a[c + 1] !== undefined) return simpleCommands(shellWords(a[c + 1]!)).flatMap((cmd) => commandsOf(cmd));
    return [a];
  }
  return [unwrap(a)];
}

/** Drops exec/env/nohup/timeout/setsid/chpst-style wrappers in front of a command. */
export function unwrap(argv: string[]): string[] {
  let a = argv;
  for (let guard = 0; guard < 8 && a.length; guard++) {
    const b = base(a[0]!);
    if (b === 'exec' || b === 'nohup' || b === 'setsid' || b === 'command') a = a.slice(1);
    else if (b === 'env') {
      let i = 1;
      while (i < a.length && (/^-/.test(a[i]!) || /^[A-Za-z_][A-Za-z0-9_]*=/.test(a[i]!))) i++;
      a = a.slice(i);
    } else if (b === 'timeout') {
      let i = 1;
      while (i < a.length && /^-/.test(a[i]!)) i += /^-(s|k)$|^--(signal|kill-after)$/.test(a[i]!) ? 2 : 1;
      a = a.slice(i + 1);
    } else break;
  }
  return a;
}

export interface KillCommand {
  /** The signal sent ("SIGTERM" when no option names one, as kill(1) does). */
  signal: string;
  /** What the command is: kill, pkill, killall, systemctl kill, start-stop-daemon, docker kill/stop. */
  tool: string;
  /** The raw signal word when it was not understood. */
  unknown?: string;
}

/**
 * The signal a command sends, when it is a signalling command: kill(1)
 * (procps-ng, util-linux, shell builtins: `-SIG`, `-NUM`, `-s SIG`, `-sSIG`,
 * `--signal SIG`, `--signal=SIG`, `-n NUM`; default SIGTERM; `-l`/`-L` list
 * and send nothing), pkill/killall (`-SIG`, `-s SIG`, `--signal SIG`),
 * `systemctl kill` (`-s`, `--signal`, default SIGTERM), start-stop-daemon
 * `--stop --signal SIG` (default SIGTERM), `docker kill` (`-s`, default
 * SIGKILL). undefined for any other command.
 */
export function killCommand(argv: string[]): KillCommand | undefined {
  const a = unwrap(argv);
  if (!a.length) return undefined;
  const tool = base(a[0]!);
  const parse = (w: string | undefined): { signal: string; unknown?: string } => {
    const s = w === undefined ? undefined : killSignal(w);
    return s ? { signal: s } : { signal: 'SIGTERM', unknown: w ?? '' };
  };
  if (tool === 'kill' || tool === 'pkill' || tool === 'killall' || tool === 'pgrep') {
    if (tool === 'pgrep') return undefined;
    for (let i = 1; i < a.length; i++) {
      const w = a[i]!;
      if (w === '--') break;
      if (tool === 'kill' && (w === '-l' || w === '-L' || w === '--list' || w === '--table')) return undefined;
      if (w === '-s' || w === '--signal' || (tool === 'kill' && w === '-n')) return { tool, ...parse(a[i + 1]) };
      if (w.startsWith('--signal=')) return { tool, ...parse(w.slice(9)) };
      if (/^-s[A-Za-z0-9]/.test(w) && tool === 'kill') return { tool, ...parse(w.slice(2)) };
      if (/^-[A-Za-z0-9+]+$/.test(w) && killSignal(w.slice(1))) return { tool, signal: killSignal(w.slice(1))! };
      if (!w.startsWith('-')) break;
    }
    return { tool, signal: 'SIGTERM' };
  }
  if (tool === 'systemctl' && a.includes('kill')) {
    for (let i = 1; i < a.length; i++) {
      const w = a[i]!;
      if (w === '-s' || w === '--signal') return { tool: 'systemctl kill', ...parse(a[i + 1]) };
      if (w.startsWith('--signal=')) return { tool: 'systemctl kill', ...parse(w.slice(9)) };
    }
    return { tool: 'systemctl kill', signal: 'SIGTERM' };
  }
  if (tool === 'start-stop-daemon' && (a.includes('--stop') || a.includes('-K'))) {
    for (let i = 1; i < a.length; i++) {
      const w = a[i]!;
      if (w === '--signal' || w === '-s') return { tool, ...parse(a[i + 1]) };
      if (w.startsWith('--signal=')) return { tool, ...parse(w.slice(9)) };
    }
    return { tool, signal: 'SIGTERM' };
  }
  if ((tool === 'docker' || tool === 'podman') && a[1] === 'kill') {
    for (let i = 2; i < a.length; i++) {
      const w = a[i]!;
      if (w === '-s' || w === '--signal') return { tool: `${tool} kill`, ...parse(a[i + 1]) };
      if (w.startsWith('--signal=')) return { tool: `${tool} kill`, ...parse(w.slice(9)) };
    }
    return { tool: `${tool} kill`, signal: 'SIGKILL' };
  }
  return undefined;
}
