/**
 * Ctrl-C and SIGTERM to goneat-deploy leave nothing half-written and nothing
 * running: build (during go build), generate (mid-write, at random moments).
 * verify is covered in verify.test.ts.
 */
import { spawn } from 'node:child_process';
import { cp, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generatedState } from '../../src/model/generated.js';
import { BIN, ROOT, runCli } from '../helpers/cli.js';
import { removeDir, TEST_REPO, uid } from '../helpers/docker.js';
import { exec } from '../helpers/exec.js';

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

function start(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<{ code: number | null; stderr: string }>((resolve) => child.on('close', (code) => resolve({ code, stderr })));
  return { child, done };
}

async function listAll(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) if (e.isFile()) out.push(path.join(e.parentPath ?? e.path, e.name));
  return out;
}

describe('interrupts', () => {
  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('%s during go build: exit %i, the go build is gone, no temp dir, no image', async (signal, exitCode) => {
    const gocache = await mkdtemp(path.join(os.tmpdir(), 'gdt-gocache-'));
    cleanups.push(() => removeDir(gocache));
    const tag = `${TEST_REPO}/echo:int-${uid()}`;
    const tempsBefore = (await readdir(os.tmpdir())).filter((n) => n.startsWith('goneat-deploy-build-'));
    // An empty GOCACHE makes go build compile the standard library: slow enough to interrupt.
    // Its own TMPDIR: nothing may be left in it, go's work directory (go-buildNNN) included.
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'gdt-tmp-'));
    cleanups.push(() => removeDir(tmp));
    const { child, done } = start(['build', '-C', 'examples/echo', '--tag', tag], { GOCACHE: gocache, CI: '1', TMPDIR: tmp });
    await new Promise((r) => setTimeout(r, 2500));
    const goBuilds = async () => (await exec('pgrep', ['-f', 'build -trimpath -buildvcs=false'])).stdout.trim();
    const compilers = async () => (await exec('sh', ['-c', `grep -l ${gocache} /proc/[0-9]*/environ 2>/dev/null | wc -l`])).stdout.trim();
    const goBefore = await goBuilds();
    const compilersBefore = Number(await compilers());
    child.kill(signal);
    const r = await done;
    expect(r.code).toBe(exitCode);
    expect(r.stderr.trim()).toBe(`goneat-deploy: interrupted by ${signal}; cleaned up`);
    await new Promise((res) => setTimeout(res, 500));
    expect(goBefore.length, 'go build was running when interrupted').toBeGreaterThan(0);
    expect(compilersBefore, 'go and its compilers had GOCACHE in their environment').toBeGreaterThan(0);
    expect(await goBuilds()).toBe('');
    expect(await compilers()).toBe('0');
    expect((await readdir(os.tmpdir())).filter((n) => n.startsWith('goneat-deploy-build-'))).toEqual(tempsBefore);
    expect(await readdir(tmp), 'nothing left in the build\'s TMPDIR').toEqual([]);
    expect((await exec('docker', ['image', 'inspect', tag])).code).not.toBe(0);
  });

  it('SIGTERM at random moments during generate all: every file is the old or the new one, whole', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'gdt-genint-'));
    cleanups.push(() => removeDir(dir));
    await cp(path.join(ROOT, 'examples/echo/goneat-deploy.yaml'), path.join(dir, 'goneat-deploy.yaml'));
    expect((await runCli(['generate', 'all', '-C', dir])).code).toBe(0);
    const v1 = new Map<string, string>();
    for (const f of await listAll(path.join(dir, 'deploy'))) v1.set(f, await readFile(f, 'utf8'));
    const config = await readFile(path.join(dir, 'goneat-deploy.yaml'), 'utf8');
    let interrupted = 0;
    for (let i = 0; i < 20; i++) {
      await writeFile(path.join(dir, 'goneat-deploy.yaml'), config.replace('drain: 5s', `drain: ${6 + i}s`));
      const { child, done } = start(['generate', 'all', '-C', dir]);
      setTimeout(() => child.kill('SIGTERM'), Math.floor(Math.random() * 250));
      const r = await done;
      // null: killed before the signal handlers were installed (nothing had started).
      expect([0, 143, null]).toContain(r.code);
      if (r.code === 143) interrupted++;
      const files = await listAll(path.join(dir, 'deploy'));
      expect(files.filter((f) => f.endsWith('.tmp'))).toEqual([]);
      expect(files.sort()).toEqual([...v1.keys()].sort());
      for (const f of files) expect(generatedState(await readFile(f, 'utf8')), f).toBe('generated');
    }
    expect(interrupted).toBeGreaterThan(0);
  });
});
