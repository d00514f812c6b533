/**
 * Build stage 1, resolve inputs: the image reference, the platforms, the
 * prebuilt binary (checked before any engine is contacted, so a bad one fails
 * fast), the engine's architecture, and a static tini per platform — every
 * cheap check before the first slow step.
 */
import os from 'node:os';
import path from 'node:path';
import { UsageError } from '../errors.js';
import { parseImageReference, TAG_PATTERN } from '../model/reference.js';
import type { ServiceSpec } from '../model/service.js';
import type { Engine } from '../runtime/engine.js';
import { checkExecutable, findTini, goArch, requireArch, type CheckedBinary } from './artifacts.js';
import { hostContents, libraryEntries, type HostContents } from './contents.js';
import type { Arch } from './elf.js';
import type { HostLibrary } from './libraries.js';
import { mergeEntries, type ContextEntry } from './plan.js';

/** Resolves --tag: a bare tag ("1.2.3") or a whole reference ("registry:5000/team/echo:1.2.3"). */
export function resolveTag(repository: string, defaultTag: string, tag?: string): string {
  if (tag === undefined) return `${repository}:${defaultTag}`;
  const bad = () => new UsageError(`--tag ${JSON.stringify(tag)}: expected a tag like "1.2.3" or a reference like "example/echo:1.2.3"`);
  if (!tag.includes(':') && !tag.includes('/')) {
    if (!new RegExp(TAG_PATTERN).test(tag)) throw bad();
    return `${repository}:${tag}`;
  }
  // The one reference parser (model/reference.ts); a digest names content, not something to tag.
  const r = parseImageReference(tag);
  if ('problem' in r || r.digest !== undefined) throw bad();
  return `${r.repository}:${r.tag ?? 'latest'}`;
}

/** "linux/amd64" → "amd64"; anything but linux/amd64 and linux/arm64 is a usage error. */
export function parsePlatforms(list: string[]): Arch[] {
  return list.map((p) => {
    const m = /^linux\/(amd64|arm64)$/.exec(p.trim());
    if (!m) throw new UsageError(`--platform ${p}: expected linux/amd64 or linux/arm64`);
    return m[1] as Arch;
  });
}

export interface ResolveRequest {
  spec: ServiceSpec;
  /** Directory of the config file: relative paths in the config are resolved against it. */
  configDir: string;
  /** The command's working directory: --binary is relative to it. */
  cwd: string;
  tag?: string;
  binary?: string;
  dockerfile?: boolean;
  push?: boolean;
  platforms?: string[];
  env: Record<string, string | undefined>;
  /** The engine runs on this machine (a unix socket): its architecture is the host's, known before connecting. */
  engineIsLocal?: boolean;
  /** The host's architecture (default: this process's). */
  hostArch?: Arch;
}

export interface ResolvedInputs {
  /** repository:tag */
  image: string;
  engine: Engine;
  /** The engine's own architecture: the platform loaded into it. */
  engineArch: Arch;
  /** The platforms to build, the engine's first when it is among them. */
  targets: Arch[];
  /** A prebuilt binary (--binary or build.binary), checked to be a static ELF. */
  prebuilt?: CheckedBinary & { shown: string };
  /** A static tini per platform. */
  tini: Map<Arch, CheckedBinary & { source: string }>;
  /** image.files, certificates, zoneinfo: checked host files. */
  contents: HostContents;
  /** Per platform, the libraries of image.libraries: host (with nsswitch.conf) as entries. */
  libraries: Map<Arch, { entries: ContextEntry[]; libraries: HostLibrary[] }>;
}

/**
 * Every check that needs no engine runs before `connect` is called (issue 19:
 * a bad input is exit 2, never "cannot reach the Docker Engine"): the
 * reference and platforms, the prebuilt binary (a complete ELF; dynamic only
 * with image.libraries: host), tini, image.files, the CA bundle, zoneinfo and
 * the libraries — for the platforms asked for, else for the architecture the
 * engine will have: the host's when the engine is local, else the binary's.
 * After connecting, a different engine architecture is checked again.
 */
