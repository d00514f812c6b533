/**
 * `goneat-deploy build`: binary → checks → plan → image → (push).
 * The stages are small functions; this is the one place that composes them.
 *
 * By default the image is assembled here (one layer, fixed mtimes and
 * owners, fixed `created`) and loaded through the Engine API: the same
 * inputs give the same image ID. `--dockerfile` builds the same image with
 * the engine's builder instead. Several platforms are pushed as a manifest
 * list through the Registry API.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { LoadedConfig } from '../config/load.js';
import { REPOSITORY_PATTERN, TAG_PATTERN } from '../config/patterns.js';
import { RuntimeError, UsageError } from '../errors.js';
import type { Engine } from '../runtime/docker/client.js';
import { checkStaticBinary, findTini, goArch, requireArch, type CheckedBinary } from './artifacts.js';
import { assemble, dockerArchive, layerFiles, manifestList, MEDIA, registryImage, type AssembledImage } from './assemble.js';
import { packContext, sourceDateEpoch, writeContextDir } from './context.js';
import { credentialsFor, registryOf } from './credentials.js';
import type { Arch } from './elf.js';
import { goBuild } from './gobuild.js';
import { planImage, type ImagePlan } from './plan.js';
import { splitTag } from './reference.js';
import { RegistryClient, splitRef } from './registry.js';

export interface Progress {
  step(message: string): void;
  /** A line of engine output. */
  engine(line: string): void;
}

export const silentProgress: Progress = { step() {}, engine() {} };

export interface BuildRequest {
  loaded: LoadedConfig;
  /** --tag: a tag, or a whole repository:tag reference. */
  tag?: string;
  /** --binary: a prebuilt binary, relative to cwd. */
  binary?: string;
  /** --context-dir: also write the build context here. */
  contextDir?: string;
  /** --dockerfile: build with the engine's builder instead of assembling. */
  dockerfile?: boolean;
  /** --push: push to the registry in the reference. */
  push?: boolean;
  /** --platform, else image.platforms, else the engine's. */
  platforms?: string[];
  signal?: AbortSignal;
  progress?: Progress;
  env?: Record<string, string | undefined>;
}

export interface PlatformResult {
  platform: string;
  imageId: string;
  /** Registry manifest digest, when pushed as part of a list. */
  manifestDigest?: string;
}

export interface BuildResult {
  image: string;
  /** Image ID on the engine (of the engine's platform, when several were built). */
  id: string;
  size: number;
  binarySize: number;
  /** size - binarySize: what tini, passwd and the image format add. */
  overhead: number;
  contextBytes: number;
  platform: string;
  platforms: PlatformResult[];
  builder: 'assembled' | 'dockerfile';
  /** The digest to deploy by, when pushed (manifest, or manifest list for several platforms). */
  digest?: string;
  /** repository:tag@digest, when pushed. */
  pinned?: string;
  tini: { path: string; sha256: string; source: string };
  binary: { path: string; sha256: string; built: boolean };
  durationMs: number;
}

/** Resolves --tag: a bare tag ("1.2.3") or a whole reference ("registry:5000/team/echo:1.2.3"). */
export function resolveTag(repository: string, defaultTag: string, tag?: string): string {
  if (tag === undefined) return `${repository}:${defaultTag}`;
  const bad = () => new UsageError(`--tag ${JSON.stringify(tag)}: expected a tag like "1.2.3" or a reference like "example/echo:1.2.3"`);
  if (!tag.includes(':') && !tag.includes('/')) {
    if (!new RegExp(TAG_PATTERN).test(tag)) throw bad();
    return `${repository}:${tag}`;
  }
  const { repository: repo, tag: t } = splitTag(tag);
  if (!new RegExp(REPOSITORY_PATTERN).test(repo) || !new RegExp(TAG_PATTERN).test(t)) throw bad();
  return `${repo}:${t}`;
}

