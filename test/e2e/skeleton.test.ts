/**
 * The walking skeleton on a real Docker Engine: build examples/echo, run it
 * detached with compose, stop it gracefully — and in the foreground.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import {
  compose,
  composeRun,

  hostPort,
  httpGet,
  inspect,
  TEST_REPO,
  top,
  uid,
  waitFor,
  waitHealthy,
} from '../helpers/docker.js';
import { exec, run } from '../helpers/exec.js';
import { echoComposeProject } from '../helpers/project.js';
import { imageFiles } from '../helpers/tar.js';

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

describe('goneat-deploy build of examples/echo (from Go source)', () => {
  const image = `${TEST_REPO}/echo:build-${uid()}`;
  let result: { image: string; id: string; size: number; binarySize: number; overhead: number };

  beforeAll(async () => {
    cleanups.push(async () => void (await exec('docker', ['rmi', '-f', image])));
    const r = await runCli(['build', '-C', 'examples/echo', '--tag', image, '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    result = JSON.parse(r.stdout);
  });

  it('reports the image, its ID and size', () => {
    expect(result.image).toBe(image);
    expect(result.id).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(result.size).toBeGreaterThan(result.binarySize);
  });

  it('runs tini as PID 1 in exec form, as a numeric non-root user, stopping on SIGTERM', async () => {
    const i = await inspect<{ Config: { Entrypoint: string[]; Cmd: string[] | null; User: string; StopSignal: string; Labels: Record<string, string> } }>(image);
    expect(i.Config.Entrypoint).toEqual(['/sbin/tini', '--', '/app/echo', '-drain', '5s']);
    expect(i.Config.Cmd).toBeNull();
    expect(i.Config.User).toBe('65532:65532');
    expect(i.Config.StopSignal).toBe('SIGTERM');
    const tiniSha = createHash('sha256').update(readFileSync('/usr/bin/tini-static')).digest('hex');
    expect(i.Config.Labels['io.goneat-deploy.tini.sha256']).toBe(tiniSha);
  });

  it('holds no shell: only tini, the binary, passwd/group, /tmp, the CA bundle and the SBOM', async () => {
    const files = await imageFiles(image);
    // image.certificates defaults to true (the host's CA bundle, issue 16); the SPDX SBOM is always in the image.
    expect(files.sort()).toEqual([
      'app/', 'app/echo', 'etc/', 'etc/group', 'etc/passwd',
      'etc/ssl/', 'etc/ssl/certs/', 'etc/ssl/certs/ca-certificates.crt',
      'sbin/', 'sbin/tini', 'tmp/',
      'usr/', 'usr/share/', 'usr/share/doc/', 'usr/share/doc/goneat-deploy/', 'usr/share/doc/goneat-deploy/sbom.spdx.json',
    ]);
    expect(files).not.toContain('bin/sh');
  });

  it('adds less than 1 MB on top of the binary', () => {
    expect(result.size - result.binarySize).toBeLessThan(1_000_000);
    expect(result.overhead).toBe(result.size - result.binarySize);
  });
});

describe('docker compose up -d with the generated compose file', () => {
  let project: string;
  let composeFile: string;
  let container: string;
  let httpPort: number;
  let adminPort: number;

  beforeAll(async () => {
    const p = await echoComposeProject(cleanups);
    expect(p.build.stderr).toBe('');
    expect(p.build.stdout.trim()).toBe(p.image);
    composeFile = p.file;
    project = p.project;
    await composeRun(project, composeFile, ['up', '-d']);
    container = (await composeRun(project, composeFile, ['ps', '-q', 'echo'])).trim();
    httpPort = await hostPort(container, 8080);
    adminPort = await hostPort(container, 9090);
    await waitHealthy(adminPort);
  });

  it('runs tini as PID 1 with the service as its child, with no TTY', async () => {
    const state = await inspect<{ State: { Pid: number }; Config: { Tty: boolean; OpenStdin: boolean; AttachStdin: boolean }; HostConfig: { Init: boolean | null; ReadonlyRootfs: boolean; CapDrop: string[] } }>(container);
    const procs = await top(container);
    const pid1 = procs.find((p) => p.pid === state.State.Pid)!;
    expect(pid1.args).toBe('/sbin/tini -- /app/echo -drain 5s');
    const children = procs.filter((p) => p.ppid === state.State.Pid);
    expect(children.map((c) => c.args)).toEqual(['/app/echo -drain 5s']);
    expect(procs.every((p) => p.tty === '?')).toBe(true);
    expect(procs.every((p) => p.user === '65532')).toBe(true);
    expect(state.Config.Tty).toBe(false);
    expect(state.Config.OpenStdin).toBe(false);
    expect(state.HostConfig.Init).toBe(false);
    expect(state.HostConfig.ReadonlyRootfs).toBe(true);
    expect(state.HostConfig.CapDrop).toEqual(['ALL']);
  });

  it('answers /is_healthy/ with 200 on 127.0.0.1', async () => {
    expect((await httpGet(`http://127.0.0.1:${adminPort}/is_healthy/`)).status).toBe(200);
    expect((await httpGet(`http://127.0.0.1:${httpPort}/`)).status).toBe(200);
  });

  it('finishes a request in flight when stopped, exits 0, within drain + 2 s', async () => {
    const slow = httpGet(`http://127.0.0.1:${httpPort}/slow?ms=2000`, 15_000);
    await new Promise((r) => setTimeout(r, 300));
    const started = Date.now();
    await composeRun(project, composeFile, ['stop']);
    const stopMs = Date.now() - started;
    const res = await slow;
    expect(res.status).toBe(200);
    expect(res.body).toContain('slept 2000ms');
    const state = await inspect<{ State: { ExitCode: number; OOMKilled: boolean } }>(container);
    expect(state.State.ExitCode).toBe(0);
    expect(stopMs).toBeLessThan(5_000 + 2_000);
    const logs = await run('docker', ['logs', container]);
    expect(logs).toMatch(/received terminated: shutting down/);
    expect(logs).toMatch(/drained; exiting 0/);
  });
});

describe('foreground mode: docker compose up, attached, then Ctrl-C', () => {
  it('stops the service gracefully with exit 0', async () => {
    const { dir, file, project } = await echoComposeProject(cleanups);

    const [cmd, ...pre] = await compose();
    const up = spawn(cmd!, [...pre, '-p', project, '-f', file, 'up', '--no-color'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    up.stdout.on('data', (d: Buffer) => (output += d.toString()));
    up.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => up.on('close', (code) => resolve(code)));

    const container = await waitFor('the container to start', async () => (await composeRun(project, file, ['ps', '-q', 'echo'])).trim() || undefined);
    const admin = await waitFor('the admin port', () => hostPort(container, 9090));
    await waitHealthy(admin);
    up.kill('SIGINT');
    await exited;
    const state = await inspect<{ State: { Running: boolean; ExitCode: number } }>(container);
    expect(state.State.Running).toBe(false);
    expect(state.State.ExitCode).toBe(0);
    expect(output).toMatch(/Gracefully stopping/);
    expect(await run('docker', ['logs', container])).toMatch(/received interrupt: shutting down|received terminated: shutting down/);
    expect(await run('docker', ['logs', container])).toMatch(/drained; exiting 0/);
  });
});
