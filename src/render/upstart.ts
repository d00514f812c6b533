/**
 * upstart job (init(5)). No `expect` stanza: the service does not fork, so
 * upstart tracks the process it started. `kill timeout` defaults to 5s, too
 * short for a drain: it is the shutdown budget here. `reload signal`
 * defaults to SIGHUP (init(5)), which makes a Go service exit: the job sets
 * CONT, whose default action only resumes a stopped process. Pure.
 */
import type { ServiceSpec } from '../model/service.js';
import { withHeader, type RenderedFile } from '../model/generated.js';

/**
 * upstart reads a job with libnih's tokenizer, which tracks '...' and "..."
 * quotes and treats a backslash as escaping the next character — inside
 * quotes too, so a backslash before a closing quote would keep it open, and
 * when it dequotes (env, description) it drops a backslash only before a
 * backslash or a blank. Every value is therefore written as single-quoted
 * runs free of ' and \, joined by "'" and \\ outside the quotes. The POSIX
 * shell reads that the same way, which matters
 * for `exec`: upstart runs the line via `/bin/sh -e -c "exec ..."` as soon as
 * it holds shell characters.
 */
export function upstartQuote(word: string): string {
  if (/^[A-Za-z0-9_./=:,@+%-]+$/.test(word)) return word;
  if (word === '') return "''";
  return word
    .split(/(['\\])/)
    .filter((part) => part !== '')
    .map((part) => (part === "'" ? `"'"` : part === '\\' ? '\\\\' : `'${part}'`))
    .join('');
}

function signalName(sig: string): string {
  return sig.replace(/^SIG/, '');
}

/**
 * The job. `reload signal CONT`: upstart's `reload` sends SIGHUP unless the
 * job names another signal (init(5): "reload signal SIGNAL ... SIGHUP by
 * default"), and SIGHUP makes a Go service exit (os/signal: "A SIGHUP, SIGINT,
 * or SIGTERM signal causes the program to exit"). SIGCONT's default action
 * only resumes a stopped process (signal(7)) and the Go runtime leaves it at
 * that unless the program subscribes to it, so `initctl reload` does nothing:
 * reload is not supported, restart applies a new config. upstart < 1.10
 * rejects the stanza ("Unknown stanza"), so `host.upstartLegacy` leaves it out.
 */
export function renderUpstart(spec: ServiceSpec, dir = 'upstart'): RenderedFile {
  const h = spec.host;
  const lines = [
    `description ${upstartQuote(`${spec.name}${spec.description ? `: ${spec.description}` : ''}`)}`,
    '',
    'start on (local-filesystems and net-device-up IFACE!=lo)',
    'stop on runlevel [!2345]',
    '',
    '# Foreground process: no `expect` stanza.',
    'respawn',
    'respawn limit 10 5',
    '',
    `kill signal ${signalName(spec.shutdown.signal)}`,
    `kill timeout ${spec.shutdown.timeoutSeconds}`,
    ...(h.upstartLegacy
      ? ['# upstart < 1.10 has no `reload signal`: `initctl reload` would send SIGHUP and stop the service. Use `initctl restart`.']
      : ['# Reload is not supported: upstart would send SIGHUP, which stops a Go service. CONT does nothing; use `initctl restart`.', 'reload signal CONT']),
    '',
    `setuid ${h.account}`,
    `setgid ${h.account}`,
    `umask ${h.umask}`,
    `chdir ${h.workingDirectory}`,
    'console log',
    ...spec.env.map(([k, v]) => `env ${k}=${upstartQuote(v)}`),
    '',
    // Legacy: upstart's implicit SIGHUP reload is chosen knowingly (the comment above says so); lint's GD011
    // reports it at the job's exec, so its suppression marker (src/lint/lint.ts) goes right above it.
    ...(h.upstartLegacy ? ['# goneat-deploy:ignore GD011 host.upstartLegacy: this upstart has no `reload signal`; restart the job, never reload it'] : []),
    // trpc-go: the config's path on the host (host.configPath), never the image's /app/trpc_go.yaml.
    `exec ${[h.binaryPath, ...h.args].map(upstartQuote).join(' ')}`,
  ];
  return { path: `${dir}/${spec.name}.conf`, content: withHeader('hash', `${lines.join('\n')}\n`) };
}
