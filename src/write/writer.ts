/**
 * The only module that writes generated files. Its promises:
 *
 *  - it never clobbers work: a file without our header, or one edited by hand
 *    anywhere since we wrote it (the checksum covers the whole file,
 *    model/generated.ts), is only replaced with --force;
 *  - it writes only regular files: a target that is a device, a FIFO, a
 *    socket, a directory, or a symbolic link to one of those (or to nothing)
 *    is refused even with --force. A symbolic link to a regular file is
 *    followed: the file it points to is replaced, the link stays;
 *  - a set of files is one unit: every target is checked first (its kind, its
 *    header, that its directory is writable or can be created), then every new
 *    file is written beside its target as a temp file, then all of them are
 *    renamed over their targets in one synchronous batch. Each existing target
 *    is first hard-linked to a backup name, so if a rename fails (a full disk,
 *    an I/O error) the ones already renamed are put back from their backups:
 *    either every file is new or every file is old, never a mix. The batch is
 *    synchronous, so a signal cannot land in the middle of it; before it, a
 *    signal (or any failure) removes the temp files and the directories made
 *    for them. A second Ctrl-C, which ends the process at once (src/bin.ts),
 *    runs the same cleanup (util/interrupt.ts). No temp file is left either way.
 *
 * Not promised: durability across a power cut (no fsync; a crash of the
 * machine can leave a temp file or a backup behind, named .<file>.gd-*).
 */
import { randomBytes } from 'node:crypto';
import { constants, linkSync, renameSync, rmdirSync, unlinkSync } from 'node:fs';
import { access, lstat, mkdir, realpath, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createTwoFilesPatch } from 'diff';
import { fileError, interruption, UsageError, type GoneatError } from '../errors.js';
import { generatedState, type RenderedFile } from '../model/generated.js';
import { mapLimit } from '../util/concurrency.js';
import { registerPendingWork } from '../util/interrupt.js';
import { decodeUtf8, fileKind, readRegularFile } from '../util/read.js';

const IO_CONCURRENCY = 32;
/** An existing target larger than this is not read: it cannot be one of ours, so it counts as foreign. */
const MAX_EXISTING_BYTES = 16 << 20;

export interface WriteOptions {
  /** Base directory for the files' relative paths. */
  outDir: string;
  /** Compare only; report drift. */
  check?: boolean;
  /** Overwrite files that are not ours or were edited by hand (never files that are not regular files). */
  force?: boolean;
  /** For paths in messages. */
  display?: (absolute: string) => string;
  /** Aborted (SIGINT/SIGTERM): the write stops before the batch of renames, leaving every file as it was. */
  signal?: AbortSignal;
}

export interface WriteReport {
  written: string[];
  unchanged: string[];
  /** --check: files whose content differs (or that are missing), with a unified diff each. */
  drift: Array<{ path: string; diff: string }>;
}

/** A target as found on disk: where the bytes go (a symlink's file), and what is there now. */
interface Target {
  /** The path the user sees (the symlink itself, when it is one). */
  abs: string;
  shown: string;
  /** Where the new content is written: `abs`, or the regular file a symlink at `abs` points to. */
  real: string;
  /** The current content; undefined: no file there. 'unreadable': a regular file we cannot read as text (not ours). */
  current: string | undefined | 'unreadable';
}

/**
 * What is at `abs`: nothing, a regular file (read), or a refusal — a
 * directory, a special file, a symlink to either or to nothing. Returns the
 * problem as an error, or the target.
 */
async function inspect(abs: string, shown: string): Promise<Target | GoneatError> {
  let st;
  try {
    st = await lstat(abs);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { abs, shown, real: abs, current: undefined };
    return fileError(err, shown, 'read');
  }
  let real = abs;
  if (st.isSymbolicLink()) {
    try {
      real = await realpath(abs);
      st = await stat(real);
    } catch (err) {
      return new UsageError(`${shown}: is a symbolic link to ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'nothing (a dangling link)' : 'a path that cannot be read'}: goneat-deploy writes only regular files, even with --force`);
    }
    if (!st.isFile()) return new UsageError(`${shown}: is a symbolic link to ${fileKind(st)}: goneat-deploy writes only regular files, even with --force`);
  }
  if (st.isDirectory()) return fileError(Object.assign(new Error('is a directory'), { code: 'EISDIR' }), shown, 'write', { hint: { EISDIR: 'expected a file path (or a directory for `generate all -o`)' } });
  if (!st.isFile()) return new UsageError(`${shown}: is ${fileKind(st)}, not a regular file: goneat-deploy replaces only regular files, even with --force`);
  if (st.size > MAX_EXISTING_BYTES) return { abs, shown, real, current: 'unreadable' };
  try {
    const bytes = await readRegularFile(real, { maxBytes: MAX_EXISTING_BYTES });
    try {
      return { abs, shown, real, current: decodeUtf8(bytes) };
    } catch {
      return { abs, shown, real, current: 'unreadable' };
    }
  } catch (err) {
    return fileError(err, shown, 'read');
  }
}

