/**
 * `goneat-deploy build`: the one place that composes the build's stages, the
 * way ko composes build and publish (commands/resolver.go):
 *
 *   resolve inputs (resolve.ts) → compile (compile.ts) → assemble (produce.ts)
 *     → load into the engine (load.ts) → publish (publish.ts, --push)
 *
 * By default the image is assembled here (one layer, fixed mtimes and owners,
 * fixed `created`) and loaded through the Engine API: the same inputs give the
 * same image ID. `--dockerfile` builds the same image with the engine's
 * builder instead. Several platforms are pushed as a manifest list through the
 * Registry API. Every dependency that reaches outside (the engine, the
 * compiler, the registry, the temp dir) comes in through BuildDeps.
 */
import { mkdtemp, rm, unlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { LoadedConfig } from '../config/load.js';
import type { Engine } from '../runtime/engine.js';
import { compileBinaries } from './compile.js';
import { sourceDateEpoch, writeContextDir } from './context.js';
import type { Credentials } from './credentials.js';
import type { GoBuildInput } from './gobuild.js';
import { loadIntoEngine } from './load.js';
import { LOCK_FILE, readLock, type BuildLock } from './lock.js';
import { hostPackages, produceImages } from './produce.js';
import { silentProgress, type Progress } from './progress.js';
import { publish, type Registry } from './publish.js';
import type { RegistryTarget } from './registry.js';
import { parsePlatforms, resolveInputs } from './resolve.js';
import { goArch, type CheckedBinary } from './artifacts.js';
import type { Arch } from './elf.js';
import { SBOM_PATH } from '../model/contents.js';

export { parsePlatforms, resolveTag } from './resolve.js';
export { silentProgress, type Progress } from './progress.js';

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
  /** The command's working directory (--binary and paths in the environment are relative to it). */
  cwd?: string;
}

/** What the build reaches outside through. Only `connect` is required. */
export interface BuildDeps {
  /** Called once the checks that need no engine have passed. */
  connect: () => Promise<Engine>;
  /** The engine is on this machine (so its architecture is the host's, known before connecting). */
  engineIsLocal?: boolean;
  goBuild?: (input: GoBuildInput) => Promise<void>;
  registry?: (target: RegistryTarget, creds: Credentials | undefined) => Registry;
  /** Where the build's temp dir goes (default: $TMPDIR of the request's env, else the OS temp dir). */
  tempRoot?: string;
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
  /** The SPDX SBOM in the image (of the engine's platform): its path there and size in bytes. */
  sbom: { path: string; bytes: number };
  binary: { path: string; sha256: string; built: boolean };
  durationMs: number;
  /**
   * A build without --push of the image goneat-deploy.lock.json pins: 'dropped' when the image built is
   * not the pushed one (the lock is removed, so generate deploys repository:tag, this image);
   * 'unverified' when that cannot be told (a manifest list pushed through the registry). `pinned` is
   * the lock's repository:tag@digest.
   */
  lock?: { action: 'dropped' | 'unverified'; pinned: string };
}

/**
 * Whether a lock pinning `image` still describes the image just built: the engine lists repository@digest
 * in RepoDigests for the image it pushed (docker image inspect), and a reproducible build of the same
 * inputs is that same image again. A manifest list (several platforms) was pushed through the Registry
 * API, so the engine never learns its digest: undecidable.
 */
export function lockFreshness(lock: BuildLock, image: string, repoDigests: string[]): 'fresh' | 'stale' | 'unknown' | 'other' {
  if (`${lock.repository}:${lock.tag}` !== image) return 'other';
  if (repoDigests.includes(`${lock.repository}@${lock.digest}`)) return 'fresh';
  return lock.platforms.length > 1 ? 'unknown' : 'stale';
}

