/**
 * Assembles the image without a builder, the way ko does: one layer with
 * fixed owners, modes, order and modification times, and a config with a
 * fixed `created` (SOURCE_DATE_EPOCH, else the Unix epoch). The same binary,
 * tini and config give the same layer digest, config digest and image ID on
 * every run. Pure over the bytes it is given (host files are read by the caller).
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';
import type { ServiceSpec } from '../model/service.js';
import type { BaseImage, BaseLayer } from './base.js';
import { ROOTFS_DIR } from './dockerfile.js';
import type { ContextEntry } from './plan.js';

/** The PATH the Docker builder gives FROM scratch images; kept so both build paths agree. */
export const DEFAULT_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export interface LayerFile {
  name: string;
  type: 'file' | 'directory' | 'symlink';
  mode: number;
  data?: Buffer;
  linkname?: string;
}

export function sha256(data: Buffer | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** The rootfs entries of an image plan, with the host files' bytes read by `read`. */
export async function layerFiles(entries: ContextEntry[], read: (hostPath: string) => Promise<Buffer>): Promise<LayerFile[]> {
  const out: LayerFile[] = [];
  for (const e of entries) {
    if (!e.name.startsWith(`${ROOTFS_DIR}/`)) continue;
    const name = e.name.slice(ROOTFS_DIR.length + 1);
    if (e.type === 'directory') out.push({ name, type: 'directory', mode: e.mode });
    else if (e.type === 'symlink') out.push({ name, type: 'symlink', mode: e.mode, linkname: e.linkname! });
    else out.push({ name, type: 'file', mode: e.mode, data: e.data ?? (await read(e.hostPath!)) });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

/** A tar archive in memory, entries in the given order, owners root, fixed mtime. */
export function tarBuffer(files: LayerFile[], mtime: Date): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const pack = tar.pack();
    const chunks: Buffer[] = [];
    pack.on('data', (c: unknown) => void chunks.push(c as Buffer));
    pack.on('end', () => resolve(Buffer.concat(chunks)));
    pack.on('error', reject);
    for (const f of files) {
      const header = { name: f.name, mode: f.mode, mtime, uid: 0, gid: 0, uname: '', gname: '' };
      if (f.type === 'directory') pack.entry({ ...header, type: 'directory' });
      else if (f.type === 'symlink') pack.entry({ ...header, type: 'symlink', linkname: f.linkname! });
      else pack.entry({ ...header, type: 'file', size: f.data!.length }, f.data!);
    }
    pack.finalize();
  });
}

export interface AssembledImage {
  arch: string;
  /** The base's layers (image.base), before ours; empty on scratch. */
  baseLayers: BaseLayer[];
  layer: Buffer;
  /** sha256 of the uncompressed layer (rootfs.diff_ids). */
  diffId: string;
  config: Buffer;
  /** sha256 of the config: the image ID. */
  imageId: string;
}

/**
 * The image's runtime config: the same fields the Dockerfile path produces.
 * On a base (image.base), what the base says is merged so: its ENV is kept
 * (ours wins by name; its PATH replaces the default) and its labels are kept
 * (ours win); its ENTRYPOINT, CMD, USER, WORKDIR, STOPSIGNAL, Healthcheck,
 * ExposedPorts, Volumes and OnBuild are replaced or dropped — tini stays PID 1
 * in exec form with the numeric user and shutdown.signal.
 */
