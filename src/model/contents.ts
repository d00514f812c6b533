/**
 * What goes into the image besides tini and the binary, and the rules for it
 * (pure): the paths goneat-deploy itself writes (which `image.files` may not
 * overwrite), target paths, file modes, and the Go link flags `build` allows.
 */
import { defaultValue } from './defaults.js';
import { LIMITS, textProblem } from './values.js';
import type { FieldPath, SpecIssue } from './issues.js';

export const TINI_PATH = '/sbin/tini';
/** Debian's ca-certificates bundle path, which Go's crypto/x509 reads first (root_linux.go certFiles). */
export const CA_BUNDLE_PATH = '/etc/ssl/certs/ca-certificates.crt';
/** Where Go's time package looks for zoneinfo first (zoneinfo_unix.go platformZoneSources). */
export const ZONEINFO_DIR = '/usr/share/zoneinfo';
export const NSSWITCH_PATH = '/etc/nsswitch.conf';
/** The image's SBOM (SPDX 2.3 JSON), named by the label SBOM_LABEL. */
export const SBOM_PATH = '/usr/share/doc/goneat-deploy/sbom.spdx.json';
export const SBOM_LABEL = 'io.goneat-deploy.sbom';

/** Default modes of image.files: read-only for everyone, owned by root. */
export const FILE_MODE = 0o444;
export const DIR_MODE = 0o555;

/**
 * Paths goneat-deploy writes itself, with why a user file may not replace
 * them. The CA bundle is reserved only while `image.certificates` ships it.
 */
export function reservedTargets(binaryPath: string, opts: { certificates: boolean; libraries: boolean }): Map<string, string> {
  const m = new Map<string, string>([
    [TINI_PATH, 'tini, PID 1'],
    [binaryPath, 'the service binary'],
    ['/etc/passwd', 'the image\'s users (the numeric user is added there)'],
    ['/etc/group', 'the image\'s groups'],
    [SBOM_PATH, 'the SBOM'],
  ]);
  if (opts.certificates) m.set(CA_BUNDLE_PATH, 'the CA bundle of image.certificates (set image.certificates: false to ship your own)');
  if (opts.libraries) m.set(NSSWITCH_PATH, 'name service switch config of image.libraries: host');
  return m;
}

/** Mounted over by the container runtime, so a file there would never be seen. */
const RUNTIME_DIRS = ['/proc', '/sys', '/dev'];
const RUNTIME_FILES = ['/etc/hosts', '/etc/resolv.conf', '/etc/hostname'];
/**
 * Mounted over by every target goneat-deploy generates, to keep a writable /tmp on a read-only root:
 * compose `tmpfs: [/tmp]`, the swarm stack's tmpfs volume, the Kubernetes emptyDir at /tmp, the
 * container unit's `--tmpfs=/tmp`, and verify's run (render/*.ts, runtime/docker/client.ts).
 */
export const TMP_DIR = '/tmp';

/**
 * A target path in the image: absolute, normalized (no ".", "..", "//", no
 * trailing "/"), not "/", and not a place the container runtime mounts over.
 * Returns the problem, or undefined.
 */
export function targetProblem(target: string): string | undefined {
  if (!target.startsWith('/')) return `"${target}" is not an absolute path in the image (it must start with "/")`;
  if (target === '/') return 'cannot be "/" itself: name a file or directory under it';
  const parts = target.slice(1).split('/');
  if (parts.some((p) => p === '' || p === '.' || p === '..')) return `"${target}" is outside / or not normalized: no "..", ".", "//" or trailing "/"`;
  if (/[\x00-\x1f\x7f\\]/.test(target)) return `"${target}" has control characters or backslashes`;
  const chars = textProblem(target);
  if (chars) return chars;
  if (Buffer.byteLength(target) > LIMITS.path) return `is ${Buffer.byteLength(target)} bytes: a path is at most ${LIMITS.path} bytes (PATH_MAX)`;
  const under = RUNTIME_DIRS.find((d) => target === d || target.startsWith(`${d}/`));
  if (under) return `${under} is mounted over by the container runtime: a file there would never be seen`;
  if (RUNTIME_FILES.includes(target)) return `${target} is written by the container runtime at start: a file there would be replaced`;
  if (target === TMP_DIR || target.startsWith(`${TMP_DIR}/`)) {
    return `${TMP_DIR} is mounted over by every generated target (an empty tmpfs in compose and swarm, an emptyDir in Kubernetes, --tmpfs in the container unit) so the root can stay read-only: a file there would never be seen; put it under /etc/<name>/ or /app/`;
  }
  return undefined;
}

