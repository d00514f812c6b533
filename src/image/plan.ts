/**
 * The image plan: what goes into the build context and the Dockerfile that
 * turns it into an image. Pure: host files are referenced by path, small
 * files are inline. Never the user's repository, only what the image needs.
 */
import path from 'node:path';
import { renderDockerfile, imageLabels, ROOTFS_DIR } from './dockerfile.js';
import type { RenderedFile } from '../model/generated.js';
import { TINI_PATH, type ServiceSpec } from '../model/service.js';

export interface ContextEntry {
  /** Path inside the tar, forward slashes. */
  name: string;
  type: 'file' | 'directory';
  mode: number;
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

export function planImage(spec: ServiceSpec, input: { tag: string; binary: Artifact; tini: Artifact; configDir?: string }): ImagePlan {
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
    inline('etc/group', groupFile(spec.user.gid)),
    inline('etc/passwd', passwdFile(spec.user.uid, spec.user.gid)),
    dir('sbin'),
    { name: `${ROOTFS_DIR}${TINI_PATH}`, type: 'file', mode: 0o755, hostPath: input.tini.hostPath, size: input.tini.size },
    dir('tmp', 0o1777),
    ...spec.files.map((f): ContextEntry => ({ name: `${ROOTFS_DIR}${f.target}`, type: 'file', mode: 0o644, hostPath: path.resolve(input.configDir ?? '.', f.source) })),
  ];
  entries.sort((a, b) => (a.name === 'Dockerfile' ? -1 : b.name === 'Dockerfile' ? 1 : a.name.localeCompare(b.name)));
  return {
    tag: input.tag,
    dockerfile,
    entries,
    labels,
    buildLabels: {
      'io.goneat-deploy.tini.sha256': input.tini.sha256,
      'io.goneat-deploy.binary.sha256': input.binary.sha256,
    },
  };
}
