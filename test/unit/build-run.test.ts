/**
 * The build's stages composed (src/image/build.ts) against the in-memory
 * engine, a fake compiler and a fake registry: what reaches the engine, in
 * which order, what the result says, and that the temp dir always goes. The
 * real engine, go and a registry run the same flows in test/e2e/images.test.ts.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { specFromText, type LoadedConfig } from '../../src/config/load.js';
import { InterruptedError, RuntimeError, UsageError } from '../../src/errors.js';
import { buildImage, type BuildDeps } from '../../src/image/build.js';
import type { GoBuildInput } from '../../src/image/gobuild.js';
import type { Registry } from '../../src/image/publish.js';
import { FakeEngine } from '../fakes/engine.js';
import { EM, elfFile, syntheticElf } from '../helpers/elf.js';

let tmp: string;
let root: string;
beforeEach(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'gd-build-run-'));
  root = path.join(tmp, 'temp-root');
  await import('node:fs/promises').then((fs) => fs.mkdir(root));
});
afterEach(async () => {
  expect(await readdir(root), 'the build removes its temp dir').toEqual([]);
  await rm(tmp, { recursive: true, force: true });
});

function loaded(extra: string): LoadedConfig {
  const text = `name: svc\nimage: {repository: goneat-test/svc, tag: "1"}\nports: [{name: http, port: 8080}]\n${extra}`;
  const { spec, config } = specFromText('goneat-deploy.yaml', text);
  return { spec, config, configPath: path.join(tmp, 'goneat-deploy.yaml'), configDir: tmp, displayPath: 'goneat-deploy.yaml', warnings: [] };
}

const PREBUILT = () => `build: {binary: ${elfFile('static-amd64')}, tini: ${elfFile('static-amd64')}}\n`;

function deps(engine: FakeEngine, more: Partial<BuildDeps> = {}): BuildDeps & { connected: () => number } {
  let n = 0;
  return { connect: async () => (n++, engine), tempRoot: root, connected: () => n, ...more };
}

describe('buildImage against the fake engine', () => {
  it('assembles, loads the archive, and reports the ID the engine computed from it, the same on every run', async () => {
    const engine = new FakeEngine();
    const steps: string[] = [];
    const r = await buildImage({ loaded: loaded(PREBUILT()), env: {}, cwd: tmp, progress: { step: (m) => steps.push(m), engine() {} } }, deps(engine));
    expect(engine.images.calls).toEqual(['load', 'inspect goneat-test/svc:1']);
    const info = engine.images.byRef.get('goneat-test/svc:1')!;
    expect(r).toMatchObject({ image: 'goneat-test/svc:1', id: info.id, size: info.size, builder: 'assembled', platform: 'linux/amd64', binary: { built: false } });
    expect(r.platforms).toEqual([{ platform: 'linux/amd64', imageId: info.id }]);
    expect(info.entrypoint).toEqual(['/sbin/tini', '--', '/app/svc']);
    expect(info.user).toBe('65532:65532');
    expect(info.labels['io.goneat-deploy.tini.sha256']).toBe(createHash('sha256').update(readFileSync(elfFile('static-amd64'))).digest('hex'));
    expect(steps).toEqual([`loading goneat-test/svc:1 (linux/amd64, assembled: ${info.id.slice(7, 19)}) into fake://engine`]);
    const again = await buildImage({ loaded: loaded(PREBUILT()), env: {}, cwd: tmp }, deps(new FakeEngine()));
    expect(again.id).toBe(r.id);
    const later = await buildImage({ loaded: loaded(PREBUILT()), env: { SOURCE_DATE_EPOCH: '1700000000' }, cwd: tmp }, deps(new FakeEngine()));
    expect(later.id).not.toBe(r.id);
  });

  it('reports the ID the engine gives the loaded image: containerd\'s image store names it by the manifest, not the config', async () => {
    const engine = new FakeEngine();
    engine.images.store = 'containerd';
    const r = await buildImage({ loaded: loaded(PREBUILT()), env: {}, cwd: tmp }, deps(engine));
    const assembled = (await buildImage({ loaded: loaded(PREBUILT()), env: {}, cwd: tmp }, deps(new FakeEngine()))).id;
    expect(r.id).toBe(engine.images.byRef.get('goneat-test/svc:1')!.id);
    expect(r.id).not.toBe(assembled);
    expect(r.platforms).toEqual([{ platform: 'linux/amd64', imageId: assembled }]);
  });

  it('--dockerfile sends the context (Dockerfile and rootfs only) to the engine\'s builder with the build labels', async () => {
    const engine = new FakeEngine();
    const r = await buildImage({ loaded: loaded(PREBUILT()), dockerfile: true, env: {}, cwd: tmp }, deps(engine));
    expect(engine.images.calls).toEqual(['build goneat-test/svc:1', 'inspect goneat-test/svc:1']);
    expect([...engine.images.lastContext!.keys()]).toEqual([
      'Dockerfile',
      'rootfs/app/',
      'rootfs/app/svc',
      'rootfs/etc/',
      'rootfs/etc/group',
      'rootfs/etc/passwd',
      'rootfs/etc/ssl/',
      'rootfs/etc/ssl/certs/',
      'rootfs/etc/ssl/certs/ca-certificates.crt',
      'rootfs/sbin/',
      'rootfs/sbin/tini',
      'rootfs/tmp/',
      'rootfs/usr/',
      'rootfs/usr/share/',
      'rootfs/usr/share/doc/',
      'rootfs/usr/share/doc/goneat-deploy/',
      'rootfs/usr/share/doc/goneat-deploy/sbom.spdx.json',
    ]);
    expect(engine.images.lastContext!.get('Dockerfile')!.toString()).toMatch(/^ENTRYPOINT \["\/sbin\/tini","--","\/app\/svc"\]$/m);
    expect(Object.keys(engine.images.byRef.get('goneat-test/svc:1')!.labels).sort()).toEqual(['io.goneat-deploy.binary.sha256', 'io.goneat-deploy.tini.sha256']);
    expect(r).toMatchObject({ builder: 'dockerfile', id: engine.images.byRef.get('goneat-test/svc:1')!.id });
  });

  it('--push goes through the engine with the docker CLI\'s credentials and reports the digest', async () => {
    const engine = new FakeEngine();
    await writeFile(path.join(tmp, 'config.json'), JSON.stringify({ auths: { 'registry.example:5000': { auth: Buffer.from('ci:s3cret').toString('base64') } } }));
    const r = await buildImage({ loaded: loaded(PREBUILT()), tag: 'registry.example:5000/team/svc:2', push: true, env: { DOCKER_CONFIG: tmp }, cwd: tmp }, deps(engine));
    expect(engine.images.pushes).toEqual([{ ref: 'registry.example:5000/team/svc:2', auth: { username: 'ci', password: 's3cret', serveraddress: 'registry.example:5000' } }]);
    expect(r.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(r.pinned).toBe(`registry.example:5000/team/svc:2@${r.digest}`);
    engine.images.failPush = 'unauthorized: authentication required';
    await expect(buildImage({ loaded: loaded(PREBUILT()), tag: 'registry.example:5000/team/svc:2', push: true, env: { DOCKER_CONFIG: path.join(tmp, 'none') }, cwd: tmp }, deps(engine))).rejects.toThrow(
      /unauthorized: authentication required; log in first: docker login registry\.example:5000/,
    );
  });

  it('a build without --push of a different image drops the lock\'s pin for that reference; the same image again keeps it', async () => {
    const lockPath = path.join(tmp, 'goneat-deploy.lock.json');
    const { readFile, access } = await import('node:fs/promises');
    await writeFile(path.join(tmp, 'config.json'), JSON.stringify({ auths: { 'registry.example:5000': { auth: Buffer.from('ci:s3cret').toString('base64') } } }));
    const engine = new FakeEngine();
    const ref = 'registry.example:5000/team/svc';
    const cfg = (epoch: string) => ({ loaded: loaded(PREBUILT()), tag: `${ref}:2`, env: { DOCKER_CONFIG: tmp, SOURCE_DATE_EPOCH: epoch }, cwd: tmp });
    const pushed = await buildImage({ ...cfg('0'), push: true }, deps(engine));
    await writeFile(lockPath, JSON.stringify({ repository: ref, tag: '2', digest: pushed.digest, platforms: ['linux/amd64'] }));
    // The same inputs: the same image, which the engine knows by the pushed digest: the pin stays.
    const same = await buildImage(cfg('0'), deps(engine));
    expect(same.lock).toBeUndefined();
    expect(JSON.parse(await readFile(lockPath, 'utf8')).digest).toBe(pushed.digest);
    // Changed inputs (here the timestamp): another image under the same tag: the old digest is dropped.
    const changed = await buildImage(cfg('1700000000'), deps(engine));
    expect(changed.id).not.toBe(pushed.id);
    expect(changed.lock).toEqual({ action: 'dropped', pinned: `${ref}:2@${pushed.digest}` });
    await expect(access(lockPath)).rejects.toThrow(/ENOENT/);
  });

  it('several platforms: compiles each, and pushes per-platform manifests and a manifest list to the registry', async () => {
    const engine = new FakeEngine();
    const compiled: string[] = [];
    const goBuild = async (i: GoBuildInput) => {
      compiled.push(`${i.arch} ${i.main} ${i.env?.SOURCE_DATE_EPOCH ?? ''}`);
      await import('node:fs/promises').then(async (fs) => {
        await fs.mkdir(path.dirname(i.out), { recursive: true });
        await fs.writeFile(i.out, syntheticElf(EM[i.arch as 'amd64' | 'arm64']));
      });
    };
    const pushed: string[] = [];
    const registry = (): Registry => ({
      pushBlob: async (_data, digest) => void pushed.push(`blob ${digest.slice(0, 13)}`),
      pushManifest: async (reference, mediaType) => (pushed.push(`manifest ${reference.slice(0, 13)} ${mediaType.split('.').pop()}`), ''),
    });
    const tini = `build: {main: ./cmd/svc, tini: {amd64: ${elfFile('static-amd64')}, arm64: ${elfFile('static-arm64')}}}\n`;
    const r = await buildImage({ loaded: loaded(tini), tag: 'localhost:5000/svc:3', push: true, platforms: ['linux/amd64', 'linux/arm64'], env: { SOURCE_DATE_EPOCH: '0' }, cwd: tmp }, deps(engine, { goBuild, registry }));
    expect(compiled).toEqual(['amd64 ./cmd/svc 0', 'arm64 ./cmd/svc 0']);
    expect(r.platforms.map((p) => p.platform)).toEqual(['linux/amd64', 'linux/arm64']);
    expect(r.platforms.every((p) => /^sha256:/.test(p.manifestDigest ?? ''))).toBe(true);
    expect(pushed.filter((p) => p.startsWith('manifest')).map((p) => p.split(' ').slice(2).join(' '))).toEqual(['v2+json', 'v2+json', 'v2+json']);
    expect(pushed.at(-1)).toMatch(/^manifest 3 v2\+json$/);
    expect(pushed.filter((p) => p.startsWith('blob'))).toHaveLength(4);
    expect(engine.images.calls).toEqual(['load', 'inspect localhost:5000/svc:3']); // only the engine's platform is loaded
    expect(r.binary).toMatchObject({ path: '(built)', built: true });
  });

  it('checks a prebuilt binary before contacting the engine', async () => {
    const engine = new FakeEngine();
    const d = deps(engine);
    await expect(buildImage({ loaded: loaded(`build: {binary: ${elfFile('dynamic-amd64')}}\n`), env: {}, cwd: tmp }, d)).rejects.toThrow(
      /is dynamically linked \(needs \/lib64\/ld-linux-x86-64\.so\.2\), which cannot run in a scratch image/,
    );
    // A local engine has the host's architecture: an arm64 binary is refused before connecting.
    await expect(
      buildImage({ loaded: loaded(`build: {binary: ${elfFile('static-arm64')}, tini: ${elfFile('static-amd64')}}\n`), env: {}, cwd: tmp }, { ...d, engineIsLocal: true, connect: d.connect }),
    ).rejects.toThrow(/is built for arm64, but the image is linux\/amd64: rebuild it with GOOS=linux GOARCH=amd64/);
    // A remote engine's architecture is unknown until asked: the binary's own is presumed, and its tini must exist first.
    await expect(buildImage({ loaded: loaded(`build: {binary: ${elfFile('static-arm64')}, tini: ${elfFile('static-amd64')}}\n`), env: {}, cwd: tmp }, d)).rejects.toThrow(
      /tini \(build\.tini\) \S+ is built for amd64, but the image is linux\/arm64/,
    );
    // With a tini for arm64, the remote engine (amd64) is asked, and the binary refused for it.
    await expect(
      buildImage({ loaded: loaded(`build: {binary: ${elfFile('static-arm64')}, tini: {arm64: ${elfFile('static-arm64')}, amd64: ${elfFile('static-amd64')}}}\n`), env: {}, cwd: tmp }, d),
    ).rejects.toThrow(/is built for arm64, but the image is linux\/amd64/);
    expect(d.connected()).toBe(1); // only the last needed the engine's architecture
  });

  it('a failed go build or an interrupt during it leaves no temp dir and nothing in the engine', async () => {
    const engine = new FakeEngine();
    const failing = async () => {
      throw new RuntimeError('go build of . in . failed (exit 1): ./main.go:3:15: undefined: undefined');
    };
    await expect(buildImage({ loaded: loaded(`build: {tini: ${elfFile('static-amd64')}}\n`), env: {}, cwd: tmp }, deps(engine, { goBuild: failing }))).rejects.toThrow(/go build of \. in \. failed/);
    const controller = new AbortController();
    // Also when the interrupt came before go build started (a loaded machine: the stages before it took > 50 ms).
    const slow = (i: GoBuildInput) =>
      new Promise<void>((_, reject) => (i.signal!.aborted ? reject(i.signal!.reason) : i.signal!.addEventListener('abort', () => reject(i.signal!.reason))));
    const run = buildImage({ loaded: loaded(`build: {tini: ${elfFile('static-amd64')}}\n`), env: {}, cwd: tmp, signal: controller.signal }, deps(engine, { goBuild: slow }));
    setTimeout(() => controller.abort(new InterruptedError('SIGINT')), 50);
    await expect(run).rejects.toBeInstanceOf(InterruptedError);
    expect(engine.images.calls).toEqual([]);
  });

  it('refuses several platforms without --push before anything else', async () => {
    await expect(buildImage({ loaded: loaded(PREBUILT()), platforms: ['linux/amd64', 'linux/arm64'], env: {}, cwd: tmp }, deps(new FakeEngine()))).rejects.toBeInstanceOf(UsageError);
  });
});