/** Runs the stages in order; the temp dir is removed whatever happens. `deps` may be just the engine connector. */
export async function buildImage(req: BuildRequest, depsOrConnect: BuildDeps | (() => Promise<Engine>)): Promise<BuildResult> {
  const deps: BuildDeps = typeof depsOrConnect === 'function' ? { connect: depsOrConnect } : depsOrConnect;
  const started = Date.now();
  const progress = req.progress ?? silentProgress;
  const env = req.env ?? process.env;
  const cwd = req.cwd ?? process.cwd();
  const { spec, configDir } = req.loaded;
  const tmp = await mkdtemp(path.join(deps.tempRoot ?? env.TMPDIR ?? os.tmpdir(), 'goneat-deploy-build-'));
  let early: { archs: Arch[]; binaries: Promise<Map<Arch, CheckedBinary>>; abort: AbortController } | undefined;
  try {
    // The compile does not wait for the inputs to be resolved: when the platforms are known before the
    // engine is asked (given, or a local engine's = the host's), `go build` starts now and the checks,
    // the engine connection and dpkg run beside it (the config, ldflags included, is already valid).
    // A failed check kills it; other platforms after all compile again.
    const speculated = req.binary === undefined && spec.build.kind === 'go' && !req.dockerfile ? earlyTargets(req, deps) : undefined;
    if (speculated) {
      const abort = new AbortController();
      const onAbort = () => abort.abort(req.signal!.reason);
      req.signal?.addEventListener('abort', onAbort, { once: true });
      const binaries = compileBinaries({ spec, configDir, targets: speculated, tmp, env, cwd, progress, signal: abort.signal, ...(deps.goBuild ? { goBuild: deps.goBuild } : {}) });
      binaries.catch(() => undefined).finally(() => req.signal?.removeEventListener('abort', onAbort));
      early = { archs: speculated, binaries, abort };
    }
    const inputs = await resolveInputs(
      {
        spec,
        configDir,
        cwd,
        env,
        ...(req.tag !== undefined ? { tag: req.tag } : {}),
        ...(req.binary !== undefined ? { binary: req.binary } : {}),
        ...(req.dockerfile ? { dockerfile: true } : {}),
        ...(req.push ? { push: true } : {}),
        ...(req.platforms ? { platforms: req.platforms } : {}),
        ...(deps.engineIsLocal !== undefined ? { engineIsLocal: deps.engineIsLocal } : {}),
      },
      deps.connect,
    );
    const { image, engine } = inputs;
    const created = sourceDateEpoch(env);
    // dpkg's answers for the SBOM need no binary: asked while it compiles.
    const packages = hostPackages({ tini: inputs.tini.values(), libraries: inputs.libraries.values(), contents: inputs.contents });
    packages.catch(() => undefined);
    const same = early && early.archs.length === inputs.targets.length && early.archs.every((a, i) => a === inputs.targets[i]);
    if (early && !same) {
      early.abort.abort(new Error('other platforms'));
      await early.binaries.catch(() => undefined);
    }
    const binaries = same
      ? await early!.binaries
      : await compileBinaries({
          spec,
          configDir,
          targets: inputs.targets,
          ...(inputs.prebuilt ? { prebuilt: inputs.prebuilt } : {}),
          tmp,
          env,
          cwd,
          progress,
          ...(req.signal ? { signal: req.signal } : {}),
          ...(deps.goBuild ? { goBuild: deps.goBuild } : {}),
        });
    const platforms = await produceImages({
      spec,
      configDir,
      image,
      targets: inputs.targets,
      binaries,
      tini: inputs.tini,
      contents: inputs.contents,
      libraries: inputs.libraries,
      created,
      assemble: !req.dockerfile,
      env,
      images: engine.images,
      progress,
      packages,
    });
    const local = platforms.find((p) => p.arch === inputs.engineArch) ?? platforms[0]!;
    if (req.contextDir) {
      progress.step(`writing build context to ${req.contextDir}`);
      await writeContextDir(local.plan.entries, path.resolve(cwd, req.contextDir));
    }
    const loaded = await loadIntoEngine(engine.images, { image, local, created, host: engine.host, progress, ...(req.signal ? { signal: req.signal } : {}) });
    const published = req.push
      ? await publish(engine.images, { image, platforms, env, progress, ...(deps.registry ? { registry: deps.registry } : {}) })
      : undefined;
    // Not pushed: a lock that pins this repository:tag to what an earlier --push published would make
    // generate keep deploying that old digest while verify tests this new image. Drop the pin (build is
    // the only command that knows both images; generate never talks to the engine).
    let lock: BuildResult['lock'];
    const pin = published ? undefined : await readLock(configDir);
    if (pin) {
      const fresh = lockFreshness(pin, image, loaded.repoDigests);
      const pinned = `${pin.repository}:${pin.tag}@${pin.digest}`;
      if (fresh === 'stale') {
        await unlink(path.join(configDir, LOCK_FILE));
        lock = { action: 'dropped', pinned };
      } else if (fresh === 'unknown') lock = { action: 'unverified', pinned };
    }
    return {
      image,
      id: loaded.id,
      size: loaded.size,
      binarySize: local.binary.size,
      overhead: loaded.size - local.binary.size,
      contextBytes: loaded.contextBytes,
      platform: `linux/${local.arch}`,
      platforms: platforms.map((p) => {
        const platform = `linux/${p.arch}`;
        const manifestDigest = published?.manifests[platform];
        return { platform, imageId: p.assembled?.imageId ?? loaded.id, ...(manifestDigest ? { manifestDigest } : {}) };
      }),
      builder: req.dockerfile ? 'dockerfile' : 'assembled',
      ...(published ? { digest: published.digest, pinned: `${image}@${published.digest}` } : {}),
      tini: { path: local.tini.hostPath, sha256: local.tini.sha256, source: local.tini.source },
      sbom: { path: SBOM_PATH, bytes: Buffer.byteLength(local.sbom) },
      binary: { path: inputs.prebuilt ? local.binary.hostPath : '(built)', sha256: local.binary.sha256, built: !inputs.prebuilt },
      durationMs: Date.now() - started,
      ...(lock ? { lock } : {}),
    };
  } catch (err) {
    if (early) {
      early.abort.abort(err);
      await early.binaries.catch(() => undefined);
    }
    throw err;
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/** The platforms known before the engine is asked: given ones, else a local engine's (the host's). */
function earlyTargets(req: BuildRequest, deps: BuildDeps): Arch[] | undefined {
  const requested = req.platforms ?? req.loaded.spec.image.platforms;
  try {
    if (requested) return [...new Set(parsePlatforms(requested))];
  } catch {
    return undefined; // resolveInputs reports it
  }
  if (!deps.engineIsLocal) return undefined;
  const host = goArch(os.arch());
  return host === 'unknown' ? undefined : [host];
}
