/** Runs the real CLI (bin/goneat-deploy.js → dist/) as a child process. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { exec } from './exec.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = path.join(ROOT, 'bin', 'goneat-deploy.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** CI=1 unless overridden: no spinners, no prompts. */
export function runCli(args: string[], opts: { cwd?: string; env?: Record<string, string | undefined>; input?: string; timeoutMs?: number } = {}): Promise<CliResult> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...process.env, CI: '1', ...opts.env })) if (v !== undefined) env[k] = v;
  return exec(process.execPath, [BIN, ...args], { cwd: opts.cwd ?? ROOT, env, replaceEnv: true, ...(opts.input !== undefined ? { input: opts.input } : {}), ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}) });
}
