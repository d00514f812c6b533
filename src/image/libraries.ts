/**
 * `image.libraries: host`: what a dynamically linked executable needs at run
 * time, found on the build host the way glibc's ld.so finds it (ld.so(8),
 * "Rpath token expansion" and the search order; glibc elf/dl-load.c
 * _dl_map_object):
 *
 *   1. a DT_NEEDED name containing "/" is used as it is;
 *   2. DT_RPATH of the object that needs it (and of the executable), unless
 *      the object has DT_RUNPATH;
 *   3. (LD_LIBRARY_PATH: deliberately ignored — the build host's environment
 *      must not change what goes into an image);
 *   4. DT_RUNPATH of the object;
 *   5. /etc/ld.so.cache, emulated by its search path: Debian's ld.so.conf.d
 *      order (libc.conf, then <triplet>.conf), then the built-in trusted
 *      directories (/lib/<triplet>, /usr/lib/<triplet>, /lib, /usr/lib).
 *
 * $ORIGIN, ${ORIGIN}, $LIB and $PLATFORM are expanded; a candidate of another
 * class or machine is skipped as ld.so skips it. The closure is taken over
 * every DT_NEEDED of every library found. Then what glibc loads later, by
 * dlopen, for name resolution: the NSS modules named in the
 * /etc/nsswitch.conf the image gets (files, dns: libnss_files.so.2,
 * libnss_dns.so.2; glibc ≥ 2.34 keeps them as stubs, built into libc) with
 * their own closure (libresolv.so.2).
 *
 * Layout in the image: each file at the path it is looked up by (the
 * interpreter at its PT_INTERP path, a library in the directory it was found
 * in, a $ORIGIN library relative to the binary's place in the image), always
 * as a regular file: symlinks are flattened, so the image never depends on the
 * host's /lib → /usr/lib merge. ld.so in the image finds them without a
 * cache, in the same trusted directories.
 */
import { readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../errors.js';
import { NotElfError, parseElf, type Arch, type ElfInfo } from './elf.js';

/** Debian multiarch triplets (dpkg-architecture DEB_HOST_MULTIARCH). */
export const TRIPLETS: Partial<Record<Arch, string>> = { amd64: 'x86_64-linux-gnu', arm64: 'aarch64-linux-gnu' };

/** The directories searched after the run paths, in order, for `arch`. */
export function systemDirs(arch: Arch): string[] {
  const t = TRIPLETS[arch];
  if (!t) return [];
  return [
    '/usr/local/lib', // libc.conf
    `/usr/local/lib/${t}`, // <triplet>.conf
    `/lib/${t}`,
    `/usr/lib/${t}`,
    ...(arch === 'amd64' ? ['/lib64', '/usr/lib64'] : []),
    '/lib',
    '/usr/lib',
  ];
}

/** The NSS services the image's /etc/nsswitch.conf names. */
export const NSS_SERVICES = ['files', 'dns'] as const;

/** The /etc/nsswitch.conf written with the libraries: local files, then DNS (glibc's own default for hosts). */
export function nsswitchConf(): string {
  return 'passwd: files\ngroup: files\nshadow: files\nhosts: files dns\nnetworks: files\nprotocols: files\nservices: files\nethers: files\nrpc: files\n';
}

export interface HostLibrary {
  /** Absolute path in the image. */
  target: string;
  /** The file on the host (symlinks resolved). */
  hostPath: string;
  /** The path it was found by on the host (for dpkg -S, which knows the unresolved name). */
  lookedUp: string;
  /** Why it is there: "interpreter", "DT_NEEDED by X", "NSS (dns)". */
  reason: string;
  size: number;
}

interface Loaded {
  info: ElfInfo;
  /** Directory on the host / in the image, for $ORIGIN. */
  hostDir: string;
  imageDir: string;
  name: string;
}

async function readElf(p: string): Promise<{ info: ElfInfo; real: string; size: number } | undefined> {
  let real: string;
  try {
    real = await realpath(p);
    if (!(await stat(real)).isFile()) return undefined;
  } catch {
    return undefined;
  }
  const bytes = await readFile(real);
  try {
    return { info: parseElf(bytes, 'library'), real, size: bytes.length };
  } catch (err) {
    if (err instanceof NotElfError) return undefined;
    throw err;
  }
}

function expand(dir: string, origin: { host: string; image: string }, arch: Arch): { host: string; image: string } {
  const t = TRIPLETS[arch] ?? '';
  const sub = (o: string) =>
    dir
      .replace(/\$\{ORIGIN\}|\$ORIGIN(?![A-Za-z0-9_])/g, o)
      .replace(/\$\{LIB\}|\$LIB(?![A-Za-z0-9_])/g, `lib/${t}`)
      .replace(/\$\{PLATFORM\}|\$PLATFORM(?![A-Za-z0-9_])/g, arch === 'amd64' ? 'x86_64' : 'aarch64');
  return { host: path.resolve(sub(origin.host)), image: path.resolve(sub(origin.image)) };
}

/**
 * The interpreter and the DT_NEEDED closure of `binary` (and the NSS modules
 * when it uses glibc), for an image of `arch` whose binary sits at
 * `binaryImagePath`. Errors:
 * UsageError (exit 2) naming the library that cannot be found, who needs it,
 * where it was looked for, and the option.
 */
export async function resolveLibraries(
  binary: { hostPath: string; elf: ElfInfo; shown: string },
  arch: Arch,
  binaryImagePath: string,
): Promise<HostLibrary[]> {
  const out = new Map<string, HostLibrary>();
  const exe = binary.elf;
  const triplet = TRIPLETS[arch];
  if (!triplet) throw new UsageError(`image.libraries: host supports linux/amd64 and linux/arm64, not ${arch}`);
  if (!exe.interpreter) return [];

  const interp = await readElf(exe.interpreter);
  if (!interp || interp.info.machine !== exe.machine || interp.info.bits !== exe.bits) {
    throw new UsageError(
      `image.libraries: host: binary ${binary.shown} needs the loader ${exe.interpreter}, which this machine does not have for ${arch}` +
        (arch === 'amd64' ? '' : ` (install ${arch} libraries with Debian multiarch: dpkg --add-architecture ${arch} && apt-get update && apt-get install libc6:${arch}), or build only for the machine's own platform`),
    );
  }
  out.set(exe.interpreter, { target: exe.interpreter, hostPath: interp.real, lookedUp: exe.interpreter, reason: 'interpreter (PT_INTERP)', size: interp.size });

  const exeLoaded: Loaded = { info: exe, hostDir: path.dirname(binary.hostPath), imageDir: path.dirname(binaryImagePath), name: binary.shown };
  const bySoname = new Map<string, string>();
  const queue: Array<{ name: string; by: Loaded }> = exe.needed.map((name) => ({ name, by: exeLoaded }));
  const searched = (by: Loaded): Array<{ host: string; image: string }> => {
    const o = { host: by.hostDir, image: by.imageDir };
    const dirs: Array<{ host: string; image: string }> = [];
    if (!by.info.runpath) {
      for (const d of by.info.rpath ?? []) dirs.push(expand(d, o, arch));
      if (by !== exeLoaded) for (const d of exe.rpath ?? []) dirs.push(expand(d, { host: exeLoaded.hostDir, image: exeLoaded.imageDir }, arch));
    }
    for (const d of by.info.runpath ?? []) dirs.push(expand(d, o, arch));
    for (const d of systemDirs(arch)) dirs.push({ host: d, image: d });
    return dirs;
  };
  const find = async (name: string, by: Loaded): Promise<{ dir: { host: string; image: string }; found: NonNullable<Awaited<ReturnType<typeof readElf>>> } | undefined> => {
    if (name.includes('/')) {
      const f = await readElf(name);
      return f && f.info.machine === exe.machine && f.info.bits === exe.bits ? { dir: { host: path.dirname(name), image: path.dirname(name) }, found: f } : undefined;
    }
    for (const dir of searched(by)) {
      const f = await readElf(path.join(dir.host, name));
      if (f && f.info.machine === exe.machine && f.info.bits === exe.bits) return { dir, found: f };
    }
    return undefined;
  };
  const add = async (name: string, by: Loaded, reason: string, required: boolean): Promise<void> => {
    if (bySoname.has(name)) return;
    const hit = await find(name, by);
    if (!hit) {
      if (!required) return;
      const where = searched(by).map((d) => d.host);
      throw new UsageError(
        `image.libraries: host: ${name}, needed by ${by.name}, is not on this machine for ${arch} (looked in ${[...new Set(where)].join(':')}): install the package that provides it, or rebuild the binary statically (CGO_ENABLED=0)`,
      );
    }
    const target = name.includes('/') ? name : path.posix.join(hit.dir.image, name);
    bySoname.set(name, target);
    if (!out.has(target)) {
      out.set(target, { target, hostPath: hit.found.real, lookedUp: path.join(hit.dir.host, path.basename(name)), reason, size: hit.found.size });
      const loaded: Loaded = { info: hit.found.info, hostDir: hit.dir.host, imageDir: hit.dir.image, name };
      for (const n of hit.found.info.needed) queue.push({ name: n, by: loaded });
    }
  };
  while (queue.length) {
    const { name, by } = queue.shift()!;
    await add(name, by, `DT_NEEDED by ${by.name}`, true);
    while (queue.length && bySoname.has(queue[0]!.name)) queue.shift();
  }
  // glibc's dlopen for name resolution (nss/nsswitch.c: libnss_<service>.so.2).
  if (bySoname.has('libc.so.6')) {
    for (const svc of NSS_SERVICES) {
      await add(`libnss_${svc}.so.2`, exeLoaded, `NSS module (${svc}, /etc/nsswitch.conf)`, false);
      while (queue.length) {
        const { name, by } = queue.shift()!;
        await add(name, by, `DT_NEEDED by ${by.name}`, true);
      }
    }
  }
  return [...out.values()].sort((a, b) => a.target.localeCompare(b.target));
}
