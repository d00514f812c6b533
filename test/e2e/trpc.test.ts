/**
 * The real tRPC-Go (examples/trpc: trpc.group/trpc-go/trpc-go, pinned in
 * go.mod/go.sum) on the real Docker Engine:
 *  - init detects it; build compiles it through the Go module proxy (a fresh
 *    module cache: every module is downloaded); verify passes with a request
 *    in flight across the stop;
 *  - with tRPC-Go's default close settings (the two keys removed), generate
 *    and lint warn first, and verify then fails inflight-completes: the
 *    warning is proven on the real server;
 *  - SIGUSR2 (hot restart) under tini and compose: what happens to the
 *    container and the forked child, measured (docs/faq.md);
 *  - SIGHUP: the framework exits on it (Go's default, 128+1 through tini),
 *    and compose started from a terminal that hangs up sends none;
 *  - the framework's own stop example gets the bind and no-health warnings.
 * Figures go to .tmp/reliability/trpc.json and the test log.
 */
import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../helpers/cli.js';
import { compose, composeDown, composeRun, hostPort, inspect, removeDir, tempDir, TEST_PREFIX, TEST_REPO, top, uid, waitFor } from '../helpers/docker.js';
import { exec, run } from '../helpers/exec.js';
import { request } from '../helpers/load.js';
import { record } from '../helpers/results.js';

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

const figures: Record<string, unknown> = {};
const note = (key: string, value: unknown) => {
  figures[key] = value;
  console.log(`trpc e2e: ${key} = ${JSON.stringify(value)}`);
};
afterAll(() => record('trpc', figures));

/** One module cache for this file's builds, empty at first: the build must fetch through the proxy. */
let modCache: string | undefined;
async function goEnv(): Promise<Record<string, string>> {
  if (!modCache) {
    modCache = await tempDir('gdt-gomod-');
    cleanups.push(async () => {
      await exec('go', ['clean', '-modcache'], { env: { GOMODCACHE: modCache! } });
      await rm(modCache!, { recursive: true, force: true });
    });
  }
  return { GOMODCACHE: modCache };
}

/**
 * A copy of examples/trpc (the test never edits the repository), with a test
 * image name and every published port on a free 127.0.0.1 port. `edit`
 * changes trpc_go.yaml.
 */
async function trpcProject(opts: { edit?: (trpcGo: string) => string; config?: boolean } = {}): Promise<{ dir: string; image: string }> {
  const dir = await tempDir('gdt-trpc-');
  cleanups.push(() => removeDir(dir));
  for (const f of ['go.mod', 'go.sum', 'main.go', 'trpc_go.yaml', 'goneat-deploy.yaml']) {
    if (f === 'goneat-deploy.yaml' && opts.config === false) continue;
    await cp(path.join(ROOT, 'examples/trpc', f), path.join(dir, f));
  }
  const tag = `e2e-${uid()}`;
  if (opts.config !== false) {
    const config = (await readFile(path.join(dir, 'goneat-deploy.yaml'), 'utf8'))
      .replace('repository: goneat/hello', `repository: ${TEST_REPO}/hello`)
      .replace('tag: dev', `tag: ${tag}`)
      .replace(/publish: 127\.0\.0\.1:\d+/g, 'publish: "127.0.0.1:0"')
      .replace(/^# yaml-language-server.*\n/, '');
    await writeFile(path.join(dir, 'goneat-deploy.yaml'), config);
  }
  if (opts.edit) await writeFile(path.join(dir, 'trpc_go.yaml'), opts.edit(await readFile(path.join(dir, 'trpc_go.yaml'), 'utf8')));
  const image = `${TEST_REPO}/hello:${tag}`;
  cleanups.push(async () => void (await exec('docker', ['rmi', '-f', image])));
  return { dir, image };
}

async function build(dir: string): Promise<number> {
  const t = performance.now();
  const r = await runCli(['build', '-C', dir], { env: await goEnv(), timeoutMs: 1_200_000 });
  expect(r.code, r.stderr).toBe(0);
  return Math.round(performance.now() - t);
}

interface VerifyJson {
  passed: boolean;
  exitCode?: number;
  stopMs?: number;
  stopTimeoutS: number;
  checks: Array<{ id: string; status: string; measured: string }>;
  timeline: Array<{ t: number; event: string }>;
}

async function verify(dir: string, extra: string[] = []): Promise<{ code: number | null; report: VerifyJson; stderr: string }> {
  const r = await runCli(['verify', '-C', dir, '--json', ...extra], { timeoutMs: 120_000 });
  return { code: r.code, report: JSON.parse(r.stdout) as VerifyJson, stderr: r.stderr };
}
const check = (report: VerifyJson, id: string) => report.checks.find((c) => c.id === id)!;

/** The container's die events since `since` (unix seconds), with the exit code the engine recorded. */
async function dieEvents(container: string, since: number): Promise<Array<{ exitCode: number; time: number }>> {
  const out = await run('docker', ['events', '--since', String(since), '--until', String(Math.ceil(Date.now() / 1000) + 1), '--filter', `container=${container}`, '--filter', 'event=die', '--format', '{{json .}}']);
  return out
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { timeNano: number; Actor: { Attributes: Record<string, string> } })
    .map((e) => ({ exitCode: Number(e.Actor.Attributes.exitCode), time: e.timeNano / 1e6 }));
}

