/**
 * Figures the reliability tests measured, written to .tmp/reliability/<name>.json
 * so `npm run soak` can put them in docs/reliability.md.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ROOT } from './cli.js';

export const SOAK = process.env.GONEAT_SOAK === '1';

export async function record(name: string, data: Record<string, unknown>): Promise<void> {
  const dir = path.join(ROOT, '.tmp', 'reliability');
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, `${name}.json`), `${JSON.stringify({ ...data, soak: SOAK, at: new Date().toISOString() }, null, 2)}\n`);
}
