/**
 * Build stage 4, load: the engine's platform into the engine — the assembled
 * image as a `docker save` archive (POST /images/load), or the build context
 * to the engine's builder (--dockerfile) — and its size as the engine sees it.
 */
import type { Images } from '../runtime/engine.js';
import { dockerArchive } from './assemble.js';
import { packContext } from './context.js';
import type { PlatformImage } from './produce.js';
import type { Progress } from './progress.js';

export interface Loaded {
  /** Image ID as the engine reports it (its image store decides what it is a digest of). */
  id: string;
  size: number;
  /** Bytes sent to the engine (the archive, or the build context). */
  contextBytes: number;
  /** repository@digest the engine knows this image by (set when it pushed this very image). */
  repoDigests: string[];
}

export async function loadIntoEngine(
  images: Images,
  req: { image: string; local: PlatformImage; created: Date; host: string; progress: Progress; signal?: AbortSignal },
): Promise<Loaded> {
  const { image, local, progress } = req;
  let id: string;
  let contextBytes: number;
  if (!local.assembled) {
    const ctx = packContext(local.plan.entries, req.created);
    progress.step(`building ${image} (linux/${local.arch}) with the engine's builder on ${req.host}`);
    id = await images.build(ctx.stream, {
      tag: image,
      labels: local.plan.buildLabels,
      ...(req.signal ? { signal: req.signal } : {}),
      onEvent: (e) => e.stream && progress.engine(e.stream.replace(/\n$/, '')),
    });
    contextBytes = await ctx.bytes;
  } else {
    const archive = await dockerArchive(local.assembled, [image], req.created);
    contextBytes = archive.length;
    progress.step(`loading ${image} (linux/${local.arch}, assembled: ${local.assembled.imageId.slice(7, 19)}) into ${req.host}`);
    await images.load(archive);
    id = local.assembled.imageId;
  }
  const info = await images.inspect(image);
  // The ID the engine reports: the config's digest in the graph-driver image store (= the assembled
  // imageId), the manifest's digest in containerd's image store (Engine 29's default). Both are
  // deterministic; reporting the engine's keeps `docker images` and `build --json` in agreement.
  if (info?.id) id = info.id;
  return { id, size: info?.size ?? 0, contextBytes, repoDigests: info?.repoDigests ?? [] };
}
