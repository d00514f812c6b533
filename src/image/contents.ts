/**
 * Build stage 1 (continued): the image's contents besides tini and the
 * binary, collected from the build host and checked before the engine is
 * contacted — the project's `image.files`, the CA bundle
 * (`image.certificates`), zoneinfo (`image.timezones`) and, per platform,
 * the libraries of `image.libraries: host` with /etc/nsswitch.conf.
 *
 * Rules (model/contents.ts for the targets): a source must exist and stay
 * inside the project directory (the config file's directory) after every
 * symlink is resolved; inside a source directory only regular files,
 * directories and symlinks that stay inside the project are taken; no two
 * things may land on one path, and nothing may replace a path goneat-deploy
 * writes (tini, the binary, passwd, group, the SBOM). Owners are root, modes
 * fixed (0444 files, 0555 directories unless `mode` says otherwise), times are
 * the build's fixed time (set when packed), so contents stay reproducible.
 */
import { lstat, readdir, readlink, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileError, UsageError } from '../errors.js';
import { CA_BUNDLE_PATH, DIR_MODE, FILE_MODE, NSSWITCH_PATH, ZONEINFO_DIR } from '../model/contents.js';
import type { ServiceSpec } from '../model/service.js';
import { ROOTFS_DIR } from './dockerfile.js';
import type { Arch } from './elf.js';
import { nsswitchConf, resolveLibraries, type HostLibrary } from './libraries.js';
import type { ContextEntry } from './plan.js';

/** The host's CA bundle: $GONEAT_CA_BUNDLE (a bundle of your own, e.g. with an internal CA), else Debian's. */
export const CA_BUNDLE_ENV = 'GONEAT_CA_BUNDLE';
/** zoneinfo subtrees left out: right/ (leap-second variants) and posix/ (a copy of the main tree). */
const ZONEINFO_SKIP = new Set(['right', 'posix']);

const rootfs = (target: string) => `${ROOTFS_DIR}${target}`;
const inside = (p: string, dir: string) => p === dir || p.startsWith(dir.endsWith('/') ? dir : `${dir}/`);

export interface HostContents {
  /** Entries under rootfs/ for the files, certificates and zoneinfo. */
  entries: ContextEntry[];
  /** Host file of the CA bundle shipped (for the SBOM), and whether it is Debian's own. */
  caBundle?: { hostPath: string; debian: boolean };
  zoneinfo?: string;
}

/** Directory contents, sorted, as entries; symlinks within `limit` stay links when `keepLinks`, else are followed. */
async function walk(
  hostDir: string,
  target: string,
  opts: { limit: string; fileMode: number; dirMode: number; origin: string; keepLinks: boolean; skip?: Set<string>; shown: string },
  out: ContextEntry[],
  seen: Set<string> = new Set(),
): Promise<void> {
  const real = await realpath(hostDir);
  if (seen.has(real)) throw new UsageError(`${opts.origin}: ${opts.shown} has a symlink loop at ${hostDir}`);
  seen.add(real);
  out.push({ name: `${rootfs(target)}/`, type: 'directory', mode: opts.dirMode, origin: opts.origin });
  const names = (await readdir(hostDir)).sort();
  for (const n of names) {
    if (opts.skip?.has(n) && hostDir === opts.limit) continue;
    const p = path.join(hostDir, n);
    const t = `${target}/${n}`;
    const l = await lstat(p);
    if (l.isSymbolicLink()) {
      const to = await realpath(p).catch(() => undefined);
      if (!to || !inside(to, opts.limit)) {
        throw new UsageError(`${opts.origin}: ${path.relative(opts.limit, p) || p} is a symlink leading outside ${opts.shown}${to ? ` (to ${to})` : ' (dangling)'}`);
      }
      const st = await stat(to);
      if (opts.keepLinks && st.isFile()) {
        out.push({ name: rootfs(t), type: 'symlink', mode: 0o777, linkname: await readlink(p), origin: opts.origin });
        continue;
      }
      if (opts.keepLinks && st.isDirectory()) continue; // a link to a directory of the same tree (zoneinfo's posix → .)
      if (st.isDirectory()) await walk(to, t, opts, out, seen);
      else if (st.isFile()) out.push({ name: rootfs(t), type: 'file', mode: opts.fileMode, hostPath: to, size: st.size, origin: opts.origin });
      else throw new UsageError(`${opts.origin}: ${p} is not a regular file or directory`);
    } else if (l.isDirectory()) await walk(p, t, opts, out, seen);
    else if (l.isFile()) out.push({ name: rootfs(t), type: 'file', mode: opts.fileMode, hostPath: p, size: l.size, origin: opts.origin });
    else throw new UsageError(`${opts.origin}: ${p} is not a regular file or directory (a device, FIFO or socket cannot go into an image)`);
  }
}

