/**
 * The e2e suite needs a real Docker Engine (scripts/ensure-env.sh starts one).
 * Setup builds the example binary once for every test file; teardown sweeps
 * everything named for tests, also when a test failed midway.
 */
import { readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { exec } from '../helpers/exec.js';
import { compileEchoBinary, sweep } from '../helpers/docker.js';

declare module 'vitest' {
  export interface ProvidedContext {
    echoBinary: string;
  }
}

async function removeTempDirs(): Promise<void> {
  for (const name of await readdir(os.tmpdir())) {
    if (name.startsWith('gdt-')) await rm(path.join(os.tmpdir(), name), { recursive: true, force: true });
  }
}

/**
 * GONEAT_TEST_NO_SWEEP=1 skips the sweeps: for running one e2e file beside
 * another run on the same engine, whose containers and temp dirs a sweep
 * would remove mid-test. Each test still removes what it made.
 */
const SWEEP = process.env.GONEAT_TEST_NO_SWEEP !== '1';

export async function setup(project: TestProject): Promise<void> {
  const info = await exec('docker', ['info', '--format', '{{.ServerVersion}}']);
  if (info.code !== 0) throw new Error(`e2e tests need a running Docker Engine (run scripts/ensure-env.sh): ${info.stderr.trim()}`);
  if (SWEEP) {
    await sweep();
    await removeTempDirs();
  }
  project.provide('echoBinary', await compileEchoBinary());
}

export async function teardown(): Promise<void> {
  if (!SWEEP) return;
  await sweep();
  await removeTempDirs();
}
