import { mkdtempSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { specFromText } from '../../src/config/load.js';
import { assemble, dockerArchive, manifestList, registryImage, sha256, type LayerFile } from '../../src/image/assemble.js';
import { credentialsFor, registryOf } from '../../src/image/credentials.js';
import { baseUrl, splitRef } from '../../src/image/registry.js';
import { pinnedRef } from '../../src/image/lock.js';

const { spec } = specFromText('x.yaml', 'name: svc\nimage: {repository: example/svc, tag: "1"}\nports: [{name: http, port: 8080}]\nenv: {A: b}\n');
const files: LayerFile[] = [
  { name: 'app/', type: 'directory', mode: 0o755 },
  { name: 'app/svc', type: 'file', mode: 0o755, data: Buffer.from('binary') },
  { name: 'sbin/', type: 'directory', mode: 0o755 },
  { name: 'sbin/tini', type: 'file', mode: 0o755, data: Buffer.from('tini') },
];
const input = { spec, files, labels: { b: '2', a: '1' }, arch: 'amd64', created: new Date(1_700_000_000_000) };

describe('assembled images', () => {
  it('are reproducible: same inputs, same layer, config and image ID', async () => {
    const a = await assemble(input);
    const b = await assemble(input);
    expect(a.layer.equals(b.layer)).toBe(true);
    expect(a.imageId).toBe(b.imageId);
    expect(a.imageId).toBe(sha256(a.config));
    expect((await dockerArchive(a, ['x:1'], input.created)).equals(await dockerArchive(b, ['x:1'], input.created))).toBe(true);
    expect(registryImage(a).manifest.digest).toBe(registryImage(b).manifest.digest);
  });

  it('change when an input changes', async () => {
    const base = (await assemble(input)).imageId;
    expect((await assemble({ ...input, created: new Date(0) })).imageId).not.toBe(base);
    expect((await assemble({ ...input, files: [...files.slice(0, 1), { ...files[1]!, data: Buffer.from('other') }, ...files.slice(2)] })).imageId).not.toBe(base);
    expect((await assemble({ ...input, arch: 'arm64' })).imageId).not.toBe(base);
  });

  it('carry the runtime config the Dockerfile would', async () => {
    const config = JSON.parse((await assemble(input)).config.toString()) as Record<string, any>;
    expect(config.created).toBe('2023-11-14T22:13:20Z');
    expect(config.config).toEqual({
      User: '65532:65532',
      ExposedPorts: { '8080/tcp': {} },
      Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'A=b'],
      Entrypoint: ['/sbin/tini', '--', '/app/svc'],
      WorkingDir: '/app',
      Labels: { a: '1', b: '2' },
      StopSignal: 'SIGTERM',
    });
    expect(config.rootfs.diff_ids).toHaveLength(1);
  });

  it('make a manifest list naming each platform', async () => {
    const list = JSON.parse(manifestList([registryImage(await assemble(input)), registryImage(await assemble({ ...input, arch: 'arm64' }))]).data.toString());
    expect(list.manifests.map((m: { platform: { architecture: string } }) => m.platform.architecture)).toEqual(['amd64', 'arm64']);
    expect(list.mediaType).toBe('application/vnd.docker.distribution.manifest.list.v2+json');
  });
});

describe('references and registries', () => {
  it.each([
    ['example/echo:1', 'docker.io'],
    ['echo', 'docker.io'],
    ['localhost:5000/echo:1', 'localhost:5000'],
    ['127.0.0.1:5000/team/echo:1', '127.0.0.1:5000'],
    ['registry.example.com/team/echo', 'registry.example.com'],
  ])('%s is on %s', (ref, reg) => expect(registryOf(ref)).toBe(reg));

  it('splits references and speaks plain HTTP only to loopback', () => {
    expect(splitRef('127.0.0.1:5000/team/echo:1', '127.0.0.1:5000')).toEqual({ registry: '127.0.0.1:5000', name: 'team/echo', tag: '1' });
    expect(splitRef('echo', 'docker.io')).toEqual({ registry: 'registry-1.docker.io', name: 'library/echo', tag: 'latest' });
    expect(baseUrl('127.0.0.1:5000')).toBe('http://127.0.0.1:5000');
    expect(baseUrl('localhost:5000')).toBe('http://localhost:5000');
    expect(baseUrl('registry.example.com')).toBe('https://registry.example.com');
  });

  it('pins only a lock for the same repository and tag', () => {
    const lock = { repository: 'example/svc', tag: '1', digest: `sha256:${'a'.repeat(64)}`, platforms: ['linux/amd64'] };
    expect(pinnedRef(spec, lock)).toBe(`example/svc:1@sha256:${'a'.repeat(64)}`);
    expect(pinnedRef(spec, { ...lock, tag: '2' })).toBeUndefined();
    expect(pinnedRef(spec, undefined)).toBeUndefined();
  });
});

describe('docker CLI credentials', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gd-creds-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads auths, then a credential helper', async () => {
    writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ auths: { 'reg.example:5000': { auth: Buffer.from('me:secret:with:colons').toString('base64') } }, credHelpers: { 'helped.example': 'gdtest' } }));
    const helper = path.join(dir, 'docker-credential-gdtest');
    writeFileSync(helper, '#!/bin/sh\nread server\necho "{\\"Username\\":\\"bot\\",\\"Secret\\":\\"s3\\",\\"ServerURL\\":\\"$server\\"}"\n');
    chmodSync(helper, 0o755);
    const env = { DOCKER_CONFIG: dir, PATH: `${dir}:${process.env.PATH}` };
    expect(await credentialsFor('reg.example:5000', env)).toEqual({ username: 'me', password: 'secret:with:colons', serveraddress: 'reg.example:5000' });
    const prev = process.env.PATH;
    process.env.PATH = env.PATH;
    try {
      expect(await credentialsFor('helped.example', env)).toEqual({ username: 'bot', password: 's3', serveraddress: 'helped.example' });
    } finally {
      process.env.PATH = prev;
    }
    expect(await credentialsFor('other.example', env)).toBeUndefined();
  });
});
