/** A real Docker registry (Debian's docker-registry) on 127.0.0.1, with htpasswd auth, for push tests. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import bcrypt from 'bcryptjs';
import { removeDir, waitFor } from './docker.js';

export interface TestRegistry {
  host: string;
  user: string;
  password: string;
  /** A DOCKER_CONFIG directory holding the login for this registry. */
  dockerConfig: string;
  /** A DOCKER_CONFIG directory without it. */
  emptyDockerConfig: string;
  stop: () => Promise<void>;
}

export async function startRegistry(): Promise<TestRegistry> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'gdt-registry-'));
  const port = 40000 + Math.floor(Math.random() * 10000);
  const host = `127.0.0.1:${port}`;
  const user = 'goneat';
  const password = 'test-password';
  await writeFile(path.join(dir, 'htpasswd'), `${user}:${bcrypt.hashSync(password, 8)}\n`);
  await writeFile(
    path.join(dir, 'config.yml'),
    `version: 0.1
log: {level: error}
storage:
  filesystem: {rootdirectory: ${dir}/data}
http:
  addr: ${host}
  secret: goneat-test
auth:
  htpasswd: {realm: goneat-test, path: ${dir}/htpasswd}
`,
  );
  const child: ChildProcess = spawn('docker-registry', ['serve', path.join(dir, 'config.yml')], { stdio: 'ignore' });
  await waitFor('the registry', async () => ((await fetch(`http://${host}/v2/`).catch(() => undefined))?.status === 401 ? true : undefined), 15_000);
  const dockerConfig = path.join(dir, 'docker-config');
  const emptyDockerConfig = path.join(dir, 'docker-config-empty');
  await mkdir(dockerConfig);
  await mkdir(emptyDockerConfig);
  await writeFile(path.join(dockerConfig, 'config.json'), JSON.stringify({ auths: { [host]: { auth: Buffer.from(`${user}:${password}`).toString('base64') } } }));
  await writeFile(path.join(emptyDockerConfig, 'config.json'), '{}');
  return {
    host,
    user,
    password,
    dockerConfig,
    emptyDockerConfig,
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 200));
      await removeDir(dir);
    },
  };
}
