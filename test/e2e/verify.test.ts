/**
 * goneat-deploy verify against real containers: it passes on the image
 * goneat-deploy builds for examples/echo (as compose and as k8s), and fails,
 * naming the right check, on images built here the ways people get it wrong.
 */
import { spawn } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, ROOT, runCli } from '../helpers/cli.js';
import { removeDir, TEST_REPO, uid, waitFor } from '../helpers/docker.js';
import { exec, run } from '../helpers/exec.js';
import { echoBinary } from '../helpers/project.js';

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

interface Report {
  passed: boolean;
  exitCode?: number;
  stopMs?: number;
  checks: Array<{ id: string; status: 'pass' | 'fail' | 'skip'; measured: string }>;
  timeline: Array<{ t: number; event: string }>;
}

const status = (r: Report) => Object.fromEntries(r.checks.map((c) => [c.id, c.status]));

async function verify(args: string[]): Promise<{ code: number | null; report: Report; stderr: string }> {
  const r = await runCli(['verify', ...args, '--json'], { timeoutMs: 120_000 });
  return { code: r.code, report: JSON.parse(r.stdout) as Report, stderr: r.stderr };
}

/** Builds an image from a Dockerfile and files, the plain docker way. */
async function dockerBuild(name: string, dockerfile: string, files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'gdt-img-'));
  cleanups.push(() => removeDir(dir));
  for (const [dest, src] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, dest)), { recursive: true });
    await copyFile(src, path.join(dir, dest));
  }
  await writeFile(path.join(dir, 'Dockerfile'), dockerfile);
  const tag = `${TEST_REPO}/${name}:${uid()}`;
  await run('docker', ['build', '-q', '-t', tag, dir], { timeoutMs: 120_000 });
  cleanups.push(async () => void (await exec('docker', ['rmi', '-f', tag])));
  return tag;
}

async function verifyContainersLeft(): Promise<string> {
  return (await run('docker', ['ps', '-aq', '--filter', 'label=io.goneat-deploy.verify'])).trim();
}

describe('verify passes on the goneat-deploy image of examples/echo', () => {
  let image: string;
  beforeAll(async () => {
    image = `${TEST_REPO}/echo:verify-${uid()}`;
    cleanups.push(async () => void (await exec('docker', ['rmi', '-f', image])));
    const b = await runCli(['build', '-C', 'examples/echo', '--tag', image]);
    expect(b.code).toBe(0);
  });

  it('as compose: every check passes, exit 0 well within the budget', async () => {
    const { code, report } = await verify([image, '-C', 'examples/echo']);
    expect(report.checks.filter((c) => c.status !== 'pass')).toEqual([]);
    expect(report.passed).toBe(true);
    expect(report.exitCode).toBe(0);
    expect(report.stopMs).toBeLessThan(5_000 + 2_000);
    expect(code).toBe(0);
    expect(await verifyContainersLeft()).toBe('');
  });

  it('as k8s: replays preStop sleep, the signal, and the grace period', async () => {
    const { code, report } = await verify([image, '-C', 'examples/echo', '--as', 'k8s']);
    expect(report.checks.filter((c) => c.status !== 'pass')).toEqual([]);
    const events = report.timeline.map((e) => e.event);
    expect(events[0]).toMatch(/pod Terminating; grace period 10s/);
    expect(events).toContain('preStop: sleep 3s (endpoints are removed meanwhile)');
    const signal = report.timeline.find((e) => /SIGTERM to PID 1/.test(e.event))!;
    expect(signal.t).toBeGreaterThanOrEqual(3000);
    expect(signal.t).toBeLessThan(3500);
    expect(code).toBe(0);
  });

  it('reads the budget from the image labels when there is no goneat-deploy.yaml', async () => {
    const { report } = await verify([image, '-C', os.tmpdir()]);
    expect(report.passed).toBe(true);
    expect(report.timeline.some((e) => /SIGKILL at \+10s/.test(e.event))).toBe(true);
  });

  it('prints a table and a timeline for people', async () => {
    const r = await runCli(['verify', image, '-C', 'examples/echo']);
    expect(r.stdout).toMatch(/^ {2}CHECK +RESULT {2}MEASURED$/m);
    expect(r.stdout).toMatch(/^ {2}graceful-stop +pass {4}exit 0 after \d\.\d\d s \(budget 10 s\)$/m);
    expect(r.stdout).toMatch(/TIMELINE[\s\S]*docker stop: SIGTERM, SIGKILL at \+10s[\s\S]*exited 0/);
    expect(r.code).toBe(0);
  });

  it('removes its container on Ctrl-C', async () => {
    const child = spawn(process.execPath, [BIN, 'verify', image, '-C', 'examples/echo', '--as', 'k8s'], { cwd: ROOT, stdio: 'ignore' });
    const exited = new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    await waitFor('the verify container', async () => ((await verifyContainersLeft()) ? true : undefined), 30_000, 100);
    await new Promise((r) => setTimeout(r, 1000)); // inside the preStop sleep
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(await verifyContainersLeft()).toBe('');
  });
});