/** "0444" → 0o444; refuses set-user-ID/set-group-ID/sticky and anything not octal. */
export function parseMode(mode: string): number | undefined {
  if (!/^0?[0-7]{3}$/.test(mode)) return undefined;
  return parseInt(mode, 8);
}

/** The flags of `go tool link` that cannot run another program or change what is linked in. */
const SAFE_LINK_FLAGS = ['-s', '-w'];

/**
 * Splits -ldflags the way the go command does (cmd/internal/quoted.Split:
 * fields separated by spaces, a field may be wrapped whole in '…' or "…").
 */
export function splitLdflags(s: string): string[] | undefined {
  const out: string[] = [];
  let i = 0;
  while (i < s.length) {
    if (/\s/.test(s[i]!)) {
      i++;
      continue;
    }
    const q = s[i];
    if (q === '"' || q === "'") {
      const end = s.indexOf(q, i + 1);
      if (end < 0) return undefined;
      out.push(s.slice(i + 1, end));
      i = end + 1;
      if (i < s.length && !/\s/.test(s[i]!)) return undefined;
      continue;
    }
    let j = i;
    while (j < s.length && !/\s/.test(s[j]!)) j++;
    out.push(s.slice(i, j));
    i = j;
  }
  return out;
}

/**
 * Checks build.ldflags: only -s, -w, -X importpath.name=value and -buildid=ID
 * are allowed. Every other link flag is refused: -linkmode=external with
 * -extld/-extldflags runs a program of the config's choosing during `build`
 * (cmd/link: the external linker is exec'd), and -I, -r, -H, -T, -E or
 * -installsuffix change what the binary is. Pushes one issue per bad flag.
 */
export function checkLdflags(ldflags: string, path: FieldPath, issues: SpecIssue[]): void {
  const fields = splitLdflags(ldflags);
  if (!fields) {
    issues.push({ path, message: 'has an unmatched quote' });
    return;
  }
  const allowed = 'only -s, -w, -X importpath.name=value and -buildid= are allowed (link flags that cannot run programs)';
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i]!;
    const flag = f.replace(/^--/, '-');
    if (SAFE_LINK_FLAGS.includes(flag) || /^-buildid=[A-Za-z0-9._/+=-]*$/.test(flag)) continue;
    if (flag === '-X') {
      const v = fields[++i];
      if (v !== undefined && /^[^=\s]+\.[^=\s.]+=/.test(v)) continue;
      issues.push({ path, message: `-X needs importpath.name=value, got ${v === undefined ? 'nothing' : JSON.stringify(v)}` });
      return;
    }
    if (/^-X=[^=\s]+\.[^=\s.]+=/.test(flag)) continue;
    issues.push({ path, message: `${JSON.stringify(f)} is not allowed: ${allowed}` });
    return; // one line: the first flag refused
  }
}


/** A file from the project in the image (image.files, or the trpc-go preset's config). */
export interface ImageFile {
  /** Host path, relative to the config file. */
  source: string;
  /** Absolute path in the image. */
  target: string;
  /** Permission bits; absent: FILE_MODE for files, DIR_MODE for directories. */
  mode?: number;
  /** The config field it came from, for messages ("image.files[0]"). */
  field?: string;
}

