/**
 * Build stage 3, assemble: per platform, the image's contents (tini, the
 * binary, passwd/group — merged with the base's on image.base —, the checked
 * host contents and libraries, the SBOM), the image plan (context entries,
 * Dockerfile, labels) and, unless the engine's builder is asked for
 * (--dockerfile), the image itself assembled here — one layer on the base's
 * layers, fixed owners, modes and times — so the same inputs give the same
 * image ID.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { CA_BUNDLE_PATH, TINI_PATH, ZONEINFO_DIR } from '../model/contents.js';
import type { ServiceSpec } from '../model/service.js';
import type { Images } from '../runtime/engine.js';
import type { CheckedBinary } from './artifacts.js';
import { assemble, layerFiles, type AssembledImage } from './assemble.js';
import { fetchBase, mergeUsers, type BaseImage } from './base.js';
import type { HostContents } from './contents.js';
import type { Arch } from './elf.js';
import type { HostLibrary } from './libraries.js';
import { groupFile, passwdFile, planImage, type ContextEntry, type ImagePlan } from './plan.js';
import type { Progress } from './progress.js';
import { debianPackage, debianPackages, goBuildInfo, type DebianPackage } from './provenance.js';
import { spdxDocument } from './sbom.js';

export interface PlatformImage {
  arch: Arch;
  binary: CheckedBinary;
  tini: CheckedBinary & { source: string };
  plan: ImagePlan;
  /** Absent when the engine's builder builds it (--dockerfile). */
  assembled?: AssembledImage;
  /** The SPDX document in the image. */
  sbom: string;
  base?: BaseImage;
}

const sha256hex = async (p: string) => createHash('sha256').update(await readFile(p)).digest('hex');

/** What dpkg knows about the host files going into the images: looked up once, while the binary compiles. */
export interface HostPackages {
  owned: Map<string, DebianPackage>;
  caCertificates?: DebianPackage;
  tzdata?: DebianPackage;
}

/**
 * Starts the dpkg look-ups for tini, the libraries, the CA bundle and
 * zoneinfo (they need no compiled binary), so they run beside `go build`.
 */
export function hostPackages(req: {
  tini: Iterable<CheckedBinary>;
  libraries: Iterable<{ libraries: HostLibrary[] }>;
  contents: HostContents;
}): Promise<HostPackages> {
  const paths = [...[...req.tini].map((t) => t.hostPath), ...[...req.libraries].flatMap((l) => l.libraries.map((x) => x.lookedUp))];
  return Promise.all([
    debianPackages([...new Set(paths)]),
    req.contents.caBundle?.debian ? debianPackage('ca-certificates') : undefined,
    req.contents.zoneinfo ? debianPackage('tzdata') : undefined,
  ]).then(([owned, ca, tz]) => ({ owned, ...(ca ? { caCertificates: ca } : {}), ...(tz ? { tzdata: tz } : {}) }));
}