export function parsePlatforms(list: string[]): Arch[] {
  return list.map((p) => {
    const m = /^linux\/(amd64|arm64)$/.exec(p.trim());
    if (!m) throw new UsageError(`--platform ${p}: expected linux/amd64 or linux/arm64`);
    return m[1] as Arch;
  });
}

interface Built {
  arch: Arch;
  binary: CheckedBinary;
  tini: CheckedBinary & { source: string };
  plan: ImagePlan;
}

/** `connect` is called only after the cheap local checks have passed. */
export async function buildImage(req: BuildRequest, connect: () => Promise<Engine>): Promise<BuildResult> {
  const started = Date.now();
  const progress = req.progress ?? silentProgress;
  const env = req.env ?? process.env;
  const { spec, configDir } = req.loaded;
  const image = resolveTag(spec.image.repository, spec.image.tag, req.tag);
  const requested = req.platforms ?? spec.image.platforms;
  const archs = requested ? [...new Set(parsePlatforms(requested))] : undefined;
  if (archs && archs.length > 1 && !req.push) {
    throw new UsageError(`${archs.length} platforms need --push: a manifest list lives in a registry (the engine holds one platform per tag)`);
  }
  if (archs && archs.length > 1 && req.binary) throw new UsageError('--binary is one architecture: it cannot be used with several platforms');
  if (req.dockerfile && archs && archs.length > 1) throw new UsageError('--dockerfile builds one platform; several platforms are assembled');

  // A prebuilt binary is checked before anything else, so a bad one fails fast, without an engine.
  const prebuilt =
    req.binary !== undefined
      ? { path: path.resolve(req.binary), shown: req.binary }
      : spec.build.kind === 'binary'
        ? { path: path.resolve(configDir, spec.build.path), shown: spec.build.path }
        : undefined;
  const prebuiltBinary = prebuilt ? await checkStaticBinary(prebuilt.path, undefined, 'binary', prebuilt.shown) : undefined;

  const engine = await connect();
  const version = await engine.version();
  const engineArch = goArch(version.arch);
  const targets: Arch[] = archs ?? [engineArch];
  if (targets.includes('unknown')) throw new UsageError(`the Docker Engine runs on ${version.arch}, which goneat-deploy cannot build for (amd64, arm64)`);

  const mtime = sourceDateEpoch(env);
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'goneat-deploy-build-'));
  try {
    // 1. Per platform: binary, tini, plan.
    const built: Built[] = [];
    for (const arch of targets) {
      let binary: CheckedBinary;
      if (prebuiltBinary && prebuilt) {
        requireArch(prebuiltBinary, arch, 'binary', prebuilt.shown);
        binary = prebuiltBinary;
      } else {
        if (spec.build.kind !== 'go') throw new Error('unreachable: no binary');
        const out = path.join(tmp, arch, spec.name);
        progress.step(`go build ${spec.build.main} (CGO_ENABLED=0 GOOS=linux GOARCH=${arch})`);
        await goBuild({ dir: configDir, main: spec.build.main, ldflags: spec.build.ldflags, tags: spec.build.tags, arch, out, ...(req.signal ? { signal: req.signal } : {}) });
        binary = await checkStaticBinary(out, arch, 'binary', `built from ${spec.build.main}`);
      }
      const tini = await findTini(spec.tini, configDir, arch, { native: arch === engineArch, env });
      built.push({ arch, binary, tini, plan: planImage(spec, { tag: image, binary, tini, configDir }) });
    }
    const local = built.find((b) => b.arch === engineArch) ?? built[0]!;
    if (req.contextDir) {
      progress.step(`writing build context to ${req.contextDir}`);
      await writeContextDir(local.plan.entries, path.resolve(req.contextDir));
    }

    // 2. The image(s).
    let id: string;
    let contextBytes: number;
    const assembled = new Map<Arch, AssembledImage>();
    if (req.dockerfile) {
      const ctx = packContext(local.plan.entries, mtime);
      progress.step(`building ${image} (linux/${local.arch}) with the engine's builder on ${engine.endpoint.host}`);
      id = await engine.build(ctx.stream, {
        tag: image,
        labels: local.plan.buildLabels,
        ...(req.signal ? { signal: req.signal } : {}),
        onEvent: (e) => e.stream && progress.engine(e.stream.replace(/\n$/, '')),
      });
      contextBytes = await ctx.bytes;
    } else {
      for (const b of built) {
        const files = await layerFiles(b.plan.entries, (p) => readFile(p));
        assembled.set(b.arch, await assemble({ spec, files, labels: { ...b.plan.labels, ...b.plan.buildLabels }, arch: b.arch, created: mtime }));
      }
      const img = assembled.get(local.arch)!;
      const archive = await dockerArchive(img, [image], mtime);
      contextBytes = archive.length;
      progress.step(`loading ${image} (linux/${local.arch}, assembled: ${img.imageId.slice(7, 19)}) into ${engine.endpoint.host}`);
      await engine.loadImage(archive);
      id = img.imageId;
    }
    const info = await engine.inspectImage(image);
    const size = info?.size ?? 0;
    // The ID the engine reports: the config's digest in the graph-driver image store (= the assembled
    // imageId), the manifest's digest in containerd's image store (Engine 29's default). Both are
    // deterministic; reporting the engine's keeps `docker images` and `build --json` in agreement.
    if (info?.id) id = info.id;

    // 3. Push.
    let digest: string | undefined;
    const platforms: PlatformResult[] = built.map((b) => ({ platform: `linux/${b.arch}`, imageId: assembled.get(b.arch)?.imageId ?? id }));
    if (req.push) {
      const registry = registryOf(image);
      const creds = await credentialsFor(registry, env);
      if (built.length === 1) {
        progress.step(`pushing ${image} through the engine`);
        const auth = creds ? { ...(creds.username ? { username: creds.username, password: creds.password ?? '' } : {}), ...(creds.identitytoken ? { identitytoken: creds.identitytoken } : {}), serveraddress: creds.serveraddress } : undefined;
        digest = await engine.pushImage(image, auth, (l) => progress.engine(l)).catch((err: Error) => {
          if (/auth|unauthori[sz]ed|denied|credentials/i.test(err.message)) {
            throw new RuntimeError(`${err.message}; log in first: docker login ${registry}`);
          }
          throw err;
        });
      } else {
        const target = splitRef(image, registry);
        const client = new RegistryClient(target, creds);
        const pushed = [];
        for (const b of built) {
          const r = registryImage(assembled.get(b.arch)!);
          progress.step(`pushing linux/${b.arch} to ${target.registry}/${target.name}`);
          await client.pushBlob(r.layer.data, r.layer.digest);
          await client.pushBlob(r.config.data, r.config.digest);
          await client.pushManifest(r.manifest.digest, MEDIA.manifest, r.manifest.data);
          platforms.find((p) => p.platform === `linux/${b.arch}`)!.manifestDigest = r.manifest.digest;
          pushed.push(r);
        }
        const list = manifestList(pushed);
        progress.step(`pushing the manifest list ${target.tag}`);
        await client.pushManifest(target.tag, MEDIA.list, list.data);
        digest = list.digest;
      }
    }
    return {
      image,
      id,
      size,
      binarySize: local.binary.size,
      overhead: size - local.binary.size,
      contextBytes,
      platform: `linux/${local.arch}`,
      platforms,
      builder: req.dockerfile ? 'dockerfile' : 'assembled',
      ...(digest ? { digest, pinned: `${image}@${digest}` } : {}),
      tini: { path: local.tini.hostPath, sha256: local.tini.sha256, source: local.tini.source },
      binary: { path: prebuilt ? local.binary.hostPath : '(built)', sha256: local.binary.sha256, built: !prebuilt },
      durationMs: Date.now() - started,
    };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