export function runtimeConfig(spec: ServiceSpec, labels: Record<string, string>, base?: BaseImage): Record<string, unknown> {
  const exposed = Object.fromEntries(spec.ports.map((p) => [`${p.port}/${p.protocol}`, {}]));
  const ours = new Set(spec.env.map(([k]) => k));
  const baseEnv = ((base?.config.config?.Env as string[] | null | undefined) ?? []).filter((e) => !ours.has(e.split('=')[0]!));
  const env = [...(baseEnv.some((e) => e.startsWith('PATH=')) ? [] : [DEFAULT_PATH]), ...baseEnv, ...spec.env.map(([k, v]) => `${k}=${v}`)];
  const baseLabels = (base?.config.config?.Labels as Record<string, string> | null | undefined) ?? {};
  return {
    User: `${spec.user.uid}:${spec.user.gid}`,
    ...(spec.ports.length ? { ExposedPorts: exposed } : {}),
    Env: env,
    Entrypoint: spec.entrypoint,
    WorkingDir: '/app',
    Labels: Object.fromEntries(Object.entries({ ...baseLabels, ...labels }).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
    StopSignal: spec.shutdown.signal,
  };
}

export async function assemble(input: {
  spec: ServiceSpec;
  files: LayerFile[];
  labels: Record<string, string>;
  arch: string;
  created: Date;
  base?: BaseImage;
}): Promise<AssembledImage> {
  const layer = await tarBuffer(input.files, input.created);
  const diffId = sha256(layer);
  const created = input.created.toISOString().replace(/\.000Z$/, 'Z');
  const baseLayers = input.base?.layers ?? [];
  const config = Buffer.from(
    JSON.stringify({
      architecture: input.arch,
      os: 'linux',
      created,
      config: runtimeConfig(input.spec, input.labels, input.base),
      rootfs: { type: 'layers', diff_ids: [...baseLayers.map((l) => l.diffId), diffId] },
      history: [
        ...((input.base?.config.history as unknown[] | undefined) ?? []),
        { created, created_by: `goneat-deploy build: tini, the service binary, passwd/group, /tmp${input.base ? ` on ${input.base.ref}` : ''}` },
      ],
    }),
  );
  return { arch: input.arch, baseLayers, layer, diffId, config, imageId: sha256(config) };
}

/** A `docker save`-format archive for `docker load` (POST /images/load). */
export async function dockerArchive(image: AssembledImage, tags: string[], mtime: Date): Promise<Buffer> {
  const hex = (d: string) => d.slice('sha256:'.length);
  const layers = [...image.baseLayers, { diffId: image.diffId, data: image.layer }];
  const configPath = `${hex(image.imageId)}.json`;
  const manifest = Buffer.from(JSON.stringify([{ Config: configPath, RepoTags: tags, Layers: layers.map((l) => `${hex(l.diffId)}/layer.tar`) }]));
  const seen = new Set<string>();
  return tarBuffer(
    [
      ...layers.flatMap((l): LayerFile[] => {
        if (seen.has(l.diffId)) return [];
        seen.add(l.diffId);
        return [
          { name: `${hex(l.diffId)}/`, type: 'directory', mode: 0o755 },
          { name: `${hex(l.diffId)}/layer.tar`, type: 'file', mode: 0o644, data: l.data },
        ];
      }),
      { name: configPath, type: 'file', mode: 0o644, data: image.config },
      { name: 'manifest.json', type: 'file', mode: 0o644, data: manifest },
    ],
    mtime,
  );
}

export const MEDIA = {
  manifest: 'application/vnd.docker.distribution.manifest.v2+json',
  list: 'application/vnd.docker.distribution.manifest.list.v2+json',
  config: 'application/vnd.docker.container.image.v1+json',
  layer: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
} as const;

export interface RegistryImage {
  arch: string;
  config: { data: Buffer; digest: string };
  /** Every layer, gzipped, base layers first. */
  layers: Array<{ data: Buffer; digest: string }>;
  manifest: { data: Buffer; digest: string };
}

/** The registry form of an image: gzipped layer (deterministic: zlib writes no timestamp) and a schema 2 manifest. */
export function registryImage(image: AssembledImage): RegistryImage {
  const layers = [...image.baseLayers.map((l) => l.data), image.layer].map((raw) => {
    const gz = gzipSync(raw, { level: 6 });
    return { data: gz, digest: sha256(gz) };
  });
  const config = { data: image.config, digest: image.imageId };
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MEDIA.manifest,
      config: { mediaType: MEDIA.config, size: config.data.length, digest: config.digest },
      layers: layers.map((l) => ({ mediaType: MEDIA.layer, size: l.data.length, digest: l.digest })),
    }),
  );
  return { arch: image.arch, config, layers, manifest: { data: manifest, digest: sha256(manifest) } };
}

export function manifestList(images: RegistryImage[]): { data: Buffer; digest: string } {
  const data = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MEDIA.list,
      manifests: images.map((i) => ({
        mediaType: MEDIA.manifest,
        size: i.manifest.data.length,
        digest: i.manifest.digest,
        platform: { architecture: i.arch, os: 'linux' },
      })),
    }),
  );
  return { data, digest: sha256(data) };
}