/** The SPDX document of one platform's image (sbom.ts), with the packages the host's dpkg knows. */
async function sbomFor(req: {
  image: string;
  arch: Arch;
  created: Date;
  spec: ServiceSpec;
  binary: CheckedBinary;
  tini: CheckedBinary;
  contents: HostContents;
  libraries: HostLibrary[];
  env: Record<string, string | undefined>;
  packages: HostPackages;
}): Promise<string> {
  const go = goBuildInfo(req.binary.hostPath, req.env);
  const { owned } = req.packages;
  const debian = new Map<string, { pkg: DebianPackage; files: Array<{ target: string; sha256: string }> }>();
  const add = (pkg: DebianPackage, target: string, sha: string) => {
    const k = `${pkg.name}:${pkg.arch}`;
    if (!debian.has(k)) debian.set(k, { pkg, files: [] });
    debian.get(k)!.files.push({ target, sha256: sha });
  };
  const unowned: Array<{ name: string; target: string; sha256: string }> = [];
  const tiniPkg = owned.get(req.tini.hostPath);
  if (tiniPkg) add(tiniPkg, TINI_PATH, req.tini.sha256);
  else unowned.push({ name: 'tini', target: TINI_PATH, sha256: req.tini.sha256 });
  for (const l of req.libraries) {
    const pkg = owned.get(l.lookedUp);
    const sha = await sha256hex(l.hostPath);
    if (pkg) add(pkg, l.target, sha);
    else unowned.push({ name: l.target.split('/').pop()!, target: l.target, sha256: sha });
  }
  if (req.contents.caBundle) {
    const sha = await sha256hex(req.contents.caBundle.hostPath);
    const pkg = req.packages.caCertificates;
    if (pkg) add(pkg, CA_BUNDLE_PATH, sha);
    else unowned.push({ name: 'CA bundle', target: CA_BUNDLE_PATH, sha256: sha });
  }
  if (req.contents.zoneinfo && req.packages.tzdata) {
    const pkg = req.packages.tzdata;
    debian.set(`${pkg.name}:${pkg.arch}`, { pkg, files: [] });
  }
  const goInfo = await go;
  return spdxDocument({
    image: req.image,
    arch: req.arch,
    created: req.created,
    binary: { name: req.spec.name, sha256: req.binary.sha256, ...(goInfo ? { go: goInfo } : {}) },
    debian: [...debian.values()].map((d) => (d.pkg.name === 'tzdata' && !d.files.length ? { ...d, files: [{ target: ZONEINFO_DIR, sha256: 'see the files' }] } : d)),
    unowned,
  });
}

export async function produceImages(req: {
  spec: ServiceSpec;
  configDir: string;
  image: string;
  targets: Arch[];
  binaries: Map<Arch, CheckedBinary>;
  tini: Map<Arch, CheckedBinary & { source: string }>;
  contents: HostContents;
  libraries: Map<Arch, { entries: ContextEntry[]; libraries: HostLibrary[] }>;
  /** The layer's mtimes and the config's `created`. */
  created: Date;
  assemble: boolean;
  env: Record<string, string | undefined>;
  /** Where image.base comes from (the engine, else its registry). */
  images: Images;
  progress: Progress;
  /** hostPackages(), started earlier; looked up here when absent. */
  packages?: Promise<HostPackages>;
}): Promise<PlatformImage[]> {
  const packages = await (req.packages ?? hostPackages({ tini: req.tini.values(), libraries: req.libraries.values(), contents: req.contents }));
  const out: PlatformImage[] = [];
  const { spec } = req;
  for (const arch of req.targets) {
    const binary = req.binaries.get(arch)!;
    const tini = req.tini.get(arch)!;
    const libs = req.libraries.get(arch) ?? { entries: [], libraries: [] };
    let base: BaseImage | undefined;
    if (spec.image.base) {
      req.progress.step(`reading the base image ${spec.image.base} (linux/${arch})`);
      base = await fetchBase(spec.image.base, arch, req.images, { env: req.env });
    }
    const users = mergeUsers(base, spec.user.uid, spec.user.gid, { passwd: passwdFile(spec.user.uid, spec.user.gid), group: groupFile(spec.user.gid) });
    const sbom = await sbomFor({ image: req.image, arch, created: req.created, spec, binary, tini, contents: req.contents, libraries: libs.libraries, env: req.env, packages });
    const plan = planImage(spec, {
      tag: req.image,
      binary,
      tini,
      configDir: req.configDir,
      extra: [...req.contents.entries, ...libs.entries],
      sbom: Buffer.from(sbom),
      users,
    });
    let assembled: AssembledImage | undefined;
    if (req.assemble) {
      const files = await layerFiles(plan.entries, (p) => readFile(p));
      assembled = await assemble({ spec, files, labels: { ...plan.labels, ...plan.buildLabels }, arch, created: req.created, ...(base ? { base } : {}) });
    }
    out.push({ arch, binary, tini, plan, sbom, ...(assembled ? { assembled } : {}), ...(base ? { base } : {}) });
  }
  return out;
}
