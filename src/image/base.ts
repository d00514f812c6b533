/**
 * `image.base`: the image to build on instead of scratch — from the local
 * engine (`docker save` through Images.save), else pulled from its registry
 * with the Registry HTTP API (a manifest list resolved to the platform).
 * Nothing of the base is changed: its layers are used byte for byte (so the
 * result stays reproducible), and only its config is merged (assemble.ts
 * runtimeConfig: what is kept and what is replaced).
 *
 * Refused, exit 2: a base for another architecture, and a base whose
 * ENTRYPOINT runs a shell — goneat-deploy replaces the entrypoint with tini
 * and the service, so whatever that shell would have set up is silently
 * skipped, and a shell as PID 1 is the very bug this tool exists to remove.
 */
import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import tar from 'tar-stream';
import { RuntimeError, UsageError } from '../errors.js';
import type { Images } from '../runtime/engine.js';
import { credentialsFor, registryOf, type Credentials } from './credentials.js';
import type { Arch } from './elf.js';
import { RegistryClient, splitRef, type RegistryTarget } from './registry.js';
import { formatImageReference, parseImageReference } from '../model/reference.js';

export interface BaseLayer {
  /** The uncompressed layer tar. */
  data: Buffer;
  /** sha256 of `data` (rootfs.diff_ids). */
  diffId: string;
}

export interface BaseImage {
  ref: string;
  source: 'engine' | 'registry';
  /** The base's image config (architecture, config, rootfs, history). */
  config: { architecture?: string; config?: Record<string, unknown>; history?: unknown[]; rootfs?: { diff_ids?: string[] } };
  layers: BaseLayer[];
  /** /etc/passwd and /etc/group as the base's layers leave them, when it has them. */
  passwd?: string;
  group?: string;
}

const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const SHELLS = new Set(['sh', 'bash', 'dash', 'ash', 'ksh', 'mksh', 'zsh', 'busybox']);

/** Every entry of a tar archive by name (regular files only). */
function untar(data: Buffer): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    const files = new Map<string, Buffer>();
    const ex = tar.extract();
    ex.on('entry', (h, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: unknown) => void chunks.push(c as Buffer));
      stream.on('end', () => {
        if (h.type === 'file') files.set(h.name.replace(/^\.\//, ''), Buffer.concat(chunks));
        else if (h.type === 'symlink') files.delete(h.name.replace(/^\.\//, ''));
        next();
      });
      stream.resume();
    });
    ex.on('finish', () => resolve(files));
    ex.on('error', reject);
    ex.end(data);
  });
}

const maybeGunzip = (b: Buffer) => (b[0] === 0x1f && b[1] === 0x8b ? gunzipSync(b) : b);

/** The files the base's layers leave at `names` (later layers win; whiteouts remove). */
async function lastVersions(layers: BaseLayer[], names: string[]): Promise<Record<string, string | undefined>> {
  const out: Record<string, string | undefined> = {};
  for (const l of layers) {
    const files = await untar(l.data);
    for (const n of names) {
      const base = n.split('/').pop()!;
      const dir = n.slice(0, -base.length);
      if (files.has(`${dir}.wh.${base}`)) out[n] = undefined;
      if (files.has(n)) out[n] = files.get(n)!.toString('utf8');
    }
  }
  return out;
}

/** The shell-form or shell ENTRYPOINT problem of a base config, or undefined. */
export function shellEntrypoint(config: Record<string, unknown> | undefined): string | undefined {
  const ep = (config?.Entrypoint as string[] | null | undefined) ?? [];
  if (!ep.length) return undefined;
  const argv0 = ep[0]!.split('/').pop()!;
  if (SHELLS.has(argv0) || ep.includes('-c') || /\.sh$/.test(argv0)) return JSON.stringify(ep);
  return undefined;
}

async function finish(ref: string, source: BaseImage['source'], config: BaseImage['config'], layers: BaseLayer[], arch: Arch): Promise<BaseImage> {
  if (config.architecture && config.architecture !== arch) {
    throw new UsageError(`image.base ${ref} is an image for ${config.architecture}, but this image is linux/${arch}`);
  }
  const shell = shellEntrypoint(config.config);
  if (shell) {
    throw new UsageError(
      `image.base ${ref} has an ENTRYPOINT that runs a shell (${shell}): goneat-deploy replaces it with tini and the service, so what it sets up would be skipped; use a base without that ENTRYPOINT`,
    );
  }
  const want = config.rootfs?.diff_ids ?? [];
  if (want.length !== layers.length || want.some((d, i) => d !== layers[i]!.diffId)) {
    throw new RuntimeError(`image.base ${ref}: its layers do not match the diff_ids in its config (a corrupt image?)`);
  }
  const etc = await lastVersions(layers, ['etc/passwd', 'etc/group']);
  return { ref, source, config, layers, ...(etc['etc/passwd'] !== undefined ? { passwd: etc['etc/passwd'] } : {}), ...(etc['etc/group'] !== undefined ? { group: etc['etc/group'] } : {}) };
}

