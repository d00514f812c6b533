/**
 * The CLI in-process, the way cspell and changesets test theirs: argv through
 * the same commander program and error reporting the bin uses (src/bin.ts
 * `run`), with the working directory, environment and output streams
 * injected. Same result shape as the spawned runCli (./cli.ts), which the
 * integration and e2e tests keep using against the bundle.
 */
import { Writable } from 'node:stream';
import { run } from '../../src/bin.js';
import type { CliResult } from './cli.js';
import { ROOT } from './cli.js';

function capture(): Writable & { text: string; isTTY: boolean } {
  const w = new Writable({
    write(chunk: Buffer | string, _enc, cb) {
      w.text += chunk.toString();
      cb();
    },
  }) as Writable & { text: string; isTTY: boolean };
  w.text = '';
  w.isTTY = false;
  return w;
}

/** CI=1 unless overridden (no spinners, no prompts); env values undefined are removed, as for a child process. */
export async function runInProcess(args: string[], opts: { cwd?: string; env?: Record<string, string | undefined>; signal?: AbortSignal } = {}): Promise<CliResult> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...process.env, CI: '1', ...opts.env })) if (v !== undefined) env[k] = v;
  const stdout = capture();
  const stderr = capture();
  const code = await run(args, { stdout, stderr, stdin: { isTTY: false }, env, cwd: opts.cwd ?? ROOT, signal: opts.signal ?? new AbortController().signal });
  return { code, stdout: stdout.text, stderr: stderr.text };
}
