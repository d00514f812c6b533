/**
 * Nothing lost: in-flight requests across repeated restarts, zombies reaped
 * by tini, crashes restarted by the restart policy with tini passing the
 * exit code on. Quick in CI; GONEAT_SOAK=1 (npm run soak) runs the long
 * versions. Figures go to .tmp/reliability/ for docs/reliability.md.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { afterAll, describe, expect, it } from 'vitest';
import { composeRun, inspect, TEST_PREFIX, uid, waitFor } from '../helpers/docker.js';
import { exec, run } from '../helpers/exec.js';
import { Load, request } from '../helpers/load.js';
import { echoComposeProject } from '../helpers/project.js';
import { record, SOAK } from '../helpers/results.js';

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

/** A compose project of the echo image on fixed 127.0.0.1 ports (a restart keeps them). */
async function service(args: string[]): Promise<{ dir: string; file: string; project: string; http: number; admin: number; container: string }> {
  const http = 20000 + Math.floor(Math.random() * 9000) * 2;
  const { dir, file, project } = await echoComposeProject(cleanups, { tag: `rel-${uid()}`, args, http: `127.0.0.1:${http}`, admin: `127.0.0.1:${http + 1}` });
  await composeRun(project, file, ['up', '-d']);
  const container = (await composeRun(project, file, ['ps', '-q', 'echo'])).trim();
  await healthy(http + 1);
  return { dir, file, project, http, admin: http + 1, container };
}

async function healthy(admin: number, timeoutMs = 30_000): Promise<void> {
  await waitFor(`127.0.0.1:${admin} healthy`, async () => ((await request(admin, '/is_healthy/', 1000).catch(() => undefined))?.status === 200 ? true : undefined), timeoutMs, 50);
}

/** `docker events` for a container's deaths: their exit codes, as they happen. */
function deaths(container: string): { codes: string[]; stop: () => void; proc: ChildProcess } {
  const codes: string[] = [];
  const proc = spawn('docker', ['events', '--filter', `container=${container}`, '--filter', 'event=die', '--format', '{{.Actor.Attributes.exitCode}}']);
  proc.stdout.on('data', (d: Buffer) => codes.push(...d.toString().trim().split('\n').filter(Boolean)));
  cleanups.push(async () => void proc.kill());
  return { codes, stop: () => proc.kill(), proc };
}

/** Zombies whose parent is one of the container's processes (docker top cannot list zombies: they leave the cgroup). */
function zombiesUnder(pids: Set<number>): number {
  let n = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const m = /^\d+ \(.*\) (\S) (\d+)/.exec(stat);
      if (m && m[1] === 'Z' && pids.has(Number(m[2]))) n++;
    } catch {
      // gone meanwhile
    }
  }
  return n;
}

async function containerPids(container: string): Promise<Set<number>> {
  const out = await run('docker', ['top', container, '-o', 'pid']);
  return new Set(out.trim().split('\n').slice(1).map(Number));
}

describe('in-flight work survives repeated restarts', () => {
  const RESTARTS = SOAK ? 100 : 10;

  it(`${RESTARTS} × docker compose restart under a steady /slow load: every request accepted before the stop completes, no 137`, async () => {
    const s = await service(['-drain', '5s']);
    const died = deaths(s.container);
    const ups: number[] = [];
    const clock = Date.now() - performance.now(); // performance.now() + clock = wall time
    const load = new Load(s.http, { concurrency: 4, path: () => '/slow?ms=400', pauseMs: 10 });
    await new Promise((r) => setTimeout(r, 500));
    for (let i = 0; i < RESTARTS; i++) {
      await composeRun(s.project, s.file, ['restart'], 60_000);
      await healthy(s.admin);
      ups.push(performance.now());
      await new Promise((r) => setTimeout(r, 500));
    }
    const result = await load.stop();
    await new Promise((r) => setTimeout(r, 1000));
    died.stop();

    // When each stop signal reached the service: its own log line, timestamped by the engine.
    const logs = await exec('docker', ['logs', '--timestamps', s.container]);
    const signals = logs.stdout
      .split('\n')
      .filter((l) => /received terminated: shutting down/.test(l))
      .map((l) => Date.parse(l.split(' ')[0]!) - clock);
    expect(signals).toHaveLength(RESTARTS);
    // A request counts as accepted before the stop when it started 50 ms or more before the signal
    // (time enough to connect); from then until the service is healthy again it may be refused.
    const windows = signals.map((sig, i) => ({ from: sig - 50, to: ups[i]! }));
    const during = (start: number) => windows.some((w) => start >= w.from && start <= w.to);
    const before = load.log.filter((r) => !during(r.start));
    const down = load.log.filter((r) => during(r.start));
    const inflightAtStop = load.log.filter((r) => signals.some((sig) => r.start < sig - 50 && r.end > sig));
    const failedBefore = before.filter((r) => r.outcome !== 'ok');
    const figures = {
      restarts: RESTARTS,
      sent: result.sent,
      completed: result.ok,
      acceptedBeforeStop: before.length,
      inFlightAtStop: inflightAtStop.length,
      failedAcceptedBeforeStop: failedBefore.length,
      whileDown: { sent: down.length, ok: down.filter((r) => r.outcome === 'ok').length, refused: down.filter((r) => r.outcome === 'refused').length, reset: down.filter((r) => r.outcome === 'failed').length },
      exitCodes: died.codes,
    };
    console.log(`restarts: ${JSON.stringify(figures)}`);
    await record('restarts', figures);
    expect(failedBefore.map((r) => r.detail ?? r.outcome)).toEqual([]);
    expect(inflightAtStop.length).toBeGreaterThanOrEqual(RESTARTS); // the load really had work in flight at each stop
    expect(inflightAtStop.every((r) => r.outcome === 'ok')).toBe(true);
    expect(died.codes).toHaveLength(RESTARTS);
    expect(died.codes.every((c) => c === '0')).toBe(true);
  }, SOAK ? 1_800_000 : 180_000);
});