/** The base from the engine's `docker save` archive. */
async function fromEngine(images: Images, ref: string, arch: Arch): Promise<BaseImage> {
  const files = await untar(await images.save(ref));
  const manifest = JSON.parse(files.get('manifest.json')?.toString() ?? '[]') as Array<{ Config: string; Layers: string[] }>;
  const m = manifest[0];
  if (!m) throw new RuntimeError(`image.base ${ref}: the engine's archive has no manifest`);
  const config = JSON.parse(files.get(m.Config)!.toString()) as BaseImage['config'];
  const layers = m.Layers.map((l) => {
    const data = maybeGunzip(files.get(l)!);
    return { data, diffId: sha(data) };
  });
  return finish(ref, 'engine', config, layers, arch);
}

const ACCEPT = [
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
];

/** The base from its registry (Registry HTTP API V2), for `arch`. */
async function fromRegistry(ref: string, arch: Arch, client: { getManifest: RegistryClient['getManifest']; getBlob: RegistryClient['getBlob'] }, reference: string): Promise<BaseImage> {
  let m = await client.getManifest(reference, ACCEPT);
  let doc = JSON.parse(m.body.toString()) as { manifests?: Array<{ digest: string; platform?: { architecture?: string; os?: string } }>; config?: { digest: string }; layers?: Array<{ digest: string }> };
  if (doc.manifests) {
    const pick = doc.manifests.find((x) => x.platform?.os === 'linux' && x.platform.architecture === arch);
    if (!pick) throw new UsageError(`image.base ${ref} has no linux/${arch} image (it has ${doc.manifests.map((x) => `${x.platform?.os}/${x.platform?.architecture}`).join(', ')})`);
    m = await client.getManifest(pick.digest, ACCEPT);
    doc = JSON.parse(m.body.toString()) as typeof doc;
  }
  if (!doc.config || !doc.layers) throw new RuntimeError(`image.base ${ref}: unsupported manifest (${m.mediaType})`);
  const config = JSON.parse((await client.getBlob(doc.config.digest)).toString()) as BaseImage['config'];
  const layers: BaseLayer[] = [];
  for (const l of doc.layers) {
    const data = maybeGunzip(await client.getBlob(l.digest));
    layers.push({ data, diffId: sha(data) });
  }
  return finish(ref, 'registry', config, layers, arch);
}

/**
 * Fetches the base for `arch`: the engine's copy when it has the reference
 * (and it is for `arch`), else from the registry the reference names.
 * Errors: UsageError for a base that cannot be used or found; RuntimeError
 * when the registry fails.
 */
export async function fetchBase(
  ref: string,
  arch: Arch,
  images: Images,
  opts: { env: Record<string, string | undefined>; registry?: (target: RegistryTarget, creds: Credentials | undefined) => Pick<RegistryClient, 'getManifest' | 'getBlob'> },
): Promise<BaseImage> {
  const local = await images.inspect(ref);
  if (local && (local.architecture === arch || !local.architecture)) return fromEngine(images, ref, arch);
  const registry = registryOf(ref);
  const parsed = parseImageReference(ref);
  if ('problem' in parsed) throw new UsageError(`image.base ${ref}: ${parsed.problem}`);
  const digest = parsed.digest;
  const target = splitRef(formatImageReference({ repository: parsed.repository, ...(parsed.tag !== undefined ? { tag: parsed.tag } : {}) }), registry);
  const creds = await credentialsFor(registry, opts.env);
  const client = (opts.registry ?? ((t, c) => new RegistryClient(t, c)))(target, creds);
  try {
    return await fromRegistry(ref, arch, client, digest ?? target.tag);
  } catch (err) {
    if (err instanceof UsageError) throw err;
    const why = (err as Error).message;
    if (local) throw new UsageError(`image.base ${ref}: the engine has it for ${local.architecture} only, and the registry could not give linux/${arch}: ${why}`);
    throw new UsageError(`image.base ${ref}: not in the local engine, and not pulled from ${registry}: ${why}`);
  }
}

/**
 * /etc/passwd and /etc/group for an image on a base: the base's own, with the
 * service's numeric user and group added when no entry has that ID yet.
 */
export function mergeUsers(base: BaseImage | undefined, uid: number, gid: number, ours: { passwd: string; group: string }): { passwd: string; group: string } {
  if (!base?.passwd && !base?.group) return ours;
  const lines = (t: string | undefined) => (t ?? '').split('\n').filter(Boolean);
  const passwd = lines(base.passwd);
  const group = lines(base.group);
  const names = new Set(passwd.map((l) => l.split(':')[0]));
  const gnames = new Set(group.map((l) => l.split(':')[0]));
  const user = names.has('nonroot') ? 'goneat' : 'nonroot';
  const grp = gnames.has('nonroot') ? 'goneat' : 'nonroot';
  if (!passwd.some((l) => l.split(':')[2] === String(uid))) passwd.push(`${user}:x:${uid}:${gid}:${user}:/nonexistent:/sbin/nologin`);
  if (!group.some((l) => l.split(':')[2] === String(gid))) group.push(`${grp}:x:${gid}:`);
  if (!passwd.length) return ours;
  return { passwd: `${passwd.join('\n')}\n`, group: group.length ? `${group.join('\n')}\n` : ours.group };
}
