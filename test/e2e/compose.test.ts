/**
 * Both Compose generations users have, with the generated compose file, on
 * the engine under test (GONEAT_TEST_ENGINE): Compose v2 (`docker compose`,
 * the plugin scripts/ensure-env.sh installs from Debian 13) and Compose v1
 * (`docker-compose` 1.29, Debian 12). Each runs the example detached, and a
 * request in flight survives `stop` (200, exit 0). Neither may be missing:
 * a missing one fails here, it is not skipped.
 *
 * Then what differs: `health.startInterval` writes healthcheck.start_interval,
 * which v1's schema refuses, and which v2 refuses below Engine API 1.44
 * (Engine 25) — on an engine that has it, the service is healthy after the
 * first start-interval check instead of a whole `interval`.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { compareApiVersions } from '../../src/runtime/docker/client.js';
import { runCli } from '../helpers/cli.js';
import { COMPOSE_V1, COMPOSE_V2, composeRun, hostPort, httpGet, inspect, removeDir, TEST_PREFIX, uid, waitFor, waitHealthy } from '../helpers/docker.js';
import { exec, run } from '../helpers/exec.js';
import { echoComposeProject, echoProject } from '../helpers/project.js';

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

const GENERATIONS = [
  { name: 'Compose v2 (docker compose)', tool: COMPOSE_V2, major: 2 },
  { name: 'Compose v1 (docker-compose)', tool: COMPOSE_V1, major: 1 },
] as const;

describe.each(GENERATIONS)('$name with the generated compose file', ({ tool, major }) => {
  let project: string;
  let file: string;
  let container: string;
  let httpPort: number;

  beforeAll(async () => {
    const version = (await run(tool[0]!, [...tool.slice(1), 'version', '--short'])).trim();
    expect(version, `${tool.join(' ')} is installed by scripts/ensure-env.sh`).toMatch(new RegExp(`^v?${major}\\.`));
    const p = await echoComposeProject(cleanups, { compose: [...tool] });
    file = p.file;
    project = p.project;
  });

  it('accepts the file (config -q)', async () => {
    await composeRun(project, file, ['config', '-q'], 60_000, [...tool]);
  });

  it('runs it detached: tini as PID 1, healthy on 127.0.0.1', async () => {
    await composeRun(project, file, ['up', '-d'], 120_000, [...tool]);
    container = (await composeRun(project, file, ['ps', '-q', 'echo'], 60_000, [...tool])).trim();
    expect(container).toMatch(/^[0-9a-f]{12,64}$/);
    httpPort = await hostPort(container, 8080);
    await waitHealthy(await hostPort(container, 9090));
    const state = await inspect<{ Path: string; Args: string[]; HostConfig: { Init: boolean | null } }>(container);
    expect([state.Path, ...state.Args]).toEqual(['/sbin/tini', '--', '/app/echo', '-drain', '5s']);
    expect(state.HostConfig.Init).toBe(false);
  });

  it('stop: the request in flight completes with 200, the service exits 0 within drain + 2 s', async () => {
    const slow = httpGet(`http://127.0.0.1:${httpPort}/slow?ms=2000`, 15_000);
    await new Promise((r) => setTimeout(r, 300));
    const started = Date.now();
    await composeRun(project, file, ['stop'], 60_000, [...tool]);
    const stopMs = Date.now() - started;
    const res = await slow;
    expect(res.status).toBe(200);
    expect(res.body).toContain('slept 2000ms');
    const state = await inspect<{ State: { Running: boolean; ExitCode: number } }>(container);
    expect(state.State.Running).toBe(false);
    expect(state.State.ExitCode).toBe(0);
    expect(stopMs).toBeLessThan(5_000 + 2_000);
    expect(await run('docker', ['logs', container])).toMatch(/drained; exiting 0/);
  });
});

describe('the CLI picks Compose v2, falls back to v1, and says which under --verbose', () => {
  it('docker compose when the plugin is there; docker-compose when it is not', async () => {
    const p = await echoProject();
    cleanups.push(() => removeDir(p.dir));
    const v2 = await runCli(['--verbose', 'generate', 'compose', '-C', p.dir, '-o', '-']);
    expect(v2.code).toBe(0);
    expect(v2.stderr).toMatch(/^› Compose: docker compose \S+ \(Compose v2\)$/m);
    // A docker config dir without cli-plugins hides the plugin from the docker CLI (where ensure-env puts it).
    const empty = await mkdtemp(path.join(os.tmpdir(), 'gdt-dockercfg-'));
    cleanups.push(() => removeDir(empty));
    const hidden = await exec('docker', ['compose', 'version'], { env: { DOCKER_CONFIG: empty } });
    expect(hidden.code, 'the v2 plugin must come from $DOCKER_CONFIG/cli-plugins for this test to mean anything').not.toBe(0);
    const v1 = await runCli(['--verbose', 'generate', 'compose', '-C', p.dir, '-o', '-'], { env: { DOCKER_CONFIG: empty } });
    expect(v1.code).toBe(0);
    expect(v1.stderr).toMatch(/^› Compose: docker-compose 1\.\d+\.\d+ \(Compose v1; `docker compose` \(v2\) is not installed\)$/m);
  });
});

describe('health.startInterval → healthcheck.start_interval', () => {
  const engine = inject('engine');
  const supported = compareApiVersions(engine.apiVersion, '1.44') >= 0;
  let dir: string;
  let file: string;

  beforeAll(async () => {
    // interval 30s: without start_interval the first check would run 30 s after the start.
    const p = await echoComposeProject(cleanups, { compose: COMPOSE_V2, startPeriod: '20s' });
    dir = p.dir;
    const config = (await import('node:fs/promises')).readFile(path.join(dir, 'goneat-deploy.yaml'), 'utf8');
    await writeFile(path.join(dir, 'goneat-deploy.yaml'), (await config).replace('  interval: 1s\n', '  interval: 30s\n  startInterval: 500ms\n'));
    const g = await runCli(['generate', 'compose', '-C', dir, '--force']);
    expect(g.code, g.stderr).toBe(0);
    expect(g.stderr).toBe(''); // Compose v2 is installed: no warning
    file = p.file;
  });

  it('generate warns (exit 0) when only docker-compose v1 is here to read it', async () => {
    const empty = await mkdtemp(path.join(os.tmpdir(), 'gdt-dockercfg-'));
    cleanups.push(() => removeDir(empty));
    const g = await runCli(['generate', 'compose', '-C', dir, '-o', '-'], { env: { DOCKER_CONFIG: empty } });
    expect(g.code).toBe(0);
    expect(g.stdout).toMatch(/start_interval: "?500ms"?\n/);
    expect(g.stderr).toMatch(/^goneat-deploy: warning: health\.startInterval \(echo\) writes healthcheck\.start_interval, which needs Compose v2 \(docker compose\) and Docker Engine 25\+; docker-compose 1\.\d+\.\d+ refuses the file$/m);
  });

  it('docker-compose v1 refuses the key (its schema allows none it does not know)', async () => {
    const r = await exec('docker-compose', ['-p', `${TEST_PREFIX}${uid()}`, '-f', file, 'config', '-q']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/start_interval/);
  });

  it(
    supported
      ? `Compose v2 on Engine ${engine.version} (API ${engine.apiVersion} ≥ 1.44): healthy after the first 500 ms check, not after the 30 s interval`
      : `Compose v2 on Engine ${engine.version} (API ${engine.apiVersion} < 1.44) refuses to create the container, naming Engine 25`,
    async () => {
      const project = `${TEST_PREFIX}${uid()}`;
      cleanups.push(async () => void (await exec('docker', ['compose', '-p', project, '-f', file, 'down', '-t', '30'])));
      const up = await exec('docker', ['compose', '-p', project, '-f', file, 'up', '-d'], { cwd: dir });
      if (!supported) {
        expect(up.code).not.toBe(0);
        expect(up.stderr).toMatch(/can't set healthcheck\.start_interval as feature require Docker Engine v25 or later/);
        expect((await run('docker', ['ps', '-q', '--filter', `label=com.docker.compose.project=${project}`, '--filter', 'status=running'])).trim()).toBe('');
        return;
      }
      expect(up.code, up.stderr).toBe(0);
      const started = Date.now();
      const container = (await run('docker', ['compose', '-p', project, '-f', file, 'ps', '-q', 'echo'], { cwd: dir })).trim();
      const state = await inspect<{ Config: { Healthcheck: { StartInterval: number; Interval: number } } }>(container);
      expect(state.Config.Healthcheck.StartInterval).toBe(500_000_000);
      expect(state.Config.Healthcheck.Interval).toBe(30_000_000_000);
      await waitFor('the container to be healthy', async () => ((await run('docker', ['inspect', '--format', '{{.State.Health.Status}}', container])).trim() === 'healthy' ? true : undefined), 10_000, 100);
      expect(Date.now() - started).toBeLessThan(10_000);
    },
  );
});
