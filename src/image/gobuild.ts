/**
 * Builds the service binary the way ko does: static (CGO_ENABLED=0),
 * -trimpath, no build ID, so the same source gives the same bytes.
 */
import { spawn } from 'node:child_process';
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
  const env = { ...process.env, CGO_ENABLED: '0', GOOS: 'linux', GOARCH: input.arch, GOFLAGS: process.env.GOFLAGS ?? '' };
  await new Promise<void>((resolve, reject) => {
    const child = spawn('go', args, { cwd: input.dir, env, stdio: ['ignore', 'pipe', 'pipe'], ...(input.signal ? { signal: input.signal } : {}) });
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') {
        reject(new RuntimeError('go not found on PATH: install Go (Debian: `apt-get install golang-go`) or pass a prebuilt static binary with --binary'));
      } else if (err.name === 'AbortError') {
        reject(err);
      } else reject(new RuntimeError(`go build: ${err.message}`));
    });
    child.on('close', (code) => {
      if (code === 0) return resolve();
      const lines = stderr.trim().split('\n').filter(Boolean);
      reject(
        new RuntimeError(
          `go build of ${input.main} in ${path.relative(process.cwd(), input.dir) || '.'} failed (exit ${code})${lines[0] ? `: ${lines[0]}` : ''}`,
          lines.slice(1, 20),
        ),
      );
    });
  });
}
