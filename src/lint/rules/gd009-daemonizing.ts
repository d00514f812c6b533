import type { Rule } from '../rule.js';
import { systemds, upstarts } from '../rule.js';
import { splitSystemdCommand, shellWords } from '../values.js';

/** Flags by which servers daemonize themselves (nginx-style `-d`, `--daemon`, `-daemon`, `--daemonize`, `--fork`, `-D`, `--background`). */
const DAEMON_FLAG = /^(-d|-D|--?daemon(ize)?(=(true|yes|1|on))?|--fork|--background|-daemonize)$/;

function daemonFlag(argv: string[]): string | undefined {
  return argv.slice(1).find((a) => DAEMON_FLAG.test(a));
}

const SHELLS = /^(.*\/)?(sh|bash|dash|ash|zsh|ksh|busybox)$/;

/**
 * How a start command sends the service to the background, or undefined: a shell script (`sh -c '...'`, an
 * upstart `exec` line with shell syntax, a `script` block) whose last command ends in `&` (not `&&`), or that
 * calls `disown`, `setsid`, `daemonize` or `start-stop-daemon --background`. The seed scenario of this tool:
 * `nohup ./server &` — the shell exits at once, so the supervisor's main process is gone (systemd.service(5):
 * with Type=simple/exec "the service is considered stopped" when the main process exits, and the rest of the
 * cgroup is killed; upstart tracks the shell's PID, init(5) "expect").
 */
export function backgrounds(script: string): string | undefined {
  const code = script
    .split('\n')
    .map((l) => l.replace(/(^|\s)#.*$/, '').trim())
    .filter(Boolean)
    .join('\n');
  if (/(^|[^&|>])&\s*$/.test(code)) return '`&` at the end of the command: the shell exits at once and the service runs on in the background';
  const m = /(^|[\s;&|(])(disown|setsid|daemonize|start-stop-daemon\s+[^\n]*--background)\b/.exec(code);
  if (m) return `\`${m[2]!.split(/\s/)[0]}\` detaches the service from the command the supervisor started`;
  return undefined;
}

/** The shell script a start command runs, when it runs one: `sh -c SCRIPT` (also bash, dash, busybox sh). */
function shellScript(argv: string[]): string | undefined {
  let i = 0;
  if (argv[0] && /^(.*\/)?nohup$/.test(argv[0])) i = 1;
  const sh = argv[i];
  if (!sh || !SHELLS.test(sh)) return undefined;
  const rest = argv.slice(i + 1).filter((a) => a !== 'sh');
  const c = rest.findIndex((a) => /^-[a-z]*c[a-z]*$/.test(a));
  return c >= 0 ? rest[c + 1] : undefined;
}

export const daemonizing: Rule = {
  id: 'GD009',
  name: 'daemonizing-supervision',
  level: 'error',
  doc: {
    what: 'A supervisor told to expect a service that forks itself away: systemd `Type=forking`, upstart `expect fork` / `expect daemon`; or a start command that sends the service to the background itself (`sh -c \'nohup ./server &\'`, `setsid`, `disown`). systemd `Type=notify` is a warning: it needs sd_notify, which tRPC-Go does not send.',
    why: 'A Go program must not fork to daemonize (fork copies one thread of a multi-threaded process). A foreground service under Type=forking is "started" only when it exits; upstart with expect tracks the wrong PID.',
    fix: 'systemd `Type=exec` (or `simple`), upstart without an `expect` stanza, and drop the service\'s own daemonize flag (`-d`, `--daemon`, ...) from ExecStart/exec so it stays in the foreground: the supervisor detaches it.',
    source: 'systemd.service(5) Type=; upstart init(5) expect; fork(2); daemon(7)',
  },
  check(ctx, report) {
    for (const u of systemds(ctx)) {
      const start = [...u.entries].reverse().find((e) => e.section === 'Service' && e.key === 'ExecStart');
      const flag = start ? daemonFlag(splitSystemdCommand(start.value).argv) : undefined;
      const drop = flag ? ` and drop ${flag} from ExecStart= (${start!.value.split(/\s+/)[0]} would daemonize itself)` : ' and keep the service in the foreground (no daemonize flag)';
      const script = start ? shellScript(splitSystemdCommand(start.value).argv) : undefined;
      const bg = script !== undefined ? backgrounds(script) : undefined;
      if (start && bg) report(u.path, start, `ExecStart= puts the service in the background (${bg}): systemd then sees its main process exit, takes the service as stopped and kills what is left in its cgroup (Restart= loops); run the binary itself in the foreground, e.g. ExecStart=/usr/local/libexec/NAME/NAME, with Type=exec`);
      for (const e of u.entries) {
        if (e.section !== 'Service' || e.key !== 'Type') continue;
        if (e.value === 'forking') report(u.path, e, `Type=forking expects the service to daemonize itself; a Go service runs in the foreground: use Type=exec${drop}`);
        else if (e.value === 'notify' || e.value === 'notify-reload') report(u.path, e, `Type=${e.value} waits for sd_notify READY=1: if this is tRPC-Go (which never sends it) or another service without sd_notify, the start times out; use Type=exec`, 'warning');
      }
    }
    for (const u of upstarts(ctx)) {
      const exec = [...u.stanzas].reverse().find((s) => s.keyword === 'exec');
      const flag = exec ? daemonFlag(shellWords(exec.args)) : undefined;
      // The job's main process: `exec LINE` (upstart runs a line with shell syntax through /bin/sh -e -c) or a `script` block.
      const main = [...u.stanzas].reverse().find((s) => s.keyword === 'exec' || (s.keyword === 'script' && s.script !== undefined));
      const bgUp = main ? backgrounds(main.keyword === 'exec' ? (shellScript(shellWords(main.args)) ?? main.args) : main.script!) : undefined;
      if (main && bgUp) report(u.path, main, `the job's ${main.keyword} puts the service in the background (${bgUp}): upstart tracks the shell, which exits at once, so the job ends (respawn loops) while the service runs on untracked; exec the binary itself in the foreground, without an expect stanza`);
      for (const s of u.stanzas) {
        if (s.keyword === 'expect' && /^(fork|daemon)\b/.test(s.args)) report(u.path, s, `expect ${s.args} makes upstart follow a forked child; the service does not fork: remove the expect stanza${flag ? ` and drop ${flag} from exec` : ' and keep the service in the foreground (no daemonize flag)'}`);
      }
    }
  },
};
