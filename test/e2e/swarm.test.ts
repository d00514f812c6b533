/**
 * Real Docker Swarm (one node on 127.0.0.1): deploy the example with the
 * generated stack file, wait for every replica, roll out a new image under a
 * light load, and show that no request failed. The swarm is left in teardown
 * when this test started it.
 *
 * This machine's kernel has no IPVS (/proc/net/ip_vs is missing), so swarm's
 * routing mesh cannot carry traffic here. The stack therefore publishes in
 * host mode (swarm.publishMode: host, a free 127.0.0.1 port per task) and the
 * load goes through TaskRouter, which follows the task states swarm reports.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { removeDir, TEST_PREFIX, TEST_REPO, uid, waitFor } from '../helpers/docker.js';
import { exec, run } from '../helpers/exec.js';
import { Load, request } from '../helpers/load.js';
import { echoConfig } from '../helpers/project.js';
import { ensureSwarm, runningTasks, stackRemove, TaskRouter, updateState } from '../helpers/swarm.js';
import { record, SOAK } from '../helpers/results.js';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

describe('docker stack deploy with the generated stack file', () => {
  const stack = `${TEST_PREFIX}${uid()}`;
  const service = `${stack}_echo`;
  const router = new TaskRouter(service, 8080);
  const tagA = `${TEST_REPO}/echo:swarm-a-${uid()}`;
  const tagB = `${TEST_REPO}/echo:swarm-b-${uid()}`;
  let dir: string;
  const stackFile = () => path.join(dir, 'stack.yaml');

  async function config(version: string): Promise<void> {
    // close-wait: keep accepting for 2s after the stop signal while the ingress drops the task (tRPC-Go's close_wait_time).
    await writeFile(
      path.join(dir, 'goneat-deploy.yaml'),
      await echoConfig({ tag: version, args: ['-drain', '5s', '-close-wait', '2s'], replicas: 2, extra: 'swarm: { publishMode: host }', http: 0, admin: undefined, startPeriod: '10s', drain: '7s' }),
    );
  }

  async function deploy(image: string): Promise<void> {
    const g = await runCli(['generate', 'swarm', '-C', dir, '-o', stackFile(), '--image', image, '--force']);
    // The one warning: swarm has no host address, so the 127.0.0.1 publish is open on the node's every interface.
    const lines = g.stderr.trim().split('\n');
    expect(lines, g.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(/^goneat-deploy: warning: .*ports\[0\]\.publish: swarm has no host address .*on every interface of the node running the task, not on 127\.0\.0\.1 only/);
    expect(g.code).toBe(0);
    await run('docker', ['stack', 'deploy', '--resolve-image', 'never', '-c', stackFile(), stack], { timeoutMs: 60_000 });
  }

  beforeAll(async () => {
    const swarm = await ensureSwarm();
    cleanups.push(swarm.leave);
    dir = await mkdtemp(path.join(os.tmpdir(), 'gdt-swarm-'));
    cleanups.push(() => removeDir(dir));
    cleanups.push(async () => void (await exec('docker', ['rmi', '-f', tagA, tagB])));
    cleanups.push(() => stackRemove(stack));
    cleanups.push(async () => router.stop());
    for (const [version, tag] of [
      ['a', tagA],
      ['b', tagB],
    ] as const) {
      await config(version);
      const b = await runCli(['build', '-C', dir, '--tag', tag]);
      expect(b.stderr).toBe('');
      expect(b.code).toBe(0);
    }
    await config('a');
  });

  it('runs every replica, healthy, behind the published port', async () => {
    await deploy(tagA);
    const tasks = await waitFor(
      'two healthy replicas',
      async () => {
        const t = await runningTasks(service);
        return t.length === 2 && t.every((x) => x.state === 'running' && x.health === 'healthy') ? t : undefined;
      },
      90_000,
      500,
    );
    expect(tasks.map((t) => t.image)).toEqual([tagA, tagA]);
    const spec = JSON.parse(await run('docker', ['service', 'inspect', service]))[0].Spec;
    expect(spec.TaskTemplate.ContainerSpec.StopGracePeriod).toBe(9_000_000_000); // drain 7s + slack 2s
    expect(spec.TaskTemplate.ContainerSpec.StopSignal).toBe('SIGTERM');
    expect(spec.TaskTemplate.ContainerSpec.Init).toBe(false);
    expect(spec.UpdateConfig).toMatchObject({ Order: 'start-first', FailureAction: 'rollback', Parallelism: 1 });
    router.start();
    await waitFor('two routable tasks', async () => (router.size === 2 ? true : undefined), 30_000);
    for (let i = 0; i < 4; i++) expect((await request(router.pick(), '/')).status).toBe(200);
  });

  const ROLLOUTS = SOAK ? 20 : 3;

  it(`rolls out ${ROLLOUTS} new image tag(s) under load with zero failed requests`, async () => {
    // Steady light load, plus a slow request every 500ms: swarm stops a task ~3s after taking it out
    // of rotation here, so 6s requests are still in flight when the stop signal arrives.
    const running = async () => (await run('docker', ['ps', '-q', '--filter', `label=com.docker.swarm.service.name=${service}`])).trim().split('\n').filter(Boolean);
    // Each rollout's replaced containers are checked right after it: swarm prunes old tasks (5 per slot).
    const replaced: Array<{ exit: string; drained: number }> = [];
    const load = new Load(() => router.pick(), { concurrency: 4, pauseMs: 20, openLoop: { everyMs: 500, path: '/slow?ms=6000' } });
    await new Promise((r) => setTimeout(r, 1000));
    for (let i = 0; i < ROLLOUTS; i++) {
      const [version, tag] = i % 2 === 0 ? (['b', tagB] as const) : (['a', tagA] as const);
      const old = await running();
      await config(version);
      await deploy(tag);
      await waitFor(
        `rollout ${i + 1} to ${tag}`,
        async () => {
          const state = await updateState(service);
          if (state === 'rollback_completed' || state === 'paused') throw new Error(`update ended ${state}`);
          const tasks = await runningTasks(service);
          return state === 'completed' && tasks.length === 2 && tasks.every((t) => t.image === tag && t.health === 'healthy') ? true : undefined;
        },
        120_000,
        500,
      );
      for (const c of old) {
        await waitFor(`old task ${c} to exit`, async () => ((await run('docker', ['inspect', '--format', '{{.State.Running}}', c])).trim() === 'false' ? true : undefined), 60_000, 200);
        const m = /draining (\d+) in-flight/.exec(await run('docker', ['logs', c]));
        replaced.push({ exit: (await run('docker', ['inspect', '--format', '{{.State.ExitCode}}', c])).trim(), drained: Number(m?.[1] ?? 0) });
      }
    }
    await new Promise((r) => setTimeout(r, 1000));
    const result = await load.stop();
    console.log(`swarm rollout under load: ${JSON.stringify({ ...result, errors: result.errors.slice(0, 5) })}`);
    const drained = replaced.reduce((n, r) => n + r.drained, 0);
    await record('rollouts', { rollouts: ROLLOUTS, replicas: 2, sent: result.sent, completed: result.ok, failed: result.failed, refused: result.refused, badStatus: result.badStatus, tasksReplaced: replaced.length, exitCodes: [...new Set(replaced.map((r) => r.exit))], drainedAtStop: drained });
    expect(result.sent).toBeGreaterThan(50);
    expect(result.failed, result.errors.join('\n')).toBe(0);
    expect(result.refused).toBe(0);
    expect(result.badStatus).toBe(0);
    expect(result.ok).toBe(result.sent);
    expect(router.seen.size).toBeGreaterThanOrEqual(4); // two old tasks, two new ones served traffic
    // Every replaced task exited 0, and they really drained requests in flight at their stop signal.
    expect(replaced).toHaveLength(2 * ROLLOUTS);
    expect(replaced.filter((r) => r.exit !== '0')).toEqual([]);
    expect(drained).toBeGreaterThan(0);
  }, SOAK ? 1_800_000 : 180_000);
});