describe('verify fails, naming the check, on images built the wrong way', () => {
  it('a shell-form entrypoint keeps /bin/sh as PID 1: SIGKILL after the whole timeout, exit 137', async () => {
    const image = await dockerBuild(
      'shellform',
      'FROM scratch\nCOPY sh /bin/sh\nCOPY echo /app/echo\nUSER 65532:65532\nENTRYPOINT /app/echo; echo exited\n',
      { sh: '/bin/busybox', echo: await echoBinary() },
    );
    const { code, report } = await verify([image, '-C', os.tmpdir(), '--health', '9090/is_healthy/']);
    expect(status(report)['pid1-init']).toBe('fail');
    expect(report.checks.find((c) => c.id === 'pid1-init')!.measured).toMatch(/PID 1 is \/bin\/sh -c \/app\/echo; echo exited, not an init/);
    expect(status(report)['graceful-stop']).toBe('fail');
    expect(report.exitCode).toBe(137);
    expect(report.stopMs).toBeGreaterThanOrEqual(10_000);
    expect(report.checks.find((c) => c.id === 'graceful-stop')!.measured).toMatch(/exit 137 after 1\d\.\d\d s \(budget 10 s\): SIGKILLed/);
    expect(code).toBe(1);
  });

  it('a Go binary without a SIGTERM handler as PID 1, no init: exit 2', async () => {
    const image = await dockerBuild('nopid1init', 'FROM scratch\nCOPY echo /app/echo\nUSER 65532:65532\nENTRYPOINT ["/app/echo", "-no-signal-handler"]\n', {
      echo: await echoBinary(),
    });
    const { code, report } = await verify([image, '-C', os.tmpdir(), '--health', '9090/is_healthy/']);
    expect(status(report)['pid1-init']).toBe('fail');
    expect(report.checks.find((c) => c.id === 'pid1-init')!.measured).toMatch(/PID 1 is \/app\/echo -no-signal-handler, not an init/);
    expect(report.exitCode).toBe(2);
    expect(status(report)['graceful-stop']).toBe('fail');
    expect(status(report)['health-not-ready']).toBe('fail');
    expect(code).toBe(1);
  });

  it('a drain longer than the stop timeout: SIGKILL, the in-flight request is cut off', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'gdt-drain-'));
    cleanups.push(() => removeDir(dir));
    const image = `${TEST_REPO}/slowdrain:${uid()}`;
    cleanups.push(async () => void (await exec('docker', ['rmi', '-f', image])));
    await writeFile(
      path.join(dir, 'goneat-deploy.yaml'),
      `name: echo
image: { repository: ${TEST_REPO}/slowdrain, tag: x }
build: { binary: ${JSON.stringify(await echoBinary())} }
args: ["-drain", "30s"]
ports: [{ name: http, port: 8080 }, { name: admin, port: 9090 }]
health: { port: admin, path: /is_healthy/ }
verify: { inflightPath: "/slow?ms=8000", port: http }
shutdown: { drain: 1s, slack: 1s }
`,
    );
    expect((await runCli(['build', '-C', dir, '--tag', image])).code).toBe(0);
    const { code, report } = await verify([image, '-C', dir]);
    expect(status(report)['pid1-init']).toBe('pass');
    expect(status(report)['graceful-stop']).toBe('fail');
    expect(report.exitCode).toBe(137);
    expect(status(report)['inflight-completes']).toBe('fail');
    expect(report.checks.find((c) => c.id === 'graceful-stop')!.measured).toMatch(/budget 2 s\): SIGKILLed when the 2s timeout ended/);
    expect(code).toBe(1);
  });

  it('as k8s: a preStop exec hook the binary does not understand fails prestop-hook (FailedPreStopHook), with its exit and output', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'gdt-prestop-'));
    cleanups.push(() => removeDir(dir));
    const image = `${TEST_REPO}/prestopexec:${uid()}`;
    cleanups.push(async () => void (await exec('docker', ['rmi', '-f', image])));
    await writeFile(
      path.join(dir, 'goneat-deploy.yaml'),
      `name: echo
image: { repository: ${TEST_REPO}/prestopexec, tag: x }
build: { binary: ${JSON.stringify(await echoBinary())} }
args: ["-drain", "1s"]
ports: [{ name: http, port: 8080 }, { name: admin, port: 9090 }]
health: { port: admin, path: /is_healthy/ }
shutdown: { drain: 1s, preStop: 3s, slack: 1s }
kubernetes: { version: "1.29", preStopExec: ["/app/echo", "-sleeep", "3s"] }
`,
    );
    expect((await runCli(['build', '-C', dir, '--tag', image])).code).toBe(0);
    const { code, report } = await verify([image, '-C', dir, '--as', 'k8s']);
    const hook = report.checks.find((c) => c.id === 'prestop-hook')!;
    expect(hook.status).toBe('fail');
    expect(hook.measured).toMatch(/^exec \/app\/echo -sleeep 3s exited 2 after \d\.\d\d s \(.+\): the kubelet records FailedPreStopHook and sends SIGTERM at once, without the 3 s for endpoint removal$/);
    // The signal really came early: well before the 3 s the hook was meant to last.
    expect(report.timeline.find((e) => /SIGTERM to PID 1/.test(e.event))!.t).toBeLessThan(3000);
    expect(status(report)['graceful-stop']).toBe('pass');
    expect(code).toBe(1);
  });

  it('an image that runs as root', async () => {
    const image = await dockerBuild('root', 'FROM scratch\nCOPY tini /sbin/tini\nCOPY echo /app/echo\nENTRYPOINT ["/sbin/tini", "--", "/app/echo"]\n', {
      tini: '/usr/bin/tini-static',
      echo: await echoBinary(),
    });
    const { code, report } = await verify([image, '-C', os.tmpdir(), '--health', '9090/is_healthy/']);
    expect(status(report)['non-root']).toBe('fail');
    expect(report.checks.find((c) => c.id === 'non-root')!.measured).toMatch(/no USER: runs as root; UID 0: /);
    expect(status(report)['pid1-init']).toBe('pass');
    expect(status(report)['graceful-stop']).toBe('pass');
    expect(code).toBe(1);
  });

  it('an image that is not there is a usage error, and nothing is pulled', async () => {
    const r = await runCli(['verify', `${TEST_REPO}/nope:${uid()}`, '-C', os.tmpdir()]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/is not on the engine: build it first \(goneat-deploy build\); verify never pulls/);
  });
});
