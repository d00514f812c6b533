/**
 * `goneat-deploy build`: binary → checks → plan → context → engine build.
 * The stages are small functions; this is the one place that composes them.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { LoadedConfig } from '../config/load.js';
import { REPOSITORY_PATTERN, TAG_PATTERN } from '../config/schema.js';
import { UsageError } from '../errors.js';
import type { Engine } from '../runtime/docker/client.js';
import { checkStaticBinary, findTini, goArch, requireArch, type CheckedBinary } from './artifacts.js';
import { packContext, writeContextDir } from './context.js';
import { goBuild } from './gobuild.js';
import { planImage, type ImagePlan } from './plan.js';

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
  signal?: AbortSignal;
  progress?: Progress;
}

export interface BuildResult {
  image: string;
  id: string;
  size: number;
  binarySize: number;
  /** size - binarySize: what tini, passwd and the image format add. */
  overhead: number;
  contextBytes: number;
  platform: string;
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
  const slash = tag.lastIndexOf('/');
  const colon = tag.lastIndexOf(':');
  const [repo, t] = colon > slash ? [tag.slice(0, colon), tag.slice(colon + 1)] : [tag, 'latest'];
  if (!new RegExp(REPOSITORY_PATTERN).test(repo) || !new RegExp(TAG_PATTERN).test(t)) throw bad();
  return `${repo}:${t}`;
}

/** `connect` is called only after the cheap local checks have passed. */
export async function buildImage(req: BuildRequest, connect: () => Promise<Engine>): Promise<BuildResult> {
  const started = Date.now();
  const progress = req.progress ?? silentProgress;
  const { spec, configDir } = req.loaded;
  const image = resolveTag(spec.image.repository, spec.image.tag, req.tag);

  // A prebuilt binary is checked before anything else, so a bad one fails fast, without an engine.
  const prebuilt =
    req.binary !== undefined
      ? { path: path.resolve(req.binary), shown: req.binary }
      : spec.build.kind === 'binary'
        ? { path: path.resolve(configDir, spec.build.path), shown: spec.build.path }
        : undefined;
  let binary: CheckedBinary | undefined = prebuilt ? await checkStaticBinary(prebuilt.path, undefined, 'binary', prebuilt.shown) : undefined;

  const engine = await connect();
  const version = await engine.version();
  const arch = goArch(version.arch);
  if (arch === 'unknown') throw new UsageError(`the Docker Engine runs on ${version.arch}, which goneat-deploy cannot build for (amd64, arm64)`);
  const platform = `linux/${arch}`;
  if (binary && prebuilt) requireArch(binary, arch, 'binary', prebuilt.shown);

  const tmp = await mkdtemp(path.join(os.tmpdir(), 'goneat-deploy-build-'));
  try {
    // 1. The binary: prebuilt (--binary or build.binary), or built from the Go main package.
    if (!binary && spec.build.kind === 'go') {
      const out = path.join(tmp, spec.name);
      progress.step(`go build ${spec.build.main} (CGO_ENABLED=0 GOOS=linux GOARCH=${arch})`);
      await goBuild({ dir: configDir, main: spec.build.main, ldflags: spec.build.ldflags, tags: spec.build.tags, arch, out, ...(req.signal ? { signal: req.signal } : {}) });
      binary = await checkStaticBinary(out, arch, 'binary', `built from ${spec.build.main}`);
    }
    if (!binary) throw new Error('unreachable: no binary');
    const tini = await findTini(spec.tini, configDir, arch);

    // 2. The plan and its context.
    const plan: ImagePlan = planImage(spec, { tag: image, binary, tini });
    if (req.contextDir) {
      progress.step(`writing build context to ${req.contextDir}`);
      await writeContextDir(plan.entries, path.resolve(req.contextDir));
    }
    const ctx = packContext(plan.entries);

    // 3. The engine builds it.
    progress.step(`building ${image} (${platform}) on ${engine.endpoint.host}`);
    const id = await engine.build(ctx.stream, {
      tag: image,
      labels: plan.buildLabels,
      ...(req.signal ? { signal: req.signal } : {}),
      onEvent: (e) => e.stream && progress.engine(e.stream.replace(/\n$/, '')),
    });
    const contextBytes = await ctx.bytes;
    const info = await engine.inspectImage(id);
    const size = info?.size ?? 0;
    return {
      image,
      id,
      size,
      binarySize: binary.size,
      overhead: size - binary.size,
      contextBytes,
      platform,
      tini: { path: tini.hostPath, sha256: tini.sha256, source: tini.source },
      binary: { path: prebuilt ? binary.hostPath : '(built)', sha256: binary.sha256, built: !prebuilt },
      durationMs: Date.now() - started,
    };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