/**
 * Why `command0` (argv[0] of a command the runtime executes inside the container: health.command,
 * kubernetes.preStopExec) cannot run there, or undefined when it can. The image is FROM scratch:
 * it holds tini (TINI_PATH), the service binary (`binaryPath`) and `files` (image.files and the
 * preset's), nothing else — no shell, no PATH to search. An image.files file runs only when its
 * mode lets the service's non-root user (not the owner, root) execute it: the "others" x bit
 * (files are 0444 unless `mode` says otherwise; a directory's `mode` applies to the files in it,
 * image/contents.ts). With `base` the base image may hold anything, so nothing is refused.
 * The exec itself is done by the engine / kubelet with execve(2): a relative name would be
 * looked up in PATH, which a scratch image has nothing in.
 */
export function executableProblem(command0: string, binaryPath: string, contents: { base?: string; files: ImageFile[] }): string | undefined {
  if (contents.base !== undefined) return undefined;
  if (command0 === binaryPath || command0 === TINI_PATH) return undefined;
  const holds = `the image is FROM scratch and holds only ${TINI_PATH}, ${binaryPath}${contents.files.length ? ` and image.files (${contents.files.map((f) => f.target).join(', ')})` : ''}`;
  const file = contents.files.find((f) => command0 === f.target || command0.startsWith(`${f.target}/`));
  if (!file) return `${holds}, so "${command0}" does not exist there`;
  const mode = file.mode ?? FILE_MODE;
  if (!(mode & 0o001)) return `"${command0}" is in the image with mode ${mode.toString(8).padStart(4, '0')} (from ${file.field ?? 'the preset'}), which the service's non-root user cannot execute: give it a mode like "0555"`;
  return undefined;
}

export interface ImageContents {
  certificates: boolean;
  timezones: boolean;
  libraries: 'none' | 'host';
  base?: string;
  files: ImageFile[];
}

/**
 * The image's contents from the config's `image` block, with every target
 * checked against targetProblem and the reserved paths (and against each
 * other). `preset` are files the framework preset adds. Issues are located
 * under ["image", …].
 */
export function imageContents(
  image: { certificates?: boolean; timezones?: boolean; libraries?: 'host'; base?: string; files?: Array<{ source: string; target: string; mode?: string }> },
  binaryPath: string,
  preset: ImageFile[],
  issues: SpecIssue[],
): ImageContents {
  const certificates = image.certificates ?? (defaultValue('image.certificates') as boolean);
  const timezones = image.timezones ?? (defaultValue('image.timezones') as boolean);
  const libraries = image.libraries ?? 'none';
  const reserved = reservedTargets(binaryPath, { certificates, libraries: libraries === 'host' });
  const files: ImageFile[] = [...preset];
  const seen = new Map(preset.map((f) => [f.target, 'the trpc-go preset']));
  (image.files ?? []).forEach((f, i) => {
    const at = ['image', 'files', i, 'target'];
    const problem = targetProblem(f.target);
    if (problem) return void issues.push({ path: at, message: problem });
    const why = reserved.get(f.target);
    if (why) return void issues.push({ path: at, message: `${f.target} is ${why}: goneat-deploy writes it, a file may not replace it` });
    if (seen.has(f.target)) return void issues.push({ path: at, message: `${f.target} is also the target of ${seen.get(f.target)}` });
    seen.set(f.target, `image.files[${i}]`);
    if (f.source.includes('\0')) return void issues.push({ path: ['image', 'files', i, 'source'], message: 'has a NUL byte' });
    const mode = f.mode === undefined ? undefined : parseMode(f.mode);
    if (f.mode !== undefined && mode === undefined) return void issues.push({ path: ['image', 'files', i, 'mode'], message: `expected octal permissions like "0444", got "${f.mode}"` });
    files.push({ source: f.source, target: f.target, ...(mode !== undefined ? { mode } : {}), field: `image.files[${i}]` });
  });
  return { certificates, timezones, libraries, ...(image.base ? { base: image.base } : {}), files };
}