/**
 * The nearest existing directory at or above `dir` must be a directory the
 * process may create entries in (access(2) W_OK|X_OK: EROFS on a read-only
 * mount, EACCES without permission). Returns the problem, or undefined.
 */
async function writableDirProblem(dir: string, display: (p: string) => string): Promise<GoneatError | undefined> {
  let d = dir;
  for (;;) {
    try {
      const st = await stat(d);
      if (!st.isDirectory()) return fileError(Object.assign(new Error('not a directory'), { code: 'ENOTDIR' }), display(d), 'create directory');
      break;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOTDIR') return fileError(err, display(d), 'create directory');
      if (code !== 'ENOENT') return fileError(err, display(d), 'write');
      const up = path.dirname(d);
      if (up === d) return undefined;
      d = up;
    }
  }
  try {
    await access(d, constants.W_OK | constants.X_OK);
    return undefined;
  } catch (err) {
    return fileError(err, display(d), d === dir ? 'write' : 'create directory');
  }
}

/** Throws all refusals at once: the first as the message, the rest as details. */
function refuse(problems: GoneatError[], suffix: string): never {
  const [first, ...rest] = problems;
  throw new UsageError(`${first!.message}${suffix}`, rest.map((p) => p.message));
}

export async function writeFiles(files: RenderedFile[], opts: WriteOptions): Promise<WriteReport> {
  const display = opts.display ?? ((p: string) => p);
  const report: WriteReport = { written: [], unchanged: [], drift: [] };

  const seen = new Map<string, string>();
  for (const f of files) {
    const abs = path.resolve(opts.outDir, f.path);
    if (seen.has(abs)) throw new UsageError(`${display(abs)}: two generated files would be written there`);
    seen.set(abs, f.content);
  }

  // Reads run concurrently: a monorepo generates thousands of files.
  const inspected = await mapLimit(files, IO_CONCURRENCY, async (f) => {
    const abs = path.resolve(opts.outDir, f.path);
    return { f, target: await inspect(abs, display(abs)) };
  });
  const problems: GoneatError[] = [];
  const refusals: string[] = [];
  const pending: Array<{ target: Target; content: string }> = [];
  for (const { f, target } of inspected) {
    if (!('abs' in target)) {
      problems.push(target);
      continue;
    }
    const current = target.current;
    // Only the line endings differ: a checkout with git's core.autocrlf (or .gitattributes eol=crlf) wrote CRLF.
    // The content is what goneat-deploy generates, so it is neither drift nor a hand edit, and is left as it is.
    if (current === f.content || (typeof current === 'string' && current.includes('\r\n') && current.replace(/\r\n/g, '\n') === f.content)) {
      report.unchanged.push(target.shown);
      continue;
    }
    if (opts.check) {
      report.drift.push({
        path: target.shown,
        diff: createTwoFilesPatch(`${target.shown} (on disk)`, `${target.shown} (generated)`, typeof current === 'string' ? current : '', f.content, undefined, undefined, { context: 3 }),
      });
      continue;
    }
    if (current !== undefined && !opts.force) {
      const state = current === 'unreadable' ? 'foreign' : generatedState(current);
      if (state === 'foreign') refusals.push(`${target.shown}: exists and was not generated by goneat-deploy`);
      else if (state === 'edited') refusals.push(`${target.shown}: was edited by hand since goneat-deploy generated it`);
    }
    pending.push({ target, content: f.content });
  }
  if (problems.length) refuse(problems, opts.check ? '' : '; nothing was written');
  if (refusals.length) {
    throw new UsageError(`${refusals[0]}; not overwriting it (use --force to replace it, or --check to see the difference); nothing was written`, refusals.slice(1));
  }
  if (opts.check || !pending.length) return report;

  await commitSet(
    pending.map((p) => ({ real: p.target.real, shown: p.target.shown, content: p.content, existed: p.target.current !== undefined })),
    { display, ...(opts.signal ? { signal: opts.signal } : {}) },
  );
  report.written.push(...pending.map((p) => p.target.shown));
  return report;
}

interface SetItem {
  /** Where the content goes (a regular file, or nothing yet). */
  real: string;
  shown: string;
  content: string | Buffer;
  existed: boolean;
  mode?: number;
}

const tempName = (file: string, kind: 'tmp' | 'bak') => path.join(path.dirname(file), `.${path.basename(file)}.gd-${process.pid}-${randomBytes(4).toString('hex')}.${kind}`);

/** Best effort, synchronous: the cleanup paths must not throw. */
function quietly(fn: () => void): void {
  try {
    fn();
  } catch {
    // already gone, or cannot be removed: nothing more to do here
  }
}

/**
 * Writes a set of files as one unit (see the header): checks every directory,
 * writes temp files, then renames them all at once with rollback. Throws the
 * file error (or the interruption) with "nothing was written" when nothing
 * changed.
 */
