/**
 * globalSetup of the unit and integration projects: one temp directory for the whole run, handed to the
 * test workers as GONEAT_TEST_TMP and removed when the run ends. Helpers that keep files for the life of a
 * worker (test/helpers/elf.ts) put them there: a worker's own 'exit' handler does not run when Vitest
 * ends its pool, which left a directory per worker in /tmp after every run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export default function setup(): () => void {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gd-run-'));
  process.env.GONEAT_TEST_TMP = dir;
  return () => rmSync(dir, { recursive: true, force: true });
}