describe('zombies', () => {
  const ORPHANS = 10_000;

  it(`tini reaps ${ORPHANS} orphaned children; the service stays healthy`, async () => {
    const s = await service(['-drain', '5s', '-debug']);
    const t0 = performance.now();
    const r = await request(s.admin, `/debug/orphans?n=${ORPHANS}`, 300_000);
    const seconds = (performance.now() - t0) / 1000;
    expect(r.body).toBe(`spawned ${ORPHANS} orphan(s), 0 failed\n`);
    await new Promise((res) => setTimeout(res, 500));
    const zombies = zombiesUnder(await containerPids(s.container));
    expect((await request(s.admin, '/is_healthy/')).status).toBe(200);

    // The same without an init: the Go service as PID 1 does not reap them.
    const name = `${TEST_PREFIX}noinit-${uid()}`;
    const img = (await inspect<{ Config: { Image: string } }>(s.container)).Config.Image;
    await run('docker', ['run', '-d', '--name', name, '-p', '127.0.0.1::9090', '--entrypoint', '/app/echo', img, '-debug']);
    cleanups.push(async () => void (await exec('docker', ['rm', '-f', name])));
    const port = Number((await run('docker', ['port', name, '9090/tcp'])).trim().split('\n')[0]!.split(':')[1]);
    await healthy(port);
    expect((await request(port, '/debug/orphans?n=200')).body).toBe('spawned 200 orphan(s), 0 failed\n');
    await new Promise((res) => setTimeout(res, 500));
    const zombiesNoInit = zombiesUnder(await containerPids(name));
    const figures = { orphans: ORPHANS, seconds: Number(seconds.toFixed(1)), zombies, withoutInit: { orphans: 200, zombies: zombiesNoInit } };
    console.log(`zombies: ${JSON.stringify(figures)}`);
    await record('zombies', figures);
    expect(zombies).toBe(0);
    expect(zombiesNoInit).toBe(200);
  });
});

describe('crashes', () => {
  it('SIGKILL, an exit code, a panic: each becomes the container\'s exit code and the restart policy brings it back', async () => {
    const s = await service(['-drain', '5s', '-debug']);
    const died = deaths(s.container);
    const restarts = async () => (await inspect<{ RestartCount: number }>(s.container)).RestartCount;
    const waitDeath = (n: number) => waitFor(`death #${n}`, async () => (died.codes.length >= n ? true : undefined), 30_000, 50);

    // 1. The service (tini's child) killed with SIGKILL: tini exits 128+9.
    const pid1 = (await inspect<{ State: { Pid: number } }>(s.container)).State.Pid;
    const child = (await run('docker', ['top', s.container, '-o', 'pid,ppid'])).trim().split('\n').slice(1).map((l) => l.trim().split(/\s+/).map(Number)).find(([, ppid]) => ppid === pid1)!;
    process.kill(child[0]!, 'SIGKILL');
    await waitDeath(1);
    await healthy(s.admin);
    expect(await restarts()).toBe(1);

    // 2. exit 42 passes through tini as the container's exit code 42.
    await request(s.admin, '/debug/exit?code=42').catch(() => undefined);
    await waitDeath(2);
    await healthy(s.admin);
    expect(await restarts()).toBe(2);

    // 3. A panic: Go exits 2, and the service comes back.
    await request(s.admin, '/debug/panic').catch(() => undefined);
    await waitDeath(3);
    await healthy(s.admin);
    expect(await restarts()).toBe(3);
    died.stop();
    const logs = await exec('docker', ['logs', s.container]);
    expect(logs.stderr + logs.stdout).toMatch(/panic: debug: panic requested/);
    const figures = { deaths: died.codes.map(Number), restarts: await restarts() };
    console.log(`crashes: ${JSON.stringify(figures)}`);
    await record('crashes', figures);
    expect(died.codes).toEqual(['137', '42', '2']);
  });
});
