/**
 * The image plan: what goes into the build context and the Dockerfile that
 * turns it into an image. Pure: host files are referenced by path, small
 * files are inline. Never the user's repository, only what the image needs.
 */
import path from 'node:path';
import { UsageError } from '../errors.js';
import { reservedTargets, SBOM_PATH } from '../model/contents.js';
import { renderDockerfile, imageLabels, ROOTFS_DIR } from './dockerfile.js';
import type { RenderedFile } from '../model/generated.js';
import { TINI_PATH, type ServiceSpec } from '../model/service.js';

export interface ContextEntry {
  /** Path inside the tar, forward slashes. */
  name: string;
  type: 'file' | 'directory' | 'symlink';
  mode: number;
  /** A symlink's target, as written in the link. */
  linkname?: string;
  /** What put it there, for messages about clashes ("image.files[0]", "image.libraries"). */
  origin?: string;
  /** Inline content. */
  data?: Buffer;
  /** Or a host file streamed at pack time. */
  hostPath?: string;
  size?: number;
}

export interface Artifact {
  hostPath: string;
  size: number;
  sha256: string;
}

export interface ImagePlan {
  tag: string;
  dockerfile: RenderedFile;
  entries: ContextEntry[];
  /** Labels the Dockerfile sets (from the config). */
  labels: Record<string, string>;
  /** Labels that depend on the build (tini and binary digests), passed to the engine, not written in the Dockerfile. */
  buildLabels: Record<string, string>;
}

export function passwdFile(uid: number, gid: number): string {
  return `root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:${uid}:${gid}:nonroot:/nonexistent:/sbin/nologin\n`;
}

export function groupFile(gid: number): string {
  return `root:x:0:\nnonroot:x:${gid}:\n`;
}

/**
 * The image plan. `extra` are the checked contents of contents.ts (files,
 * certificates, zoneinfo, libraries) and `sbom` the SPDX document; without
 * `extra`, the trpc-go preset's files are taken from the spec as they are.
 */
export function planImage(
  spec: ServiceSpec,
  input: { tag: string; binary: Artifact; tini: Artifact; configDir?: string; extra?: ContextEntry[]; sbom?: Buffer; users?: { passwd: string; group: string } },
): ImagePlan {
  const labels = imageLabels(spec);
  const dockerfile = renderDockerfile(spec, labels);
  const dir = (name: string, mode = 0o755): ContextEntry => ({ name: `${ROOTFS_DIR}/${name}/`, type: 'directory', mode });
  const inline = (name: string, text: string): ContextEntry => {
    const data = Buffer.from(text);
    return { name: `${ROOTFS_DIR}/${name}`, type: 'file', mode: 0o644, data, size: data.length };
  };
  const entries: ContextEntry[] = [
    { name: 'Dockerfile', type: 'file', mode: 0o644, data: Buffer.from(dockerfile.content), size: Buffer.byteLength(dockerfile.content) },
    dir('app'),
    { name: `${ROOTFS_DIR}${spec.binaryPath}`, type: 'file', mode: 0o755, hostPath: input.binary.hostPath, size: input.binary.size },
    dir('etc'),
    inline('etc/group', input.users?.group ?? groupFile(spec.user.gid)),
    inline('etc/passwd', input.users?.passwd ?? passwdFile(spec.user.uid, spec.user.gid)),
    dir('sbin'),
    { name: `${ROOTFS_DIR}${TINI_PATH}`, type: 'file', mode: 0o755, hostPath: input.tini.hostPath, size: input.tini.size },
    dir('tmp', 0o1777),
    ...(input.sbom ? [{ name: `${ROOTFS_DIR}${SBOM_PATH}`, type: 'file' as const, mode: 0o444, data: input.sbom, size: input.sbom.length }] : []),
  ];
  const extra =
    input.extra ??
    spec.files.map((f): ContextEntry => ({ name: `${ROOTFS_DIR}${f.target}`, type: 'file', mode: f.mode ?? 0o644, hostPath: path.resolve(input.configDir ?? '.', f.source), origin: f.field ?? 'the trpc-go preset' }));
  return {
    tag: input.tag,
    dockerfile,
    entries: mergeEntries(spec, entries, extra),
    labels,
    buildLabels: {
      'io.goneat-deploy.tini.sha256': input.tini.sha256,
      'io.goneat-deploy.binary.sha256': input.binary.sha256,
    },
  };
}

/**
 * Every rootfs entry once: parent directories added (0755) where missing,
 * directories merged, and a clash — two files on one path, or a file on a
 * path goneat-deploy writes — refused naming both. Sorted by name.
 */
export function mergeEntries(spec: ServiceSpec, base: ContextEntry[], extra: ContextEntry[]): ContextEntry[] {
  const reserved = reservedTargets(spec.binaryPath, { certificates: spec.image.certificates, libraries: spec.image.libraries === 'host' });
  const byName = new Map<string, ContextEntry>();
  const key = (e: ContextEntry) => e.name.replace(/\/$/, '');
  for (const e of base) byName.set(key(e), e);
  for (const e of extra) {
    const k = key(e);
    const target = k.slice(ROOTFS_DIR.length);
    const had = byName.get(k);
    if (e.type === 'directory') {
      if (had && had.type !== 'directory') throw new UsageError(`${e.origin}: ${target} is a directory, but ${had.origin ?? 'goneat-deploy'} puts a file there`);
      if (!had) byName.set(k, e);
      continue;
    }
    const why = reserved.get(target);
    if (why && e.origin !== 'image.certificates' && e.origin !== 'image.libraries') throw new UsageError(`${e.origin}: ${target} is ${why}: goneat-deploy writes it, a file may not replace it`);
    if (had) throw new UsageError(`${e.origin}: ${target} is also put there by ${had.origin ?? 'goneat-deploy'}: two files cannot share one path`);
    byName.set(k, e);
  }
  // Parents of every entry, so each directory has a fixed mode in the layer.
  for (const k of [...byName.keys()]) {
    let dir = path.posix.dirname(k);
    while (dir.length > ROOTFS_DIR.length) {
      const had = byName.get(dir);
      if (had && had.type !== 'directory') throw new UsageError(`${byName.get(k)!.origin}: ${dir.slice(ROOTFS_DIR.length)} must be a directory, but ${had.origin ?? 'goneat-deploy'} puts a file there`);
      if (!had) byName.set(dir, { name: `${dir}/`, type: 'directory', mode: 0o755 });
      dir = path.posix.dirname(dir);
    }
  }
  return [...byName.values()].sort((a, b) => (a.name === 'Dockerfile' ? -1 : b.name === 'Dockerfile' ? 1 : a.name.localeCompare(b.name)));
}