/** `compose up -d` of the project's generated compose file, under a fresh project name (`up` runs it another way). */
async function composeUp(dir: string, up?: (file: string, project: string) => Promise<void>): Promise<{ file: string; project: string; container: string }> {
  const g = await runCli(['generate', 'compose', '-C', dir]);
  expect(g.code, g.stderr).toBe(0);
  const file = path.join(dir, 'compose.yaml');
  const project = `${TEST_PREFIX}${uid()}`;
  cleanups.push(() => composeDown(project, file));
  if (up) await up(file, project);
  else await composeRun(project, file, ['up', '-d']);
  const container = (await composeRun(project, file, ['ps', '-q', 'hello'])).trim();
  await waitHealthy(container);
  return { file, project, container };
}

async function waitHealthy(container: string): Promise<void> {
  await waitFor('tRPC-Go admin /is_healthy/ → 200', async () => ((await request(await hostPort(container, 9028), '/is_healthy/', 1000)).status === 200 ? true : undefined), 60_000);
}

interface HotRestart {
  container: string;
  parentPid: string;
  children: Array<{ pid: number; ppid: number; firstSeenMs: number; lastSeenMs: number }>;
  answeringPids: string[];
  deaths: number[];
  diedAfterMs: number;
  slow: { status?: number; error?: string; atMs: number };
  childGoneWithContainer: boolean;
  restartCount: number;
  logs: string;
  figures: Record<string, unknown>;
}

/**
 * compose up, a 3 s request in flight and `/` every 100 ms (each answer names the PID inside the container),
 * then SIGUSR2 to the service's PID the way tRPC-Go documents it (docs/user_guide/graceful_restart.md:
 * `kill -SIGUSR2 pid`); watches the process tree until the container stops and compose restarts it.
 */
