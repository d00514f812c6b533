/**
 * A real pseudo-terminal for end-to-end tests: a tmux server of the test's
 * own (its own socket name), one interactive bash in one pane. Killing the
 * server closes the pty, and the kernel sends SIGHUP to the session leader
 * (bash), which resends it to its jobs — what an SSH disconnect does.
 */
import { readFileSync } from 'node:fs';
import { exec, run } from './exec.js';
import { TEST_PREFIX, uid } from './docker.js';

export interface Terminal {
  /** Types a line and Enter. */
  type(line: string): Promise<void>;
  /** Sends keys as tmux names them, e.g. "C-c". */
  keys(...keys: string[]): Promise<void>;
  /** What the pane shows. */
  screen(): Promise<string>;
  /** Closes the pty (kills the tmux server): the hangup. */
  hangUp(): Promise<void>;
}

export async function terminal(cleanups: Array<() => Promise<void>>): Promise<Terminal> {
  const socket = `${TEST_PREFIX}${uid()}`;
  await run('tmux', ['-L', socket, '-f', '/dev/null', 'new-session', '-d', '-s', 'main', '-x', '200', '-y', '50', 'bash --norc --noprofile -i']);
  cleanups.push(async () => void (await exec('tmux', ['-L', socket, 'kill-server'])));
  return {
    type: async (line) => void (await run('tmux', ['-L', socket, 'send-keys', '-t', 'main', line, 'Enter'])),
    keys: async (...keys) => void (await run('tmux', ['-L', socket, 'send-keys', '-t', 'main', ...keys])),
    screen: async () => run('tmux', ['-L', socket, 'capture-pane', '-p', '-t', 'main', '-S', '-100']),
    hangUp: async () => void (await run('tmux', ['-L', socket, 'kill-server'])),
  };
}

/** /proc/PID/stat fields we need: state, ppid, session id, controlling tty (0: none). */
export function procStat(pid: number): { state: string; ppid: number; sid: number; ttyNr: number } | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // comm may hold spaces and parentheses: the fields after it start after the last ") ".
  const f = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
  return { state: f[0]!, ppid: Number(f[1]), sid: Number(f[3]), ttyNr: Number(f[4]) };
}

/** Running: exists and is not a zombie (this sandbox's PID 1 may not reap orphans). */
export function alive(pid: number): boolean {
  const s = procStat(pid);
  return s !== undefined && s.state !== 'Z' && s.state !== 'X';
}
