import type { Rule } from '../rule.js';
import { systemds, upstarts } from '../rule.js';
import { splitSystemdCommand, shellWords } from '../values.js';

/** Flags by which servers daemonize themselves (nginx-style `-d`, `--daemon`, `-daemon`, `--daemonize`, `--fork`, `-D`, `--background`). */
const DAEMON_FLAG = /^(-d|-D|--?daemon(ize)?(=(true|yes|1|on))?|--fork|--background|-daemonize)$/;

function daemonFlag(argv: string[]): string | undefined {
  return argv.slice(1).find((a) => DAEMON_FLAG.test(a));
}

export const daemonizing: Rule = {
  id: 'GD009',
  name: 'daemonizing-supervision',
  level: 'error',
  doc: {
    what: 'A supervisor told to expect a service that forks itself away: systemd `Type=forking`, upstart `expect fork` / `expect daemon`. systemd `Type=notify` is a warning: it needs sd_notify, which tRPC-Go does not send.',
    why: 'A Go program must not fork to daemonize (fork copies one thread of a multi-threaded process). A foreground service under Type=forking is "started" only when it exits; upstart with expect tracks the wrong PID.',
    fix: 'systemd `Type=exec` (or `simple`), upstart without an `expect` stanza, and drop the service\'s own daemonize flag (`-d`, `--daemon`, ...) from ExecStart/exec so it stays in the foreground: the supervisor detaches it.',
    source: 'systemd.service(5) Type=; upstart init(5) expect; fork(2); daemon(7)',
  },
  check(ctx, report) {
    for (const u of systemds(ctx)) {
      const start = [...u.entries].reverse().find((e) => e.section === 'Service' && e.key === 'ExecStart');
      const flag = start ? daemonFlag(splitSystemdCommand(start.value).argv) : undefined;
      const drop = flag ? ` and drop ${flag} from ExecStart= (${start!.value.split(/\s+/)[0]} would daemonize itself)` : ' and keep the service in the foreground (no daemonize flag)';
      for (const e of u.entries) {
        if (e.section !== 'Service' || e.key !== 'Type') continue;
        if (e.value === 'forking') report(u.path, e, `Type=forking expects the service to daemonize itself; a Go service runs in the foreground: use Type=exec${drop}`);
        else if (e.value === 'notify' || e.value === 'notify-reload') report(u.path, e, `Type=${e.value} waits for sd_notify READY=1: if this is tRPC-Go (which never sends it) or another service without sd_notify, the start times out; use Type=exec`, 'warning');
      }
    }
    for (const u of upstarts(ctx)) {
      const exec = [...u.stanzas].reverse().find((s) => s.keyword === 'exec');
      const flag = exec ? daemonFlag(shellWords(exec.args)) : undefined;
      for (const s of u.stanzas) {
        if (s.keyword === 'expect' && /^(fork|daemon)\b/.test(s.args)) report(u.path, s, `expect ${s.args} makes upstart follow a forked child; the service does not fork: remove the expect stanza${flag ? ` and drop ${flag} from exec` : ' and keep the service in the foreground (no daemonize flag)'}`);
      }
    }
  },
};
