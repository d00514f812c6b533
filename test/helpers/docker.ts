/**
 * Real Docker Engine helpers for end-to-end tests. Everything a test makes is
 * named with the `gdt-` prefix (compose projects, containers, networks) or the
 * `goneat-test/` repository (images), so teardown can find and remove it,
 * also after a failure.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { exec, run } from './exec.js';
import { detectCompose } from '../../src/runtime/compose.js';
import { ROOT } from './cli.js';

export const TEST_REPO = 'goneat-test';
export const TEST_PREFIX = 'gdt-';
export const TEST_LABEL = 'io.goneat-deploy.test';

export function uid(): string {
  return randomBytes(4).toString('hex');
}

let composeCmd: string[] | undefined;
/**
 * The Compose the tests use by default: what the CLI would pick (src/runtime/compose.ts), `docker
 * compose` (v2) when present, else `docker-compose` (v1). test/e2e/compose.test.ts runs both.
 */
export async function compose(): Promise<string[]> {
  if (!composeCmd) {
    const tool = await detectCompose();
    if (!tool) throw new Error('neither `docker compose` nor `docker-compose` runs here: run scripts/ensure-env.sh');
    composeCmd = tool.argv;
  }
  return composeCmd;
}

/** The command lines of both Compose generations, as scripts/ensure-env.sh installs them. */
export const COMPOSE_V2 = ['docker', 'compose'];
export const COMPOSE_V1 = ['docker-compose'];

export async function composeRun(project: string, file: string, args: string[], timeoutMs = 120_000, tool?: string[]): Promise<string> {
  const [cmd, ...pre] = tool ?? (await compose());
  return run(cmd!, [...pre, '-p', project, '-f', file, ...args], { timeoutMs, cwd: path.dirname(file) });
}

export async function composeDown(project: string, file: string, tool?: string[]): Promise<void> {
  const [cmd, ...pre] = tool ?? (await compose());
  await exec(cmd!, [...pre, '-p', project, '-f', file, 'down', '--remove-orphans', '-t', '30'], { cwd: path.dirname(file) });
}

export async function inspect<T = Record<string, unknown>>(id: string): Promise<T> {
  return (JSON.parse(await run('docker', ['inspect', id])) as T[])[0]!;
}

/** Host port a container port is published on (127.0.0.1 only). */
export async function hostPort(container: string, port: number): Promise<number> {
  const out = await run('docker', ['port', container, `${port}/tcp`]);
  const line = out.split('\n').find((l) => l.startsWith('127.0.0.1:'));
  if (!line) throw new Error(`port ${port} of ${container} is not published on 127.0.0.1: ${out}`);
  return Number(line.split(':')[1]);
}

export async function httpGet(url: string, timeoutMs = 10_000): Promise<{ status: number; body: string }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  return { status: res.status, body: await res.text() };
}

export async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 30_000, intervalMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

export async function waitHealthy(port: number, timeoutMs = 30_000): Promise<void> {
  await waitFor(`127.0.0.1:${port}/is_healthy/ to answer 200`, async () => ((await httpGet(`http://127.0.0.1:${port}/is_healthy/`, 2000)).status === 200 ? true : undefined), timeoutMs);
}

/** docker top as rows of {pid, ppid, user, tty, args}. */
export async function top(container: string): Promise<Array<{ pid: number; ppid: number; user: string; tty: string; args: string }>> {
  const out = await run('docker', ['top', container, '-eo', 'pid,ppid,user,tty,stat,args']);
  return out
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => {
      const [pid, ppid, user, tty, stat, ...args] = l.trim().split(/\s+/);
      return { pid: Number(pid), ppid: Number(ppid), user: user!, tty: tty!, stat: stat!, args: args.join(' ') };
    });
}

export async function tempDir(prefix = 'gdt-'): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), prefix));
}

/** Compiles examples/echo into a temp dir (the e2e global setup does this once). */
export async function compileEchoBinary(): Promise<string> {
  const dir = await tempDir('gdt-echo-bin-');
  const out = path.join(dir, 'echo');
  await run('go', ['build', '-trimpath', '-ldflags=-s -w -buildid=', '-o', out, '.'], {
    cwd: path.join(ROOT, 'examples', 'echo'),
    env: { CGO_ENABLED: '0', GOOS: 'linux' },
  });
  return out;
}

/** Removes every container, network and image the tests made. */
export async function sweep(): Promise<void> {
  const containers = (await exec('docker', ['ps', '-aq', '--filter', `label=${TEST_LABEL}`])).stdout.split('\n').filter(Boolean);
  const byName = (await exec('docker', ['ps', '-aq', '--filter', `name=${TEST_PREFIX}`])).stdout.split('\n').filter(Boolean);
  const byImage = (await exec('docker', ['ps', '-a', '--format', '{{.ID}} {{.Image}}'])).stdout
    .split('\n')
    .filter((l) => l.includes(` ${TEST_REPO}/`))
    .map((l) => l.split(' ')[0]!);
  const all = [...new Set([...containers, ...byName, ...byImage])];
  if (all.length) await exec('docker', ['rm', '-f', ...all]);
  const nets = (await exec('docker', ['network', 'ls', '-q', '--filter', `name=${TEST_PREFIX}`])).stdout.split('\n').filter(Boolean);
  if (nets.length) await exec('docker', ['network', 'rm', ...nets]);
  const images = (await exec('docker', ['images', '--format', '{{.Repository}}:{{.Tag}}', '--filter', `reference=${TEST_REPO}/*`])).stdout
    .split('\n')
    .filter((l) => l && !l.endsWith(':<none>'));
  if (images.length) await exec('docker', ['rmi', '-f', ...images]);
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}
