/**
 * The two files every image needs — the service binary and tini — found,
 * checked and hashed. A binary that cannot run in a scratch image is refused
 * here, before anything is sent to the engine.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileError, UsageError } from '../errors.js';
import { ELF_MAX_BYTES, NotElfError, parseElf, type Arch, type ElfInfo } from './elf.js';
import type { Artifact } from './plan.js';

export const DEBIAN_TINI_STATIC = '/usr/bin/tini-static';
export const TINI_ENV = 'GONEAT_TINI';
/** In every tini build: src/tini.c `#define TINI_VERSION_STRING "tini version " TINI_VERSION TINI_GIT`. */
const TINI_BANNER = Buffer.from('tini version ');

/** Reads a whole regular file (up to ELF_MAX_BYTES) for checking and hashing. */
async function readWhole(p: string, shown: string, role: string): Promise<Buffer> {
  let st;
  try {
    st = await stat(p);
  } catch (err) {
    throw fileError(err, shown, 'read', { subject: role });
  }
  if (!st.isFile()) throw new UsageError(`${role} ${shown}: is not a regular file`);
  if (st.size > ELF_MAX_BYTES) throw new UsageError(`${role} ${shown}: is larger than ${ELF_MAX_BYTES / 1024 ** 3} GiB`);
  try {
    return await readFile(p);
  } catch (err) {
    throw fileError(err, shown, 'read', { subject: role });
  }
}

export interface CheckedBinary extends Artifact {
  arch: Arch;
  /** The ELF facts (interpreter, DT_NEEDED, run paths) for library resolution. */
  elf: ElfInfo;
}

/**
 * Checks that a file is a complete ELF executable (elf.ts: type, class,
 * machine, program headers and segments inside the file) for `arch` when
 * given, and hashes it. Static only, unless `dynamic: 'allow'` (the service
 * binary with `image.libraries: host`). `role` names it in messages
 * ("binary", "tini"). Errors: UsageError (exit 2) naming the problem and the fix.
 */
export async function checkExecutable(
  p: string,
  arch: Arch | undefined,
  role: string,
  shown = p,
  opts: { dynamic?: 'refuse' | 'allow' } = {},
): Promise<CheckedBinary> {
  const bytes = await readWhole(p, shown, role);
  let info: ElfInfo;
  try {
    info = parseElf(bytes);
  } catch (err) {
    if (err instanceof NotElfError) {
      throw new UsageError(`${role} ${shown} ${err.message}: the image needs a complete static Linux executable`);
    }
    throw err;
  }
  if (!info.static && opts.dynamic !== 'allow') {
    const fix =
      role === 'binary'
        ? 'set image.libraries: host to copy its loader and libraries from this machine into the image, or rebuild it with CGO_ENABLED=0'
        : `use a static tini such as Debian's ${DEBIAN_TINI_STATIC} (package tini)`;
    throw new UsageError(`${role} ${shown} is dynamically linked (needs ${info.interpreter}), which cannot run in a scratch image: ${fix}`);
  }
  const checked = { hostPath: p, size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex'), arch: info.arch, elf: info };
  if (arch) requireArch(checked, arch, role, shown);
  return checked;
}

/** checkExecutable for a static executable (tini; the binary without image.libraries). */
export function checkStaticBinary(p: string, arch: Arch | undefined, role: string, shown = p): Promise<CheckedBinary> {
  return checkExecutable(p, arch, role, shown);
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
  // Any static executable passes the ELF checks (busybox did, and then failed at run time with "tini: applet not
  // found"). Every tini build carries its version banner: src/tini.c TINI_VERSION_STRING, "tini version " VERSION.
  if (!(await readWhole(found.p, found.p, `tini (${found.source})`)).includes(TINI_BANNER)) {
    throw new UsageError(`tini (${found.source}) ${found.p} is a static executable but not tini (it has no "tini version" banner, which every tini build carries): name tini itself, e.g. Debian's ${DEBIAN_TINI_STATIC}`);
  }
  return { ...artifact, source: found.source };
}

export function goArch(engineArch: string): Arch {
  switch (engineArch) {
    case 'amd64':
    case 'x86_64':
    case 'x64':
      return 'amd64';
    case 'arm64':
    case 'aarch64':
      return 'arm64';
    default:
      return 'unknown';
  }
}
