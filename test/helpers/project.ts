/** Test projects around the echo binary compiled once by the e2e global setup. */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expect, inject } from 'vitest';
import { runCli, type CliResult } from './cli.js';
import { composeDown, removeDir, tempDir, TEST_PREFIX, TEST_REPO, uid } from './docker.js';
import { exec } from './exec.js';

/** The echo binary compiled by the e2e global setup. */
export function echoBinary(): Promise<string> {
  return Promise.resolve(inject('echoBinary'));
}

export interface EchoOptions {
  name?: string;
  tag?: string;
  args?: string[];
  /** `publish` of the http (8080) and admin (9090) ports; undefined leaves the port unpublished. */
  http?: string | number;
  admin?: string | number;
  replicas?: number;
  /** Extra top-level YAML lines, e.g. `swarm: { publishMode: host }`. */
  extra?: string;
  startPeriod?: string;
  drain?: string;
}

/** A goneat-deploy.yaml for the prebuilt echo binary: health through its own -probe, drain 5s. */
export async function echoConfig(o: EchoOptions = {}): Promise<string> {
  const name = o.name ?? 'echo';
  const port = (portName: string, n: number, publish: string | number | undefined): string =>
    `  - { name: ${portName}, port: ${n}${publish === undefined ? '' : `, publish: ${JSON.stringify(publish)}`} }`;
  return [
    `name: ${name}`,
    `image: { repository: ${TEST_REPO}/${name}, tag: ${o.tag ?? `e2e-${uid()}`} }`,
    `build: { binary: ${JSON.stringify(await echoBinary())} }`,
    `args: ${JSON.stringify(o.args ?? ['-drain', '5s'])}`,
    ...(o.replicas !== undefined ? [`replicas: ${o.replicas}`] : []),
    ...(o.extra ? [o.extra] : []),
    'ports:',
    port('http', 8080, 'http' in o ? o.http : '127.0.0.1:0'),
    port('admin', 9090, 'admin' in o ? o.admin : '127.0.0.1:0'),
    'health:',
    '  port: admin',
    '  path: /is_healthy/',
    `  command: ["/app/${name}", "-probe", "http://127.0.0.1:9090/is_healthy/"]`,
    '  interval: 1s',
    '  timeout: 1s',
    `  startPeriod: ${o.startPeriod ?? '1s'}`,
    `shutdown: { drain: ${o.drain ?? '5s'} }`,
    '',
  ].join('\n');
}

/** A project dir holding a goneat-deploy.yaml for the prebuilt echo binary, on free 127.0.0.1 ports. */
export async function echoProject(overrides: EchoOptions & { yaml?: string } = {}): Promise<{ dir: string; config: string; tag: string; image: string }> {
  const dir = await tempDir('gdt-proj-');
  const name = overrides.name ?? 'echo';
  const tag = overrides.tag ?? `e2e-${uid()}`;
  const config = overrides.yaml ?? (await echoConfig({ ...overrides, tag }));
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'goneat-deploy.yaml'), config);
  return { dir, config, tag, image: `${TEST_REPO}/${name}:${tag}` };
}

/**
 * An echo project built with `goneat-deploy build` and given a compose file by
 * `generate compose`, with a fresh compose project name. Registers the cleanups
 * (compose down, the image, the dir); starting it is left to the test.
 */
export async function echoComposeProject(
  cleanups: Array<() => Promise<void>>,
  options: EchoOptions & { /** The Compose that will run it (for the cleanup's `down`); default: compose(). */ compose?: string[] } = {},
): Promise<{ dir: string; image: string; file: string; project: string; build: CliResult }> {
  const p = await echoProject(options);
  cleanups.push(() => removeDir(p.dir));
  cleanups.push(async () => void (await exec('docker', ['rmi', '-f', p.image])));
  const build = await runCli(['build', '-C', p.dir]);
  expect(build.code, build.stderr).toBe(0);
  const g = await runCli(['generate', 'compose', '-C', p.dir]);
  expect(g.code, g.stderr).toBe(0);
  const file = path.join(p.dir, 'compose.yaml');
  const project = `${TEST_PREFIX}${uid()}`;
  cleanups.push(() => composeDown(project, file, options.compose));
  return { dir: p.dir, image: p.image, file, project, build };
}
