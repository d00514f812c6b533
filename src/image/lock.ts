/**
 * goneat-deploy.lock.json: what the last `build --push` published, next to
 * the config. `generate` pins the image by this digest, so what is deployed
 * is exactly what was built; commit it to pin in CI too.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { splitTag } from '../model/reference.js';
import type { ServiceSpec } from '../model/service.js';
import { atomicWrite } from '../write/writer.js';

export const LOCK_FILE = 'goneat-deploy.lock.json';

export interface BuildLock {
  repository: string;
  tag: string;
  digest: string;
  platforms: string[];
}

export function lockContent(lock: BuildLock): string {
  return `${JSON.stringify(lock, null, 2)}\n`;
}

export async function readLock(configDir: string): Promise<BuildLock | undefined> {
  try {
    const l = JSON.parse(await readFile(path.join(configDir, LOCK_FILE), 'utf8')) as BuildLock;
    return typeof l.digest === 'string' && /^sha256:[0-9a-f]{64}$/.test(l.digest) ? l : undefined;
  } catch {
    return undefined;
  }
}

/** The pinned reference for the spec's image, when the lock is for that repository and tag. */
export function pinnedRef(spec: ServiceSpec, lock: BuildLock | undefined): string | undefined {
  if (!lock || lock.repository !== spec.image.repository || lock.tag !== spec.image.tag) return undefined;
  return `${lock.repository}:${lock.tag}@${lock.digest}`;
}

/** Records what `build --push` published (image = repository:tag) next to the config, atomically. */
export async function writeLock(configDir: string, pushed: { image: string; digest: string; platforms: string[] }): Promise<void> {
  const { repository, tag } = splitTag(pushed.image);
  await atomicWrite(path.join(configDir, LOCK_FILE), lockContent({ repository, tag, digest: pushed.digest, platforms: pushed.platforms }));
}
