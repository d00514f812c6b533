/** Test projects around the echo binary compiled once by the e2e global setup. */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { inject } from 'vitest';
import { tempDir, TEST_REPO, uid } from './docker.js';

/** The echo binary compiled by the e2e global setup. */
export function echoBinary(): Promise<string> {
  return Promise.resolve(inject('echoBinary'));
}

/** A project dir holding a goneat-deploy.yaml for the prebuilt echo binary, on free 127.0.0.1 ports. */
export async function echoProject(overrides: { name?: string; yaml?: string; args?: string[] } = {}): Promise<{ dir: string; config: string; tag: string; image: string }> {
  const binary = await echoBinary();
  const dir = await tempDir('gdt-proj-');
  const name = overrides.name ?? 'echo';
  const tag = `e2e-${uid()}`;
  const args = overrides.args ?? ['-drain', '5s'];
  const config =
    overrides.yaml ??
    `name: ${name}
image: { repository: ${TEST_REPO}/${name}, tag: ${tag} }
build: { binary: ${JSON.stringify(binary)} }
args: ${JSON.stringify(args)}
ports:
  - { name: http, port: 8080, publish: "127.0.0.1:0" }
  - { name: admin, port: 9090, publish: "127.0.0.1:0" }
health:
  port: admin
  path: /is_healthy/
  command: ["/app/${name}", "-probe", "http://127.0.0.1:9090/is_healthy/"]
  interval: 1s
  timeout: 1s
  startPeriod: 1s
shutdown: { drain: 5s }
`;
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'goneat-deploy.yaml'), config);
  return { dir, config, tag, image: `${TEST_REPO}/${name}:${tag}` };
}

