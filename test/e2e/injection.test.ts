/**
 * User values with quotes, $, %, spaces and YAML/XML metacharacters reach the
 * real runtimes unchanged: the Docker Engine's build (Dockerfile exec form,
 * LABEL, ENV) and compose's interpolation.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { composeDown, composeRun, inspect, removeDir, TEST_PREFIX, TEST_REPO, uid } from '../helpers/docker.js';
import { exec } from '../helpers/exec.js';
import { echoBinary } from '../helpers/project.js';

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

const NASTY = [
  'with space',
  `it's "quoted"`,
  '$HOME and ${PATH} and $$',
  '100% %n',
  '<xml> & </xml>',
  'key: value # not a comment',
  '- [a, b] {c: d} *alias &anchor',
  'back\\slash\\',
  '',
  'tab\there',
];

describe('nasty user values through a real build and a real compose', () => {
  it('arrive unchanged in the image (ENTRYPOINT, LABEL, ENV) and the container (environment)', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'gdt-inj-'));
    cleanups.push(() => removeDir(dir));
    const tag = `inj-${uid()}`;
    const image = `${TEST_REPO}/inj:${tag}`;
    cleanups.push(async () => void (await exec('docker', ['rmi', '-f', image])));
    const description = `say "hi" to $USER at 100% <b>`;
    await writeFile(
      path.join(dir, 'goneat-deploy.yaml'),
      `name: inj
description: ${JSON.stringify(description)}
image: { repository: ${TEST_REPO}/inj, tag: ${tag} }
build: { binary: ${JSON.stringify(await echoBinary())} }
args: ${JSON.stringify(NASTY)}
env:
${NASTY.map((v, i) => `  V${i}: ${JSON.stringify(v)}`).join('\n')}
`,
    );
    const b = await runCli(['build', '-C', dir]);
    expect(b.stderr).toBe('');
    expect(b.code).toBe(0);
    const img = await inspect<{ Config: { Entrypoint: string[]; Env: string[]; Labels: Record<string, string> } }>(image);
    expect(img.Config.Entrypoint).toEqual(['/sbin/tini', '--', '/app/inj', ...NASTY]);
    expect(img.Config.Labels['org.opencontainers.image.description']).toBe(description);
    for (const [i, v] of NASTY.entries()) expect(img.Config.Env).toContain(`V${i}=${v}`);

    const g = await runCli(['generate', 'compose', '-C', dir]);
    expect(g.code).toBe(0);
    const file = path.join(dir, 'compose.yaml');
    const project = `${TEST_PREFIX}${uid()}`;
    cleanups.push(() => composeDown(project, file));
    await composeRun(project, file, ['up', '--no-start']);
    const id = (await composeRun(project, file, ['ps', '-a', '-q'])).trim();
    const container = await inspect<{ Config: { Env: string[] } }>(id);
    for (const [i, v] of NASTY.entries()) expect(container.Config.Env).toContain(`V${i}=${v}`);
  });
});