/** `image.files`: every source checked and expanded into entries. */
async function projectFiles(spec: ServiceSpec, configDir: string): Promise<ContextEntry[]> {
  const out: ContextEntry[] = [];
  let project: string;
  try {
    project = await realpath(configDir);
  } catch (err) {
    throw fileError(err, configDir, 'read', { subject: 'project directory' });
  }
  for (const f of spec.files) {
    const origin = f.field ?? 'the trpc-go preset';
    const abs = path.resolve(configDir, f.source);
    let real: string;
    try {
      real = await realpath(abs);
    } catch (err) {
      throw fileError(err, `${JSON.stringify(f.source)} (in ${configDir})`, 'read', { subject: `${origin}.source` });
    }
    if (!inside(real, project)) {
      throw new UsageError(`${origin}.source ${JSON.stringify(f.source)}: leads outside the project directory ${project}${real !== abs ? ` (to ${real})` : ''}: only the project's own files go into the image`);
    }
    const st = await stat(real);
    const fileMode = f.mode ?? (f.field ? FILE_MODE : 0o644);
    if (st.isFile()) out.push({ name: rootfs(f.target), type: 'file', mode: fileMode, hostPath: real, size: st.size, origin });
    else if (st.isDirectory()) {
      const dirMode = f.mode !== undefined ? f.mode | ((f.mode & 0o444) >> 2) : DIR_MODE;
      await walk(real, f.target, { limit: project, fileMode, dirMode, origin, keepLinks: false, shown: 'the project directory' }, out);
    } else throw new UsageError(`${origin}.source ${JSON.stringify(f.source)}: is not a regular file or directory`);
  }
  return out;
}

/** The host files of image.files, image.certificates and image.timezones, checked. Paths in `env` are relative to `cwd`. */
export async function hostContents(spec: ServiceSpec, configDir: string, env: Record<string, string | undefined>, cwd: string): Promise<HostContents> {
  const entries = await projectFiles(spec, configDir);
  const result: HostContents = { entries };
  if (spec.image.certificates) {
    const custom = env[CA_BUNDLE_ENV];
    const hostPath = custom ? path.resolve(cwd, custom) : CA_BUNDLE_PATH;
    const st = await stat(hostPath).catch(() => undefined);
    if (!st?.isFile()) {
      throw new UsageError(
        custom
          ? `$${CA_BUNDLE_ENV} ${custom}: no such file`
          : `image.certificates: ${CA_BUNDLE_PATH} is not on this machine: install Debian's ca-certificates (apt-get install ca-certificates), or set image.certificates: false`,
      );
    }
    entries.push({ name: rootfs(CA_BUNDLE_PATH), type: 'file', mode: 0o444, hostPath: await realpath(hostPath), size: st.size, origin: 'image.certificates' });
    result.caBundle = { hostPath, debian: !custom };
  }
  if (spec.image.timezones) {
    const st = await stat(ZONEINFO_DIR).catch(() => undefined);
    if (!st?.isDirectory()) {
      throw new UsageError(`image.timezones: ${ZONEINFO_DIR} is not on this machine: install Debian's tzdata (apt-get install tzdata), or build with build.tags: [timetzdata] and leave image.timezones off`);
    }
    await walk(ZONEINFO_DIR, ZONEINFO_DIR, { limit: ZONEINFO_DIR, fileMode: 0o444, dirMode: 0o555, origin: 'image.timezones', keepLinks: true, skip: ZONEINFO_SKIP, shown: ZONEINFO_DIR }, entries);
    result.zoneinfo = ZONEINFO_DIR;
  }
  return result;
}

/** The libraries of image.libraries: host for one platform, and nsswitch.conf, as entries. */
export async function libraryEntries(
  spec: ServiceSpec,
  binary: { hostPath: string; elf: import('./elf.js').ElfInfo; shown: string },
  arch: Arch,
): Promise<{ entries: ContextEntry[]; libraries: HostLibrary[] }> {
  if (spec.image.libraries !== 'host' || binary.elf.static) return { entries: [], libraries: [] };
  const libraries = await resolveLibraries(binary, arch, spec.binaryPath);
  const entries: ContextEntry[] = libraries.map((l) => ({ name: rootfs(l.target), type: 'file', mode: 0o755, hostPath: l.hostPath, size: l.size, origin: `image.libraries (${l.reason})` }));
  const conf = Buffer.from(nsswitchConf());
  entries.push({ name: rootfs(NSSWITCH_PATH), type: 'file', mode: 0o444, data: conf, size: conf.length, origin: 'image.libraries' });
  return { entries, libraries };
}

