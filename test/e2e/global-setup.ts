/**
 * The e2e suite needs a real Docker Engine (scripts/ensure-env.sh starts one).
 * Setup builds the example binary once for every test file; teardown sweeps
 * everything named for tests, also when a test failed midway.
 *
 * The engine matrix: GONEAT_TEST_ENGINE=20.10|26.1 names the engine the run
 * must be talking to (DOCKER_HOST, else the default socket), checked here
 * against the engine's own version, so a run meant for one engine never
 * passes on another. 26.1 is scripts/engine.sh's, in its own network
 * namespace: the run must be inside it (`scripts/engine.sh exec npx vitest
 * ...`), or the ports its containers publish on 127.0.0.1 are unreachable.
 */
import { readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { exec } from '../helpers/exec.js';
import { compileEchoBinary, sweep } from '../helpers/docker.js';

/** The engine under test, for tests whose expectations differ by API version. */
export interface EngineInfo {
  /** "20.10.24+dfsg1", "26.1.5+dfsg1". */
  version: string;
  /** The engine's own (newest) API version: "1.41", "1.45". */
  apiVersion: string;
  /**
   * Where it keeps images: the graph driver (overlay2; image ID = the config's digest), or containerd's
   * image store (the containerd-snapshotter feature, Engine 29's default; image ID = the manifest's or
   * index's digest).
   */
  imageStore: 'graphdriver' | 'containerd';
}

declare module 'vitest' {
  export interface ProvidedContext {
    echoBinary: string;
    engine: EngineInfo;
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

/** Throws unless this process is in the network namespace `ip netns` calls `name`. */
async function requireNetns(name: string): Promise<void> {
  const [ours, theirs] = await Promise.all([stat('/proc/self/ns/net'), stat(`/run/netns/${name}`).catch(() => undefined)]);
  if (!theirs) throw new Error(`network namespace ${name} does not exist: start the engine with scripts/engine.sh start`);
  if (ours.ino !== theirs.ino || ours.dev !== theirs.dev) {
    throw new Error(`the engine publishes ports in network namespace ${name}, and this run is outside it: run it as scripts/engine.sh exec npx vitest ...`);
  }
}

export async function setup(project: TestProject): Promise<void> {
  const info = await exec('docker', ['version', '--format', '{{.Server.Version}} {{.Server.APIVersion}}']);
  if (info.code !== 0) throw new Error(`e2e tests need a running Docker Engine (run scripts/ensure-env.sh): ${info.stderr.trim()}`);
  const [version = '', apiVersion = ''] = info.stdout.trim().split(' ');
  const wanted = process.env.GONEAT_TEST_ENGINE;
  if (wanted && !version.startsWith(`${wanted}.`)) {
    throw new Error(`GONEAT_TEST_ENGINE=${wanted}, but the engine at ${process.env.DOCKER_HOST ?? 'the default socket'} is ${version}`);
  }
  if (process.env.GONEAT_ENGINE_NETNS) await requireNetns(process.env.GONEAT_ENGINE_NETNS);
  const driverStatus = (await exec('docker', ['info', '--format', '{{json .DriverStatus}}'])).stdout;
  const imageStore = driverStatus.includes('io.containerd.snapshotter') ? 'containerd' : 'graphdriver';
  project.provide('engine', { version, apiVersion, imageStore });
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
