/**
 * The two files every image needs — the service binary and tini — found,
 * checked and hashed. A binary that cannot run in a scratch image is refused
 * here, before anything is sent to the engine.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileError, UsageError } from '../errors.js';
import { ELF_PROBE_BYTES, NotElfError, parseElf, type Arch } from './elf.js';
import type { Artifact } from './plan.js';

export const DEBIAN_TINI_STATIC = '/usr/bin/tini-static';
export const TINI_ENV = 'GONEAT_TINI';

async function sha256File(p: string): Promise<string> {
  const h = createHash('sha256');
  await pipeline(createReadStream(p), h);
  return h.digest('hex');
}

async function readHead(p: string, shown: string, role: string): Promise<{ head: Buffer; size: number }> {
  let st;
  try {
    st = await stat(p);
  } catch (err) {
    throw fileError(err, shown, 'read', { subject: role });
  }
  if (!st.isFile()) throw new UsageError(`${role} ${shown}: is not a regular file`);
  let fh;
  try {
    fh = await open(p, 'r');
  } catch (err) {
    throw fileError(err, shown, 'open', { subject: role });
  }
  try {
    const buf = Buffer.alloc(Math.min(ELF_PROBE_BYTES, st.size));
    await fh.read(buf, 0, buf.length, 0);
    return { head: buf, size: st.size };
  } finally {
    await fh.close();
  }
}

export interface CheckedBinary extends Artifact {
  arch: Arch;
}

/**
 * Checks that a file is a static ELF executable (for `arch`, when given) and
 * hashes it. `role` names it in messages ("binary", "tini").
 */
export async function checkStaticBinary(p: string, arch: Arch | undefined, role: string, shown = p): Promise<CheckedBinary> {
  const { head, size } = await readHead(p, shown, role);
  let info;
  try {
    info = parseElf(head);
  } catch (err) {
    if (err instanceof NotElfError) {
      throw new UsageError(`${role} ${shown} ${err.message}: the image needs a static Linux executable`);
    }
    throw err;
  }
  if (!info.static) {
    const fix =
      role === 'binary'
        ? 'rebuild it with CGO_ENABLED=0 (or let goneat-deploy build it)'
        : `use a static tini such as Debian's ${DEBIAN_TINI_STATIC} (package tini)`;
    throw new UsageError(
      `${role} ${shown} is dynamically linked (needs ${info.interpreter}), which cannot run in a scratch image: ${fix}`,
    );
  }
  const checked = { hostPath: p, size, sha256: await sha256File(p), arch: info.arch };
  if (arch) requireArch(checked, arch, role, shown);
  return checked;
}

/** Refuses a binary built for another architecture than the image's. */
export function requireArch(binary: CheckedBinary, arch: Arch, role: string, shown: string): void {
  if (binary.arch === arch) return;
  const fix = role === 'binary' ? `: rebuild it with GOOS=linux GOARCH=${arch}` : '';
  throw new UsageError(`${role} ${shown} is built for ${binary.arch === 'unknown' ? 'an unknown machine' : binary.arch}, but the image is linux/${arch}${fix}`);
}

/**
 * Finds a static tini for `arch`: the configured path (relative to the config
 * file; a plain string means the engine's own architecture), then
 * $GONEAT_TINI_<ARCH>, then $GONEAT_TINI and Debian/Ubuntu's
 * /usr/bin/tini-static when `arch` is the host's. Paths in the environment are
 * relative to `cwd` (the command's working directory).
 */
export async function findTini(
  configured: Record<string, string> | undefined,
  configDir: string,
  arch: Arch,
  opts: { native: boolean; env?: Record<string, string | undefined>; cwd?: string } = { native: true },
): Promise<CheckedBinary & { source: string }> {
  const env = opts.env ?? process.env;
  const cwd = opts.cwd ?? process.cwd();
  const archEnv = `${TINI_ENV}_${arch.toUpperCase()}`;
  let found: { p: string; source: string } | undefined;
  if (configured?.[arch]) found = { p: path.resolve(configDir, configured[arch]!), source: `build.tini.${arch}` };
  else if (configured?.['*'] && opts.native) found = { p: path.resolve(configDir, configured['*']), source: 'build.tini' };
  else if (env[archEnv]) found = { p: path.resolve(cwd, env[archEnv]!), source: `$${archEnv}` };
  else if (env[TINI_ENV] && opts.native) found = { p: path.resolve(cwd, env[TINI_ENV]!), source: `$${TINI_ENV}` };
  else if (opts.native) {
    const exists = await stat(DEBIAN_TINI_STATIC).then(() => true, () => false);
    if (!exists) {
      throw new UsageError(`no static tini found at ${DEBIAN_TINI_STATIC}: install it (\`apt-get install tini\`), or set build.tini in the config or ${TINI_ENV}`);
    }
    found = { p: DEBIAN_TINI_STATIC, source: 'default' };
  }
  if (!found) {
    throw new UsageError(
      `no static tini for linux/${arch}: set build.tini.${arch} or ${archEnv} (Debian: \`dpkg --add-architecture ${arch} && apt-get update && apt-get download tini:${arch}\`, then \`dpkg-deb -x tini_*_${arch}.deb DIR\` gives DIR/usr/bin/tini-static; scripts/fetch-tini.sh does this)`,
    );
  }
  const artifact = await checkStaticBinary(found.p, arch, `tini (${found.source})`, found.p);
  return { ...artifact, source: found.source };
}

export function goArch(engineArch: string): Arch {
  switch (engineArch) {
    case 'amd64':
    case 'x86_64':
      return 'amd64';
    case 'arm64':
    case 'aarch64':
      return 'arm64';
    default:
      return 'unknown';
  }
}