async function hotRestart(dir: string): Promise<HotRestart> {
  const { container } = await composeUp(dir);
  const before = await top(container);
  const [tini, service] = [before.find((p) => p.args.startsWith('/sbin/tini'))!, before.find((p) => p.args.startsWith('/app/hello'))!];
  expect(service.ppid).toBe(tini.pid);
  const port = await hostPort(container, 8080);
  const parentPid = /pid=(\d+)/.exec((await request(port, '/')).body)![1]!;

  const answers: Array<{ t: number; pid?: string; error?: string }> = [];
  let polling = true;
  const t0 = performance.now();
  const poller = (async () => {
    while (polling) {
      const t = performance.now() - t0;
      await request(port, '/', 1000).then(
        (r) => answers.push({ t, pid: /pid=(\d+)/.exec(r.body)?.[1] ?? '?' }),
        (e: NodeJS.ErrnoException) => answers.push({ t, error: e.code ?? e.message }),
      );
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  const slow = request(port, '/slow?ms=3000', 20_000).then(
    (r) => ({ status: r.status, atMs: Math.round(performance.now() - t0) }),
    (e: NodeJS.ErrnoException) => ({ error: e.code ?? e.message, atMs: Math.round(performance.now() - t0) }),
  );
  await new Promise((r) => setTimeout(r, 300));
  const since = Math.floor(Date.now() / 1000) - 1;
  const signalAt = performance.now() - t0;
  try {
    process.kill(service.pid, 'SIGUSR2');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') throw err;
    await run('sudo', ['-n', 'kill', '-s', 'USR2', String(service.pid)]); // the service runs as 65532: not ours to signal
  }

  const children = new Map<number, { ppid: number; firstSeen: number; lastSeen: number }>();
  await waitFor('the container to stop after SIGUSR2', async () => {
    const rows = await top(container).catch(() => undefined);
    const st = await inspect<{ State: { Running: boolean; Pid: number } }>(container);
    if (!rows || !st.State.Running || st.State.Pid !== tini.pid) return true;
    // children of the old service or the old tini (a restarted container has a new tini)
    for (const r of rows.filter((x) => x.args.startsWith('/app/hello') && x.pid !== service.pid && (x.ppid === service.pid || x.ppid === tini.pid))) {
      const c = children.get(r.pid) ?? { ppid: r.ppid, firstSeen: performance.now() - t0, lastSeen: 0 };
      c.lastSeen = performance.now() - t0;
      children.set(r.pid, c);
    }
    return undefined;
  }, 30_000, 50);
  const downAt = performance.now() - t0;
  await waitFor('restart: unless-stopped to restart the container', async () => ((await inspect<{ RestartCount: number }>(container)).RestartCount >= 1 ? true : undefined), 30_000);
  await waitHealthy(container);
  const healthyAgainAt = performance.now() - t0;
  polling = false;
  await poller;
  const deaths = await dieEvents(container, since);
  const after = await inspect<{ RestartCount: number }>(container);
  const afterTree = (await top(container)).map((p) => p.pid);
  const logs = (await exec('docker', ['logs', container])).stdout + (await exec('docker', ['logs', container])).stderr;
  const slowResult = await slow;
  const childList = [...children].map(([pid, c]) => ({ pid, ppid: c.ppid, firstSeenMs: Math.round(c.firstSeen - signalAt), lastSeenMs: Math.round(c.lastSeen - signalAt) }));
  const diedAfterMs = deaths[0] ? Math.round(deaths[0].time - (performance.timeOrigin + t0 + signalAt)) : -1;
  // Until the engine recorded the death (the watch above notices it later, under load).
  const deadAt = deaths[0] ? signalAt + diedAfterMs : downAt;
  const answeringPids = [...new Set(answers.filter((a) => a.pid && a.t > signalAt && a.t < deadAt).map((a) => a.pid!))];
  const failedBeforeDeath = answers.filter((a) => a.error && a.t > signalAt && a.t < deadAt - 100);
  return {
    container,
    parentPid,
    children: childList,
    answeringPids,
    deaths: deaths.map((d) => d.exitCode),
    diedAfterMs,
    slow: slowResult,
    childGoneWithContainer: childList.every((c) => !afterTree.includes(c.pid)),
    restartCount: after.RestartCount,
    logs,
    figures: {
      children: childList,
      parentPidInContainer: parentPid,
      answeringPidsUntilDeath: answeringPids,
      requestsUntilDeath: answers.filter((a) => a.t > signalAt && a.t < deadAt - 100).length,
      failedRequestsUntilDeath: failedBeforeDeath.length,
      failedErrors: [...new Set(failedBeforeDeath.map((a) => a.error))],
      containerDiedMsAfterSignal: diedAfterMs,
      exitCodes: deaths.map((d) => d.exitCode),
      healthyAgainMsAfterSignal: Math.round(healthyAgainAt - signalAt),
      restartCount: after.RestartCount,
      slowRequest: slowResult,
    },
  };
}

/** The tRPC-Go example as tRPC-Go's defaults leave it: no close settings at all. */
const withoutCloseKeys = (t: string) => t.replace(/^ {2}(max_)?close_wait_time: .*\n/gm, '');

let example: { dir: string; image: string };

describe('the real tRPC-Go example (examples/trpc)', () => {
  it('init detects tRPC-Go from go.mod and trpc_go.yaml, with nothing to warn about', async () => {
    const p = await trpcProject({ config: false });
    const r = await runCli(['init', '-C', p.dir, '--yes']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    const text = await readFile(path.join(p.dir, 'goneat-deploy.yaml'), 'utf8');
    expect(text).toMatch(/^framework: trpc-go /m);
    expect(text).toMatch(/^ {2}# preStop: not needed: close_wait_time keeps accepting for 2000 ms after SIGTERM$/m);
    const g = await runCli(['generate', 'k8s', '-C', p.dir, '-o', '-']);
    expect(g.code, g.stderr).toBe(0);
    // drain 10s (tRPC-Go's bound) + 2s slack; no preStop on top of close_wait_time
    expect(g.stdout).toMatch(/terminationGracePeriodSeconds: 12\n/);
  });

  it('build compiles it through the Go module proxy (a fresh module cache) into a static image', { timeout: 1_300_000 }, async () => {
    example = await trpcProject();
    const ms = await build(example.dir);
    note('build_fresh_module_cache_ms', ms);
    // every module came from the proxy into the empty cache, checked against the committed go.sum
    await expect(readFile(path.join(modCache!, 'cache/download/trpc.group/trpc-go/trpc-go/@v/v1.1.0.zip')).then((b) => b.length)).resolves.toBeGreaterThan(100_000);
    const cfg = await inspect<{ Config: { Entrypoint: string[]; StopSignal: string; User: string } }>(example.image);
    expect(cfg.Config.Entrypoint).toEqual(['/sbin/tini', '--', '/app/hello', '-conf', '/app/trpc_go.yaml']);
    expect(cfg.Config.StopSignal).toBe('SIGTERM');
    expect(cfg.Config.User).toBe('65532:65532');
  });

  it('verify passes on the real server with a request in flight across the stop (200, exit 0)', async () => {
    const { code, report, stderr } = await verify(example.dir);
    expect(code, `${stderr}\n${JSON.stringify(report.checks, null, 1)}`).toBe(0);
    expect(report.passed).toBe(true);
    expect(report.exitCode).toBe(0);
    expect(check(report, 'inflight-completes')).toMatchObject({ status: 'pass' });
    expect(check(report, 'inflight-completes').measured).toMatch(/→ 200/);
    // the admin server closes at once (admin/admin.go Close): probes fail while the service still drains
    expect(check(report, 'health-not-ready')).toMatchObject({ status: 'pass' });
    expect(check(report, 'health-not-ready').measured).toMatch(/no connection/);
    // close_wait_time 2000 is a sleep: the exit cannot come earlier, and must come within the budget
    expect(report.stopMs!).toBeGreaterThanOrEqual(2000);
    expect(report.stopMs!).toBeLessThan(report.stopTimeoutS * 1000);
    note('verify_compose', { stopMs: report.stopMs, budgetS: report.stopTimeoutS, timeline: report.timeline });

    const k8s = await verify(example.dir, ['--as', 'k8s']);
    expect(k8s.code, JSON.stringify(k8s.report.checks, null, 1)).toBe(0);
    note('verify_k8s_stopMs', k8s.report.stopMs);
  });

  it('the admin server really serves /debug/pprof and /cmds/config: compose publishes it on 127.0.0.1 only', { timeout: 120_000 }, async () => {
    const { container } = await composeUp(example.dir);
    const bindings = await inspect<{ NetworkSettings: { Ports: Record<string, Array<{ HostIp: string }> | null> } }>(container);
    expect(bindings.NetworkSettings.Ports['9028/tcp']!.map((b) => b.HostIp)).toEqual(['127.0.0.1']);
    const admin = await hostPort(container, 9028);
    const config = await request(admin, '/cmds/config');
    expect(config.status).toBe(200);
    expect(config.body).toContain('max_close_wait_time'); // the whole trpc_go.yaml, to anyone who can connect
    expect((await request(admin, '/debug/pprof/')).status).toBe(200);
    const swarm = await runCli(['generate', 'swarm', '-C', example.dir, '-o', '-']);
    expect(swarm.stdout).not.toMatch(/target: 9028/);
    const k8s = await runCli(['generate', 'k8s', '-C', example.dir, '-o', '-']);
    expect(k8s.stdout.split('kind: Service')[1]).not.toMatch(/9028/);
  });

  it('tRPC-Go\'s default close settings: generate and lint warn first, and verify fails inflight-completes on the real server', { timeout: 600_000 }, async () => {
    const p = await trpcProject({ edit: withoutCloseKeys });
    const g = await runCli(['generate', 'compose', '-C', p.dir]);
    expect(g.code, g.stderr).toBe(0);
    const warnings = g.stderr.trim().split('\n');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^goneat-deploy: warning: .*trpc_go\.yaml:7:1: server\.max_close_wait_time: max_close_wait_time unset \(0\) is not above close_wait_time unset \(0\): .*exits at once on SIGTERM and cuts off requests still running; set server\.max_close_wait_time: 10000 and close_wait_time: 2000/);
    const l = await runCli(['lint', '-C', p.dir]);
    expect(l.code, l.stdout).toBe(0); // a warning, not an error
    expect(l.stdout).toMatch(/trpc_go\.yaml:7:1: warning GD020 server\.max_close_wait_time: .* \(trpc-close-and-binds\)$/m);

    await build(p.dir);
    const { code, report } = await verify(p.dir);
    expect(code).toBe(1);
    expect(check(report, 'inflight-completes').status).toBe('fail');
    expect(check(report, 'inflight-completes').measured).not.toMatch(/→ 200/);
    // the process itself exits 0, at once: nothing but the cut request shows the problem
    expect(check(report, 'graceful-stop').status).toBe('pass');
    expect(report.exitCode).toBe(0);
    expect(report.stopMs!).toBeLessThan(1500);
    note('verify_default_close', { stopMs: report.stopMs, inflight: check(report, 'inflight-completes').measured });
  });

  it('health on an admin port trpc_go.yaml does not open: generate and lint warn, and verify fails healthy quickly (not read-only-rootfs, not a health-not-ready pass)', { timeout: 600_000 }, async () => {
    const p = await trpcProject({ edit: (t) => t.replace(/^ {2}admin:\n(?: {4}.*\n)+/m, '') });
    expect(await readFile(path.join(p.dir, 'trpc_go.yaml'), 'utf8')).not.toMatch(/admin:/);
    const g = await runCli(['generate', 'compose', '-C', p.dir]);
    expect(g.code, g.stderr).toBe(0);
    expect(g.stderr).toMatch(/trpc_go\.yaml:\d+:\d+: server\.admin\.port: goneat-deploy\.yaml health\.port 9028 \(admin\): no admin server/);
    const l = await runCli(['lint', '-C', p.dir]);
    expect(l.stdout).toMatch(/warning GD020 server\.admin\.port: goneat-deploy\.yaml health\.port 9028/);

    await build(p.dir);
    const began = performance.now();
    const { code, report } = await verify(p.dir);
    const tookMs = performance.now() - began;
    expect(code).toBe(1);
    expect(check(report, 'healthy').status).toBe('fail');
    // The service port (8080) answers while nothing listens on 9028: said after 10 s, not after 60.
    expect(check(report, 'healthy').measured).toMatch(/^nothing answers on port 9028 \(\w+ for 1\d\.\d\d s\) while port 8080 does: the service never serves \/is_healthy\/ there \(health\.port\)$/);
    expect(check(report, 'read-only-rootfs').status).toBe('skip');
    expect(check(report, 'health-not-ready').status).toBe('fail');
    expect(tookMs).toBeLessThan(45_000);
    note('verify_no_admin', { tookMs: Math.round(tookMs), healthy: check(report, 'healthy').measured });
  });

  it('SIGUSR2 (hot restart) as configured (0.0.0.0): the child cannot take over the HTTP listener; the parent drains and exits 0, tini ends the container, compose restarts it', { timeout: 240_000 }, async () => {
    const m = await hotRestart(example.dir);
    note('sigusr2_kill_pid', m.figures);
    expect(m.children).toHaveLength(1); // tRPC-Go fork/exec'd exactly one new /app/hello (server/serve_unix.go StartNewProcess)
    // Go listens on 0.0.0.0 with a dual-stack socket whose address reads [::]:8080, while the child looks its
    // inherited listener up as 0.0.0.0:8080 (transport/server_transport.go inheritListeners/getPassedListener)
    expect(m.logs).toMatch(/http server transport get listener err: listener not found/);
    expect(m.answeringPids).toEqual([m.parentPid]); // only the old process ever answered
    expect(m.deaths).toEqual([0]); // the container died once: the parent drained and exited 0, tini passed it on
    expect(m.diedAfterMs).toBeGreaterThanOrEqual(2000); // close_wait_time 2 s, then its in-flight request
    expect(m.slow).toMatchObject({ status: 200 });
    expect(m.restartCount).toBe(1); // signalled by PID, not through the engine: restart: unless-stopped applies

    // Through the engine instead (docker kill -s SIGUSR2): tini forwards it the same way, but the engine marks the
    // container as stopped by hand (moby v20.10 daemon/kill.go killWithSignal: HasBeenManuallyStopped for any
    // signal), so unless-stopped does not bring it back.
    const since = Math.floor(Date.now() / 1000) - 1;
    await run('docker', ['kill', '-s', 'SIGUSR2', m.container]);
    await waitFor('the container to stop after docker kill -s SIGUSR2', async () => ((await dieEvents(m.container, since)).length ? true : undefined), 30_000);
    await new Promise((r) => setTimeout(r, 3000));
    const final = await inspect<{ RestartCount: number; State: { Running: boolean; ExitCode: number } }>(m.container);
    expect(final.State).toMatchObject({ Running: false, ExitCode: 0 });
    expect(final.RestartCount).toBe(1);
    note('sigusr2_docker_kill', { exitCode: final.State.ExitCode, running: final.State.Running, restartCountAfter3s: final.RestartCount });
  });

  it('SIGUSR2 where the child does take over (ip "::"): it serves beside the parent until the parent exits, then dies with the container', { timeout: 600_000 }, async () => {
    const p = await trpcProject({ edit: (t) => t.replace(/^ {6}ip: 0\.0\.0\.0$/m, '      ip: "::"') });
    await build(p.dir);
    const m = await hotRestart(p.dir);
    note('sigusr2_child_takes_over', m.figures);
    expect(m.logs).not.toMatch(/listener not found/);
    expect(m.children).toHaveLength(1);
    const childNsPid = m.answeringPids.find((x) => x !== m.parentPid);
    expect(childNsPid, 'the forked child answered requests').toBeDefined();
    expect(m.deaths).toEqual([0]); // still one death: the parent's exit 0 ends tini, and the container with it
    expect(m.diedAfterMs).toBeGreaterThanOrEqual(2000);
    expect(m.slow).toMatchObject({ status: 200 });
    // alive through the parent's close (its 2 s close_wait_time sleep), gone after the container
    expect(m.children[0]!.lastSeenMs).toBeGreaterThanOrEqual(2000);
    expect(m.childGoneWithContainer).toBe(true);
    expect(m.restartCount).toBe(1);
  });

  it('SIGHUP: tRPC-Go does not subscribe to it, so Go\'s default ends the process at once (128+1 through tini); compose from a terminal that hangs up sends none', { timeout: 180_000 }, async () => {
    // 1. compose up -d from a real terminal (tmux), which then hangs up: nothing reaches the service.
    const socket = `${TEST_PREFIX}${uid()}`;
    await run('tmux', ['-L', socket, '-f', '/dev/null', 'new-session', '-d', '-s', 'main', '-x', '200', '-y', '50', 'bash --norc --noprofile -i']);
    cleanups.push(async () => void (await exec('tmux', ['-L', socket, 'kill-server'])));
    const cmd = (await compose()).join(' ');
    const { container } = await composeUp(example.dir, async (file, project) => {
      const done = path.join(path.dirname(file), `up-${project}.done`);
      await run('tmux', ['-L', socket, 'send-keys', '-t', 'main', `cd ${path.dirname(file)} && ${cmd} -p ${project} -f ${file} up -d; echo done > ${done}`, 'Enter']);
      await waitFor('compose up -d from the terminal', async () => ((await readFile(done, 'utf8').catch(() => '')).includes('done') ? true : undefined), 60_000);
    });
    const before = await inspect<{ State: { StartedAt: string; Running: boolean }; RestartCount: number; Config: { Tty: boolean; OpenStdin: boolean } }>(container);
    expect(before.Config).toMatchObject({ Tty: false, OpenStdin: false });
    expect((await top(container)).every((p) => p.tty === '?')).toBe(true); // no process has a controlling terminal
    await run('tmux', ['-L', socket, 'kill-server']);
    await new Promise((r) => setTimeout(r, 2000));
    const afterHangup = await inspect<{ State: { StartedAt: string; Running: boolean }; RestartCount: number }>(container);
    expect(afterHangup.State).toMatchObject({ Running: true, StartedAt: before.State.StartedAt });
    expect(afterHangup.RestartCount).toBe(0);

    // 2. A SIGHUP sent on purpose: Go's default action, no close sequence.
    const since = Math.floor(Date.now() / 1000) - 1;
    const sent = Date.now();
    await run('docker', ['kill', '-s', 'SIGHUP', container]);
    await waitFor('the container to die on SIGHUP', async () => ((await dieEvents(container, since)).length ? true : undefined), 20_000);
    const [death] = await dieEvents(container, since);
    expect(death!.exitCode).toBe(129);
    expect(death!.time - sent).toBeLessThan(2000); // no 2 s close_wait_time: the close sequence never ran
    const logs = (await run('docker', ['logs', container])) + (await exec('docker', ['logs', container])).stderr;
    expect(logs).not.toMatch(/closing \.\.\./);
    note('sighup', { exitCode: death!.exitCode, msAfterSignal: Math.round(death!.time - sent) });

    // 3. systemd: the generated unit gives the service no terminal either (systemd.exec(5): StandardInput= defaults
    //    to null, no TTYPath=) and SendSIGHUP=no (systemd.kill(5)): nothing sends SIGHUP on stop or on a lost session.
    const unit = await runCli(['generate', 'systemd', '-C', example.dir, '-o', '-']);
    expect(unit.code, unit.stderr).toBe(0);
    expect(unit.stdout).toMatch(/^SendSIGHUP=no$/m);
    expect(unit.stdout).not.toMatch(/^(StandardInput=tty|TTYPath=|ExecReload=.*(HUP|USR2))/m);
  });

  it('keeps refusing SIGUSR2 as a stop signal for tRPC-Go: in goneat-deploy.yaml and in files lint reads', async () => {
    const p = await trpcProject();
    await writeFile(path.join(p.dir, 'goneat-deploy.yaml'), (await readFile(path.join(p.dir, 'goneat-deploy.yaml'), 'utf8')).replace('signal: SIGTERM', 'signal: SIGUSR2'));
    const g = await runCli(['generate', 'compose', '-C', p.dir]);
    expect(g.code).toBe(2);
    expect(g.stderr).toMatch(/^goneat-deploy: \S*goneat-deploy\.yaml:\d+:\d+: shutdown\.signal: SIGUSR2 is refused as a stop signal: SIGUSR2 is tRPC-Go's hot restart/);
    // lint judges a signal by the service it reaches (src/lint/model.ts): with the service's own goneat-deploy.yaml
    // (-C; framework: trpc-go, name hello) a hand-written compose file's SIGUSR2 is an error, not an "if this is tRPC-Go" warning.
    await writeFile(path.join(p.dir, 'goneat-deploy.yaml'), (await readFile(path.join(p.dir, 'goneat-deploy.yaml'), 'utf8')).replace('signal: SIGUSR2', 'signal: SIGTERM'));
    await mkdir(path.join(p.dir, 'hand'));
    await writeFile(path.join(p.dir, 'hand', 'compose.yaml'), 'services:\n  hello:\n    image: x\n    stop_signal: SIGUSR2\n    stop_grace_period: 12s\n');
    const l = await runCli(['lint', '-C', p.dir, path.join(p.dir, 'hand')]);
    expect(l.code, l.stdout).toBe(1);
    expect(l.stdout).toMatch(/compose\.yaml:4:18: error GD004 stop_signal SIGUSR2: SIGUSR2 is tRPC-Go's hot restart/);
  });
});

describe('the framework\'s own graceful-stop example (test/fixtures/cases/trpc-stop-example)', () => {
  it('generate all and lint warn about the 127.0.0.1 binds and the missing health endpoint, at trpc_go.yaml:line', async () => {
    const dir = await tempDir('gdt-trpc-stop-');
    cleanups.push(() => removeDir(dir));
    await cp(path.join(ROOT, 'test/fixtures/cases/trpc-stop-example'), dir, { recursive: true });
    const g = await runCli(['generate', 'all', '-C', dir]);
    expect(g.code, g.stderr).toBe(0);
    expect(g.stderr.trim().split('\n').map((l) => /^goneat-deploy: warning: \S*trpc_go\.yaml:(\d+:\d+): ([\w.[\]]+): (.{0,30})/.exec(l)?.slice(1).join(' '))).toEqual([
      '5:1 server.admin.port no admin port: tRPC-Go starts ',
      '11:11 server.service[0].ip service trpc.examples.stop.una',
      '17:11 server.service[1].ip service trpc.examples.stop.str',
    ]);
    const k8s = await readFile(path.join(dir, 'deploy/k8s/deployment.yaml'), 'utf8');
    expect(k8s).not.toMatch(/Probe:/); // no admin port, so no probes to generate
    const l = await runCli(['lint', '-C', dir]);
    expect(l.code).toBe(0);
    expect(l.stdout.match(/warning GD020/g)).toHaveLength(3);
    // a host-only target has no container: no bind or health warnings there
    const s = await runCli(['generate', 'systemd', '-C', dir, '-o', '-']);
    expect(s.stderr).toBe('');
  });
});
