/**
 * goneat-deploy.lock.json: what the last `build --push` published, next to
 * the config. `generate` pins the image by this digest, so what is deployed
 * is exactly what was built; commit it to pin in CI too.
 *
 * A lock file that is there but cannot be read — truncated, not JSON, a field
 * missing or not an image reference — is an error located in the file: using
 * it would deploy something else than what was built, and ignoring it would
 * silently un-pin the image.
 */
import path from 'node:path';
import { ConfigError, fileError } from '../errors.js';
import { parseImageReference, TAG_PATTERN } from '../model/reference.js';
import type { ServiceSpec } from '../model/service.js';
import { YamlSource } from '../model/source.js';
import { READ_LIMITS, readTextFile } from '../util/read.js';
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

const PLATFORMS = ['linux/amd64', 'linux/arm64'];
const HINT = 'run `goneat-deploy build --push` again to rewrite it, or delete it to deploy the unpinned tag';

/** Line and column (1-based) of a character offset in `text`. */
function position(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, Math.max(0, Math.min(offset, text.length)));
  const line = before.split('\n').length;
  return { line, column: offset - (before.lastIndexOf('\n') + 1) + 1 };
}

/**
 * The lock's fields, checked; ConfigError located in `shown` (the file as the
 * user sees it) when the text is not a valid lock. Pure.
 */
export function parseLock(shown: string, text: string): BuildLock {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    // V8: "Unexpected token } in JSON at position 12", "Unterminated string in JSON at position 117", "Unexpected end of JSON input".
    const m = /position (\d+)/.exec((err as Error).message);
    const at = position(text, m ? Number(m[1]) : text.length);
    throw new ConfigError([{ file: shown, ...at, field: '', message: `not valid JSON (${(err as Error).message.replace(/ in JSON at position \d+.*$/, '')}; a truncated or hand-edited lock file?): ${HINT}` }]);
  }
  const { source } = YamlSource.parse(shown, text);
  const issues = [];
  if (data === null || typeof data !== 'object' || Array.isArray(data)) throw new ConfigError([source.issue([], `expected an object with repository, tag, digest and platforms: ${HINT}`)]);
  const l = data as Record<string, unknown>;
  const repo = typeof l.repository === 'string' ? parseImageReference(l.repository) : undefined;
  if (!repo || 'problem' in repo || repo.tag !== undefined || repo.digest !== undefined) issues.push(source.issue(['repository'], `expected an image repository like "example/echo", got ${JSON.stringify(l.repository ?? null)}`));
  if (typeof l.tag !== 'string' || !new RegExp(TAG_PATTERN).test(l.tag)) issues.push(source.issue(['tag'], `expected an image tag like "1.2.3", got ${JSON.stringify(l.tag ?? null)}`));
  if (typeof l.digest !== 'string' || !/^sha256:[0-9a-f]{64}$/.test(l.digest)) issues.push(source.issue(['digest'], `expected a digest "sha256:" and 64 hex digits, got ${JSON.stringify(l.digest ?? null)}`));
  if (!Array.isArray(l.platforms) || !l.platforms.every((p) => typeof p === 'string' && PLATFORMS.includes(p))) issues.push(source.issue(['platforms'], `expected a list of ${PLATFORMS.join(' and ')}`));
  if (issues.length) throw new ConfigError(issues.map((i, n) => (n === 0 ? { ...i, message: `${i.message}: ${HINT}` } : i)));
  return { repository: l.repository as string, tag: l.tag as string, digest: l.digest as string, platforms: l.platforms as string[] };
}

/**
 * The lock next to the config, or undefined when there is none. `shownDir` is
 * the config's directory as shown to the user (messages name the lock file there).
 */
export async function readLock(configDir: string, shownDir = configDir): Promise<BuildLock | undefined> {
  const shown = path.join(shownDir, LOCK_FILE);
  let text: string;
  try {
    text = await readTextFile(path.join(configDir, LOCK_FILE), { maxBytes: READ_LIMITS.lock });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw fileError(err, shown, 'read');
  }
  return parseLock(shown, text);
}

/** The pinned reference for the spec's image, when the lock is for that repository and tag. */
export function pinnedRef(spec: ServiceSpec, lock: BuildLock | undefined): string | undefined {
  if (!lock || lock.repository !== spec.image.repository || lock.tag !== spec.image.tag) return undefined;
  return `${lock.repository}:${lock.tag}@${lock.digest}`;
}

/** Records what `build --push` published (image = repository:tag) next to the config, atomically. */
export async function writeLock(configDir: string, pushed: { image: string; digest: string; platforms: string[] }): Promise<void> {
  const r = parseImageReference(pushed.image);
  if ('problem' in r) throw new Error(`not an image reference: ${pushed.image}`);
  await atomicWrite(path.join(configDir, LOCK_FILE), lockContent({ repository: r.repository, tag: r.tag ?? 'latest', digest: pushed.digest, platforms: pushed.platforms }));
}
