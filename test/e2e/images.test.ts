/**
 * Images you can trust: the same inputs give the same image ID; push through
 * the Engine API with the docker CLI's credentials to a real registry
 * (Debian's docker-registry on 127.0.0.1); generate pins by the pushed
 * digest; several platforms go up as a manifest list.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { copyFile, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parseElf } from '../../src/image/elf.js';
import { RegistryClient } from '../../src/image/registry.js';
import { ROOT, runCli } from '../helpers/cli.js';
import { inspect, removeDir, TEST_REPO, uid } from '../helpers/docker.js';
import { exec, run } from '../helpers/exec.js';
import { startRegistry, type TestRegistry } from '../helpers/registry.js';
import { echoBinary } from '../helpers/project.js';
import { untar } from '../helpers/tar.js';

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

describe('reproducible images', () => {
  it('building examples/echo twice from source gives the same image ID, byte for byte', async () => {
    const tag = `${TEST_REPO}/echo:repro-${uid()}`;
    cleanups.push(async () => void (await exec('docker', ['rmi', '-f', tag])));
    const ids: string[] = [];
    for (let i = 0; i < 2; i++) {
      const r = await runCli(['build', '-C', 'examples/echo', '--tag', tag, '--json'], { env: { SOURCE_DATE_EPOCH: '1700000000' } });
      expect(r.code).toBe(0);
      const out = JSON.parse(r.stdout) as { id: string; builder: string };
      expect(out.builder).toBe('assembled');
      ids.push(out.id);
    }
    expect(ids[0]).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(ids[1]).toBe(ids[0]);
    const img = await inspect<{ Id: string; Created: string }>(tag);
    expect(img.Id).toBe(ids[0]);
    expect(img.Created).toBe('2023-11-14T22:13:20Z'); // SOURCE_DATE_EPOCH, not the clock
    // A different epoch is a different image: the date really is in it.
    const other = await runCli(['build', '-C', 'examples/echo', '--tag', tag, '--json'], { env: { SOURCE_DATE_EPOCH: '1700000001' } });
    const otherId = (JSON.parse(other.stdout) as { id: string }).id;
    cleanups.push(async () => void (await exec('docker', ['rmi', '-f', ids[0]!, otherId])));
    expect(otherId).not.toBe(ids[0]);
  });

  it('the Dockerfile path builds the same runtime config (entrypoint, user, stop signal, labels, env)', async () => {
    const a = `${TEST_REPO}/echo:assembled-${uid()}`;
    const d = `${TEST_REPO}/echo:dockerfile-${uid()}`;
    cleanups.push(async () => void (await exec('docker', ['rmi', '-f', a, d])));
    expect((await runCli(['build', '-C', 'examples/echo', '--tag', a])).code).toBe(0);
    const r = await runCli(['build', '-C', 'examples/echo', '--tag', d, '--dockerfile', '--json']);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { builder: string }).builder).toBe('dockerfile');
    const ca = (await inspect<{ Config: Record<string, unknown> }>(a)).Config;
    const cd = (await inspect<{ Config: Record<string, unknown> }>(d)).Config;
    for (const k of ['Entrypoint', 'Cmd', 'User', 'StopSignal', 'Labels', 'Env', 'ExposedPorts', 'WorkingDir']) expect(ca[k], k).toEqual(cd[k]);
  });
});

describe('pushing to a registry', () => {
  let reg: TestRegistry;
  beforeAll(async () => {
    reg = await startRegistry();
    cleanups.push(() => reg.stop());
  });

  async function project(tag: string): Promise<string> {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'gdt-push-'));
    cleanups.push(() => removeDir(dir));
    const config = readFileSync(path.join(ROOT, 'examples/echo/goneat-deploy.yaml'), 'utf8')
      .replace('repository: goneat/echo', `repository: ${reg.host}/${TEST_REPO}/echo`)
      .replace('tag: dev', `tag: ${tag}`)
      .replace('main: .', `binary: ${JSON.stringify(await echoBinary())}`);
    await writeFile(path.join(dir, 'goneat-deploy.yaml'), config);
    return dir;
  }

  it('build --push uses the docker CLI credentials, prints the digest, and generate pins it', async () => {
    const tag = `t${uid()}`;
    const dir = await project(tag);
    const ref = `${reg.host}/${TEST_REPO}/echo:${tag}`;
    cleanups.push(async () => void (await exec('docker', ['rmi', '-f', ref])));
    const r = await runCli(['build', '-C', dir, '--push', '--json'], { env: { DOCKER_CONFIG: reg.dockerConfig } });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { digest: string; pinned: string };
    expect(out.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(out.pinned).toBe(`${ref}@${out.digest}`);

    // The registry serves that digest for the tag.
    const client = new RegistryClient({ registry: reg.host, name: `${TEST_REPO}/echo` }, { username: reg.user, password: reg.password, serveraddress: reg.host });
    const m = await client.getManifest(tag, ['application/vnd.docker.distribution.manifest.v2+json']);
    expect(m.digest).toBe(out.digest);

    // The lock file records it and every runtime target pins it.
    const lock = JSON.parse(await readFile(path.join(dir, 'goneat-deploy.lock.json'), 'utf8')) as { digest: string };
    expect(lock.digest).toBe(out.digest);
    const k8s = await runCli(['generate', 'k8s', '-C', dir, '-o', '-']);
    expect(k8s.stdout).toMatch(new RegExp(`image: "?${`${ref}@${out.digest}`.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"?\n`));
    const compose = await runCli(['generate', 'compose', '-C', dir, '-o', '-']);
    expect(compose.stdout).toMatch(new RegExp(`image: "?${`${ref}@${out.digest}`.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"?\n`));

    // A real client pulls it back by digest.
    await run('docker', ['rmi', '-f', ref]);
    await run('docker', ['--config', reg.dockerConfig, 'pull', `${ref}@${out.digest}`]);
    cleanups.push(async () => void (await exec('docker', ['rmi', '-f', `${ref}@${out.digest}`])));
  });

  it('without credentials, the push fails with a login hint (exit 1)', async () => {
    const tag = `t${uid()}`;
    const ref = `${reg.host}/${TEST_REPO}/echo:${tag}`;
    cleanups.push(async () => void (await exec('docker', ['rmi', '-f', ref])));
    const r = await runCli(['build', '-C', 'examples/echo', '--tag', ref, '--push'], { env: { DOCKER_CONFIG: reg.emptyDockerConfig } });
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(new RegExp(`log in first: docker login ${reg.host.replace(/\./g, '\\.')}`));
  });

  it('--platform linux/amd64,linux/arm64 pushes a manifest list with both, each with its own tini and binary', async () => {
    const tiniArm64 = execFileSync(path.join(ROOT, 'scripts/fetch-tini.sh'), ['arm64'], { encoding: 'utf8' }).trim();
    const tag = `multi${uid()}`;
    const ref = `${reg.host}/${TEST_REPO}/echo:${tag}`;
    cleanups.push(async () => void (await exec('docker', ['rmi', '-f', ref])));
    // Built from the Go source, once per architecture, in a copy of the example (the lock file lands there).
    const dir = await project(tag);
    for (const f of ['main.go', 'go.mod']) await copyFile(path.join(ROOT, 'examples/echo', f), path.join(dir, f));
    await writeFile(path.join(dir, 'goneat-deploy.yaml'), (await readFile(path.join(dir, 'goneat-deploy.yaml'), 'utf8')).replace(/binary: .*/, 'main: .'));
    const r = await runCli(['build', '-C', dir, '--tag', ref, '--platform', 'linux/amd64,linux/arm64', '--push', '--json'], {
      env: { DOCKER_CONFIG: reg.dockerConfig, GONEAT_TINI_ARM64: tiniArm64 },
      timeoutMs: 300_000,
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { digest: string; platforms: Array<{ platform: string; imageId: string; manifestDigest: string }> };
    expect(out.platforms.map((p) => p.platform)).toEqual(['linux/amd64', 'linux/arm64']);
    expect(JSON.parse(await readFile(path.join(dir, 'goneat-deploy.lock.json'), 'utf8'))).toMatchObject({ digest: out.digest, platforms: ['linux/amd64', 'linux/arm64'] });

    const client = new RegistryClient({ registry: reg.host, name: `${TEST_REPO}/echo` }, { username: reg.user, password: reg.password, serveraddress: reg.host });
    const index = await client.getManifest(tag, ['application/vnd.docker.distribution.manifest.list.v2+json']);
    expect(index.mediaType).toBe('application/vnd.docker.distribution.manifest.list.v2+json');
    expect(index.digest).toBe(out.digest);
    const list = JSON.parse(index.body.toString()) as { manifests: Array<{ digest: string; platform: { architecture: string; os: string } }> };
    expect(list.manifests.map((m) => `${m.platform.os}/${m.platform.architecture}`)).toEqual(['linux/amd64', 'linux/arm64']);

    for (const entry of list.manifests) {
      const m = JSON.parse((await client.getManifest(entry.digest, ['application/vnd.docker.distribution.manifest.v2+json'])).body.toString()) as {
        config: { digest: string };
        layers: Array<{ digest: string }>;
      };
      const config = JSON.parse((await client.getBlob(m.config.digest)).toString()) as { architecture: string; config: { Entrypoint: string[]; User: string } };
      expect(config.architecture).toBe(entry.platform.architecture);
      expect(config.config.Entrypoint.slice(0, 2)).toEqual(['/sbin/tini', '--']);
      expect(config.config.User).toBe('65532:65532');
      const files = await untar(gunzipSync(await client.getBlob(m.layers[0]!.digest)));
      expect(parseElf(files.get('sbin/tini')!).arch).toBe(entry.platform.architecture);
      expect(parseElf(files.get('app/echo')!).arch).toBe(entry.platform.architecture);
      expect(parseElf(files.get('sbin/tini')!).static).toBe(true);
    }

    // The engine (amd64) pulls the list and gets its own platform: the image loaded at build. The graph
    // driver store names it by its config's digest; containerd's store keeps the whole list and names
    // the image by the list's digest, and runs the amd64 entry.
    const amd64 = out.platforms.find((p) => p.platform === 'linux/amd64')!;
    await run('docker', ['rmi', '-f', ref]);
    await run('docker', ['--config', reg.dockerConfig, 'pull', ref]);
    const pulled = await inspect<{ Id: string; Architecture: string }>(ref);
    expect(pulled.Id).toBe(inject('engine').imageStore === 'containerd' ? out.digest : amd64.imageId);
    expect(pulled.Architecture).toBe('amd64');
  });
});