async function commitSet(items: SetItem[], opts: { display: (p: string) => string; signal?: AbortSignal }): Promise<void> {
  const dirs = [...new Set(items.map((i) => path.dirname(i.real)))];
  const dirProblems = (await mapLimit(dirs, IO_CONCURRENCY, (d) => writableDirProblem(d, opts.display))).filter((p): p is GoneatError => p !== undefined);
  if (dirProblems.length) refuse(dirProblems, '; nothing was written');

  const created: string[] = [];
  const temps = new Map<SetItem, string>();
  const cleanup = () => {
    for (const t of temps.values()) quietly(() => unlinkSync(t));
    temps.clear();
    // Deepest first; a directory that is not empty (someone else wrote there) stays.
    for (const d of [...created].sort((a, b) => b.length - a.length)) quietly(() => rmdirSync(d));
    created.length = 0;
  };
  const unregister = registerPendingWork({ cleanup, left: () => 'no file was written: every file is as it was' });
  const nothingWritten = (err: unknown): never => {
    cleanup();
    unregister();
    if (opts.signal?.aborted) throw interruption(opts.signal).leaving('no file was written: every file is as it was');
    const e = fileError(err, (err as { shown?: string }).shown ?? '', 'write');
    throw Object.assign(e, { message: `${e.message}; nothing was written` });
  };

  try {
    // Directories, parents first (mkdir -p reports the first one it made).
    for (const d of dirs) {
      opts.signal?.throwIfAborted();
      try {
        const first = await mkdir(d, { recursive: true });
        if (first) for (let x = d; x.length >= first.length; x = path.dirname(x)) created.push(x);
      } catch (err) {
        throw Object.assign(err as object, { shown: opts.display(d) });
      }
    }
    // Every write in flight settles before anything is cleaned up (a failure stops new ones from starting),
    // so no temp file can appear after the cleanup.
    let failure: unknown;
    await mapLimit(items, IO_CONCURRENCY, async (item) => {
      if (failure !== undefined || opts.signal?.aborted) return;
      const tmp = tempName(item.real, 'tmp');
      temps.set(item, tmp);
      try {
        await writeFile(tmp, item.content, { mode: item.mode ?? 0o644, flag: 'wx' });
      } catch (err) {
        failure ??= Object.assign(err as object, { shown: item.shown });
      }
    });
    if (failure !== undefined) throw failure;
    opts.signal?.throwIfAborted();
  } catch (err) {
    return nothingWritten(err);
  }

  // The batch: synchronous from here on, so no signal handler runs in the middle of it.
  const done: Array<{ item: SetItem; backup?: string }> = [];
  try {
    for (const item of items) {
      let backup: string | undefined;
      if (item.existed) {
        backup = tempName(item.real, 'bak');
        try {
          linkSync(item.real, backup);
        } catch (err) {
          // No hard links here (some FUSE and FAT file systems): move the old file aside instead.
          if (!['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'EMLINK', 'EXDEV'].includes((err as NodeJS.ErrnoException).code ?? '')) throw Object.assign(err as object, { shown: item.shown });
          renameSync(item.real, backup);
        }
      }
      done.push({ item, ...(backup ? { backup } : {}) });
      try {
        renameSync(temps.get(item)!, item.real);
      } catch (err) {
        throw Object.assign(err as object, { shown: item.shown });
      }
      temps.delete(item);
    }
  } catch (err) {
    // Put every file back as it was, newest first.
    for (const { item, backup } of done.reverse()) {
      if (backup) quietly(() => renameSync(backup, item.real));
      else quietly(() => unlinkSync(item.real));
    }
    return nothingWritten(err);
  }
  for (const { backup } of done) if (backup) quietly(() => unlinkSync(backup));
  unregister();
}

/**
 * One file written the same way (temp file, checked directory, rename): the
 * lock file, `init`'s config. Refuses a target that is not a regular file.
 */
export async function atomicWrite(target: string, content: string | Buffer, shown = target, mode = 0o644): Promise<void> {
  await writeSet([{ target, content, shown, mode }]);
}

/**
 * Several files (not generated ones: no header checks) written as one unit:
 * all new or all old. `init` writes goneat-deploy.yaml and trpc_go.yaml so.
 */
export async function writeSet(files: Array<{ target: string; content: string | Buffer; shown?: string; mode?: number }>, opts: { signal?: AbortSignal } = {}): Promise<void> {
  const items: SetItem[] = [];
  const problems: GoneatError[] = [];
  for (const f of files) {
    const shown = f.shown ?? f.target;
    const t = await inspect(path.resolve(f.target), shown);
    if (!('abs' in t)) problems.push(t);
    else items.push({ real: t.real, shown, content: f.content, existed: t.current !== undefined, ...(f.mode !== undefined ? { mode: f.mode } : {}) });
  }
  if (problems.length) refuse(problems, '; nothing was written');
  await commitSet(items, { display: (p) => p, ...(opts.signal ? { signal: opts.signal } : {}) });
}
