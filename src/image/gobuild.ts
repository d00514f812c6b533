/**
 * Builds the service binary the way ko does: static (CGO_ENABLED=0),
 * -trimpath, no build ID, so the same source gives the same bytes.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { RuntimeError } from '../errors.js';
import type { Arch } from './elf.js';

export interface GoBuildInput {
  /** Directory the config lives in: the Go command runs there. */
  dir: string;
  /** Main package, relative to dir ("." or "./cmd/server"). */
  main: string;
  ldflags: string;
  tags: string[];
  arch: Arch;
  out: string;
  /** The environment go runs with (CGO_ENABLED, GOOS, GOARCH are set over it). */
  env?: Record<string, string | undefined>;
  /** For the directory named in errors. */
  cwd?: string;
  signal?: AbortSignal;
}

export function goBuildArgs(input: GoBuildInput): string[] {
  const pkg = input.main === '.' || input.main.startsWith('./') || input.main.startsWith('../') ? input.main : `./${input.main}`;
  return [
    'build',
    '-trimpath',
    '-buildvcs=false',
    ...(input.tags.length ? ['-tags', input.tags.join(',')] : []),
    `-ldflags=${input.ldflags}`,
    '-o',
    input.out,
    pkg,
  ];
}

export async function goBuild(input: GoBuildInput): Promise<void> {
  const args = goBuildArgs(input);
  const base = input.env ?? process.env;
  // go's work directory in one of our own, removed however the build ends: an interrupt SIGKILLs go, which
  // then cannot remove its $WORK (a go-buildNNN directory was left in the temp dir by every interrupted build).
  const work = await mkdtemp(path.join(base.GOTMPDIR || os.tmpdir(), 'goneat-go-'));
  const env = { ...base, CGO_ENABLED: '0', GOOS: 'linux', GOARCH: input.arch, GOFLAGS: base.GOFLAGS ?? '', GOTMPDIR: work };
  try {
    await runGo(args, input, env);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

function runGo(args: string[], input: GoBuildInput, env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    // Its own process group, so an interrupt stops go and the compilers it started.
    const child = spawn('go', args, { cwd: input.dir, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const onAbort = () => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
      reject(input.signal!.reason);
    };
    if (input.signal?.aborted) return onAbort();
    input.signal?.addEventListener('abort', onAbort, { once: true });
    child.on('close', () => input.signal?.removeEventListener('abort', onAbort));
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') {
        reject(new RuntimeError('go not found on PATH: install Go (Debian: `apt-get install golang-go`) or pass a prebuilt static binary with --binary'));
      } else reject(new RuntimeError(`go build: ${err.message}`));
    });
    child.on('close', (code) => {
      if (code === 0) return resolve();
      // Go prints "# package" before its errors: lead with the first real error.
      const lines = stderr.trim().split('\n').filter((l) => l && !l.startsWith('#'));
      reject(
        new RuntimeError(
          `go build of ${input.main} in ${path.relative(input.cwd ?? process.cwd(), input.dir) || '.'} failed (exit ${code})${lines[0] ? `: ${lines[0]}` : ''}`,
          lines.slice(1, 20),
        ),
      );
    });
  });
}
