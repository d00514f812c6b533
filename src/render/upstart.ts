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

export function renderUpstart(spec: ServiceSpec, dir = 'upstart'): RenderedFile {
  const h = spec.host;
  const user = h.user ?? spec.name;
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
    '# `initctl reload` sends SIGHUP unless told otherwise, and a Go service exits on it:',
    '# CONT is a no-op for a running process. Restart the job instead of reloading it.',
    'reload signal CONT',
    '',
    `setuid ${user}`,
    `setgid ${user}`,
    `chdir ${h.workingDirectory}`,
    'console log',
    ...spec.env.map(([k, v]) => `env ${k}=${upstartQuote(v)}`),
    '',
    `exec ${[h.binaryPath, ...spec.args].map(upstartQuote).join(' ')}`,
  ];
  return { path: `${dir}/${spec.name}.conf`, content: withHeader('hash', `${lines.join('\n')}\n`) };
}