export async function resolveInputs(req: ResolveRequest, connect: () => Promise<Engine>): Promise<ResolvedInputs> {
  const { spec, configDir } = req;
  const image = resolveTag(spec.image.repository, spec.image.tag, req.tag);
  const requested = req.platforms ?? spec.image.platforms;
  const archs = requested ? [...new Set(parsePlatforms(requested))] : undefined;
  if (archs && archs.length > 1 && !req.push) {
    throw new UsageError(`${archs.length} platforms need --push: a manifest list lives in a registry (the engine holds one platform per tag)`);
  }
  if (archs && archs.length > 1 && req.binary) throw new UsageError('--binary is one architecture: it cannot be used with several platforms');
  if (req.dockerfile && archs && archs.length > 1) throw new UsageError('--dockerfile builds one platform; several platforms are assembled');
  if (req.dockerfile && spec.image.base) throw new UsageError('--dockerfile cannot build on image.base: the assembled build merges the base\'s users and config; leave out --dockerfile');

  const prebuiltPath =
    req.binary !== undefined
      ? { path: path.resolve(req.cwd, req.binary), shown: req.binary }
      : spec.build.kind === 'binary'
        ? { path: path.resolve(configDir, spec.build.path), shown: spec.build.path }
        : undefined;
  const dynamic = spec.image.libraries === 'host' ? 'allow' : 'refuse';
  const prebuilt = prebuiltPath ? { ...(await checkExecutable(prebuiltPath.path, undefined, 'binary', prebuiltPath.shown, { dynamic })), shown: prebuiltPath.shown } : undefined;
  if (prebuilt && prebuilt.arch === 'unknown') throw new UsageError(`binary ${prebuilt.shown} is built for machine ${prebuilt.elf.machine}, which goneat-deploy cannot build images for (amd64, arm64)`);

  const hostArch = req.hostArch ?? goArch(os.arch());
  const presumed: Arch[] = archs ?? [req.engineIsLocal || !prebuilt ? hostArch : prebuilt.arch];
  const tiniFor = async (targets: Arch[], own: Arch) => {
    const m = new Map<Arch, CheckedBinary & { source: string }>();
    for (const arch of targets) m.set(arch, await findTini(spec.tini, configDir, arch, { native: arch === own, env: req.env, cwd: req.cwd }));
    return m;
  };
  const librariesFor = async (targets: Arch[]) => {
    const m = new Map<Arch, { entries: ContextEntry[]; libraries: HostLibrary[] }>();
    for (const arch of targets) m.set(arch, prebuilt ? await libraryEntries(spec, prebuilt, arch) : { entries: [], libraries: [] });
    return m;
  };
  if (prebuilt) for (const arch of presumed) requireArch(prebuilt, arch, 'binary', prebuilt.shown);
  let tini = await tiniFor(presumed, archs ? hostArch : presumed[0]!);
  const contents = await hostContents(spec, configDir, req.env, req.cwd);
  let libraries = await librariesFor(presumed);
  // Clashes with what goneat-deploy writes, or between contents, are input errors too: checked now.
  for (const l of libraries.values()) mergeEntries(spec, [], [...contents.entries, ...l.entries]);

  const engine = await connect();
  const info = await engine.info();
  const engineArch = goArch(info.arch);
  const targets: Arch[] = archs ?? [engineArch];
  if (targets.includes('unknown')) throw new UsageError(`the Docker Engine runs on ${info.arch}, which goneat-deploy cannot build for (amd64, arm64)`);
  if (!archs && engineArch !== presumed[0]) {
    if (prebuilt) requireArch(prebuilt, engineArch, 'binary', prebuilt.shown);
    tini = await tiniFor(targets, engineArch);
    libraries = await librariesFor(targets);
  } else if (archs && hostArch !== engineArch) {
    tini = await tiniFor(targets, engineArch);
  }
  return { image, engine, engineArch, targets, ...(prebuilt ? { prebuilt } : {}), tini, contents, libraries };
}
