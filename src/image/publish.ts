/**
 * Build stage 5, publish (--push): one platform through the engine (docker
 * push, with the docker CLI's credentials); several as per-platform manifests
 * and a manifest list through the Registry HTTP API, which Docker 20.10's
 * Engine API cannot push. Resolves with the digest to deploy by.
 */
import { RuntimeError } from '../errors.js';
import type { Images } from '../runtime/engine.js';
import { manifestList, MEDIA, registryImage } from './assemble.js';
import { credentialsFor, registryOf, type Credentials } from './credentials.js';
import type { PlatformImage } from './produce.js';
import type { Progress } from './progress.js';
import { RegistryClient, splitRef, type RegistryTarget } from './registry.js';

/** The part of the Registry HTTP API a manifest list push needs (RegistryClient; a fake in tests). */
export interface Registry {
  pushBlob(data: Buffer, digest: string): Promise<void>;
  /** Resolves with the digest the registry reported. */
  pushManifest(reference: string, mediaType: string, data: Buffer): Promise<string>;
}

export interface Published {
  /** The manifest digest (one platform) or the manifest list's (several). */
  digest: string;
  /** Per platform ("linux/amd64"), the manifest digest pushed as part of a list. */
  manifests: Record<string, string>;
}

export async function publish(
  images: Images,
  req: {
    image: string;
    platforms: PlatformImage[];
    env: Record<string, string | undefined>;
    progress: Progress;
    /** How to reach a registry; RegistryClient unless a test gives another. */
    registry?: (target: RegistryTarget, creds: Credentials | undefined) => Registry;
  },
): Promise<Published> {
  const { image, progress } = req;
  const registry = registryOf(image);
  const creds = await credentialsFor(registry, req.env);
  if (req.platforms.length === 1) {
    progress.step(`pushing ${image} through the engine`);
    const auth = creds
      ? { ...(creds.username ? { username: creds.username, password: creds.password ?? '' } : {}), ...(creds.identitytoken ? { identitytoken: creds.identitytoken } : {}), serveraddress: creds.serveraddress }
      : undefined;
    const digest = await images.push(image, auth, (l) => progress.engine(l)).catch((err: Error) => {
      if (/auth|unauthori[sz]ed|denied|credentials/i.test(err.message)) throw new RuntimeError(`${err.message}; log in first: docker login ${registry}`);
      throw err;
    });
    return { digest, manifests: {} };
  }
  const target = splitRef(image, registry);
  const client = (req.registry ?? ((t, c) => new RegistryClient(t, c)))(target, creds);
  const pushed = [];
  const manifests: Record<string, string> = {};
  for (const p of req.platforms) {
    const r = registryImage(p.assembled!);
    progress.step(`pushing linux/${p.arch} to ${target.registry}/${target.name}`);
    for (const l of r.layers) await client.pushBlob(l.data, l.digest);
    await client.pushBlob(r.config.data, r.config.digest);
    await client.pushManifest(r.manifest.digest, MEDIA.manifest, r.manifest.data);
    manifests[`linux/${p.arch}`] = r.manifest.digest;
    pushed.push(r);
  }
  const list = manifestList(pushed);
  progress.step(`pushing the manifest list ${target.tag}`);
  await client.pushManifest(target.tag, MEDIA.list, list.data);
  return { digest: list.digest, manifests };
}
