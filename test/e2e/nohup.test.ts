/**
 * The seed scenario, in a real pseudo-terminal (tmux):
 *  - `nohup echo -legacy-sighup &` dies when the terminal hangs up: the old
 *    framework subscribed to SIGHUP, which undoes nohup's SIG_IGN in Go;
 *  - the same binary under nohup without that subscription survives (Go keeps
 *    an inherited "ignore"), which pins the bug on the subscription;
 *  - started with compose (`up -d`) from a terminal, the service survives the
 *    hangup and receives no signal at all: it was never the terminal's child.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compose, composeRun, inspect, removeDir, TEST_PREFIX, uid, waitFor } from '../helpers/docker.js';
import { exec, run } from '../helpers/exec.js';
import { request } from '../helpers/load.js';
import { echoBinary, echoComposeProject } from '../helpers/project.js';

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

/** A tmux server of our own, with one interactive bash in a pseudo-terminal. */
async function terminal(): Promise<{ type: (line: string) => Promise<void>; hangUp: () => Promise<void> }> {
  const socket = `${TEST_PREFIX}${uid()}`;
  await run('tmux', ['-L', socket, '-f', '/dev/null', 'new-session', '-d', '-s', 'main', '-x', '200', '-y', '50', 'bash --norc --noprofile -i']);
  cleanups.push(async () => void (await exec('tmux', ['-L', socket, 'kill-server'])));
  return {
    type: async (line: string) => void (await run('tmux', ['-L', socket, 'send-keys', '-t', 'main', line, 'Enter'])),
    // Closing the session closes the pty: the kernel sends SIGHUP to bash, which resends it to its jobs.
    hangUp: async () => void (await run('tmux', ['-L', socket, 'kill-server'])),
  };
}

/** Running, and not a zombie (this sandbox's PID 1 may not reap orphans). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) Z /.test(stat);
  } catch {
    return false;
  }
}

async function nohupScenario(legacy: boolean): Promise<{ pid: number; log: string; aliveAfter: boolean }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'gdt-nohup-'));
  cleanups.push(() => removeDir(dir));
  const binary = await echoBinary();
  const port = 30000 + Math.floor(Math.random() * 10000);
  const term = await terminal();
  const flags = `${legacy ? '-legacy-sighup ' : ''}-http 127.0.0.1:${port} -admin 127.0.0.1:${port + 1}`;
  await term.type(`cd ${dir}`);
  await term.type(`nohup ${binary} ${flags} > echo.log 2>&1 &`);
  await term.type('echo $! > echo.pid');
  await waitFor('the pid file', async () => ((await readFile(path.join(dir, 'echo.pid'), 'utf8').catch(() => '')).trim() ? true : undefined), 15_000);
  await waitFor('the nohup service', async () => ((await request(port + 1, '/is_healthy/').catch(() => undefined))?.status === 200 ? true : undefined), 15_000);
  const pid = Number((await readFile(path.join(dir, 'echo.pid'), 'utf8')).trim());
  cleanups.push(async () => void (alive(pid) && process.kill(pid, 'SIGKILL')));
  await term.hangUp();
  // Give the hangup time to arrive (or not).
  await new Promise((r) => setTimeout(r, 1500));
  const aliveAfter = alive(pid);
  return { pid, log: await readFile(path.join(dir, 'echo.log'), 'utf8'), aliveAfter };
}

describe('the nohup bug, reproduced in a pseudo-terminal', () => {
  it('nohup + a framework that subscribes to SIGHUP: the hangup kills the service', async () => {
    const r = await nohupScenario(true);
    expect(r.aliveAfter).toBe(false);
    expect(r.log).toMatch(/received hangup: shutting down/);
  });

  it('nohup without the subscription: Go keeps the inherited ignore and the service survives', async () => {
    const r = await nohupScenario(false);
    expect(r.aliveAfter).toBe(true);
    expect(r.log).not.toMatch(/received/);
  });
});

describe('the fix: compose up -d from a terminal that then hangs up', () => {
  it('the service keeps running and received no signal', async () => {
    const p = await echoComposeProject(cleanups, { args: ['-drain', '5s', '-legacy-sighup'] });
    const { file, project } = p;

    // Even with the old framework's SIGHUP subscription (-legacy-sighup), nothing reaches it.
    const term = await terminal();
    const cmd = (await compose()).join(' ');
    await term.type(`cd ${p.dir} && ${cmd} -p ${project} -f ${file} up -d; echo done > up.done`);
    await waitFor('compose up -d', async () => ((await readFile(path.join(p.dir, 'up.done'), 'utf8').catch(() => '')).includes('done') ? true : undefined), 60_000);
    const container = (await composeRun(project, file, ['ps', '-q', 'echo'])).trim();
    const before = await inspect<{ State: { StartedAt: string; Running: boolean }; RestartCount: number }>(container);
    expect(before.State.Running).toBe(true);

    await term.hangUp();
    await new Promise((r) => setTimeout(r, 2000));

    const after = await inspect<{ State: { StartedAt: string; Running: boolean }; RestartCount: number }>(container);
    expect(after.State.Running).toBe(true);
    expect(after.State.StartedAt).toBe(before.State.StartedAt);
    expect(after.RestartCount).toBe(0);
    const logs = await run('docker', ['logs', container]);
    expect(logs).toMatch(/legacy-sighup true/);
    expect(logs).not.toMatch(/received/);
  });
});
