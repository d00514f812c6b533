/**
 * The one reader of files a user names: goneat-deploy.yaml, the trpc_go.yaml it
 * names, goneat-deploy.lock.json, lint's inputs, what `init` looks at.
 *
 *  - Regular files only. The file is opened with O_NONBLOCK, so opening a FIFO
 *    that no one writes to returns at once instead of blocking (open(2): "an
 *    open() for reading-only shall return without delay" with O_NONBLOCK,
 *    fifo(7)); fstat(2) on the open descriptor then says what it is, and
 *    anything but a regular file (a FIFO, /dev/zero, a tty, a socket, a
 *    directory) is refused before a byte is read. O_NOCTTY: a terminal is never
 *    made the controlling one.
 *  - A size cap, checked against fstat and again while reading (the file may
 *    grow): memory stays bounded whatever the path names.
 *  - Text is UTF-8: invalid bytes are an error at their line and column, never
 *    replaced by U+FFFD behind the user's back (TextDecoder's fatal mode, and
 *    firstInvalidUtf8 below for the position).
 *  - Reads stop between chunks when `signal` is aborted (SIGINT/SIGTERM).
 *
 * Errors are `ReadError`s with an errno-like `code` that errors.ts fileError
 * words (util/ imports nothing of the project): ENOTREG, EFBIG, EILSEQ, and the
 * system's own (ENOENT, EACCES, EISDIR, ...).
 */
import { constants, openSync, readSync, closeSync, fstatSync, type Stats } from 'node:fs';
import { open } from 'node:fs/promises';

export type ReadErrorCode = 'ENOTREG' | 'EFBIG' | 'EILSEQ';

export class ReadError extends Error {
  constructor(
    readonly code: ReadErrorCode,
    message: string,
    /** ENOTREG: what the path is ("a FIFO (named pipe)"). EFBIG: the cap. EILSEQ: where. */
    readonly detail: { kind?: string; size?: number; maxBytes?: number; line?: number; column?: number; byte?: number; offset?: number } = {},
  ) {
    super(message);
    this.name = 'ReadError';
  }
}

export interface ReadOptions {
  /** The most bytes read; a larger file is refused (EFBIG). */
  maxBytes: number;
  /** Aborted: the read stops between chunks and rejects with the signal's reason. */
  signal?: AbortSignal;
}

const FLAGS = constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY;
const CHUNK = 1 << 20;

/** What a non-regular file is, in words ("a FIFO (named pipe)"). */
export function fileKind(st: Stats): string {
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  if (st.isDirectory()) return 'a directory';
  if (st.isSymbolicLink()) return 'a symbolic link';
  return 'not a regular file';
}

function checkStat(st: Stats, maxBytes: number): void {
  if (st.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
  if (!st.isFile()) throw new ReadError('ENOTREG', `is ${fileKind(st)}, not a regular file`, { kind: fileKind(st) });
  if (st.size > maxBytes) throw new ReadError('EFBIG', `is ${st.size} bytes, more than ${maxBytes}`, { size: st.size, maxBytes });
}

/** open(2) of a socket fails with ENXIO: say what it is. */
function openProblem(err: unknown): unknown {
  return (err as NodeJS.ErrnoException)?.code === 'ENXIO' ? new ReadError('ENOTREG', 'is a socket, not a regular file', { kind: 'a socket' }) : err;
}

/**
 * Bytes to read next: what fstat says is left plus one (to see the end, or that the file grew), at least
 * 8 KiB, at most CHUNK and never past maxBytes + 1. Sized by the file, not by CHUNK: a 1 MiB buffer per
 * read made lint of a 1,600-file monorepo allocate 3 GB and spend a fifth of its time collecting it.
 */
function chunkSize(statSize: number, total: number, maxBytes: number): number {
  return Math.min(CHUNK, maxBytes + 1 - total, Math.max(statSize + 1 - total, 8192));
}

/** The bytes of a regular file of at most `maxBytes`. Errors: see the file's header. */
export async function readRegularFile(file: string, opts: ReadOptions): Promise<Buffer> {
  opts.signal?.throwIfAborted();
  const fh = await open(file, FLAGS).catch((err: unknown) => {
    throw openProblem(err);
  });
  try {
    const st = await fh.stat();
    checkStat(st, opts.maxBytes);
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      opts.signal?.throwIfAborted();
      const buf = Buffer.allocUnsafe(chunkSize(st.size, total, opts.maxBytes));
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      chunks.push(buf.subarray(0, bytesRead));
      total += bytesRead;
      if (total > opts.maxBytes) throw new ReadError('EFBIG', `is more than ${opts.maxBytes} bytes`, { maxBytes: opts.maxBytes });
    }
    return Buffer.concat(chunks, total);
  } finally {
    await fh.close();
  }
}

/** readRegularFile, synchronously (for the config's own readAux callback). */
export function readRegularFileSync(file: string, opts: { maxBytes: number }): Buffer {
  let fd: number;
  try {
    fd = openSync(file, FLAGS);
  } catch (err) {
    throw openProblem(err);
  }
  try {
    const st = fstatSync(fd);
    checkStat(st, opts.maxBytes);
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const buf = Buffer.allocUnsafe(chunkSize(st.size, total, opts.maxBytes));
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      chunks.push(buf.subarray(0, n));
      total += n;
      if (total > opts.maxBytes) throw new ReadError('EFBIG', `is more than ${opts.maxBytes} bytes`, { maxBytes: opts.maxBytes });
    }
    return Buffer.concat(chunks, total);
  } finally {
    closeSync(fd);
  }
}

/**
 * Offset of the first byte that does not start a well-formed UTF-8 sequence
 * (Unicode 15, table 3-7: no overlong forms, no surrogates U+D800–U+DFFF, nothing
 * above U+10FFFF), or -1 when all of `buf` is UTF-8.
 */
export function firstInvalidUtf8(buf: Uint8Array): number {
  let i = 0;
  const n = buf.length;
  while (i < n) {
    const b = buf[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) lo = 0xa0;
      if (b === 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) lo = 0x90;
      if (b === 0xf4) hi = 0x8f;
    } else return i;
    for (let k = 1; k <= need; k++) {
      const c = buf[i + k];
      if (c === undefined || c < (k === 1 ? lo : 0x80) || c > (k === 1 ? hi : 0xbf)) return i;
    }
    i += need + 1;
  }
  return -1;
}

/**
 * UTF-8 bytes to text; a byte order mark at the start is dropped. Invalid
 * UTF-8 throws ReadError EILSEQ with the line and column (1-based, in
 * characters) and the offending byte.
 */
export function decodeUtf8(buf: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(buf);
  } catch {
    const at = firstInvalidUtf8(buf);
    const offset = at < 0 ? 0 : at;
    const lineStart = buf.lastIndexOf(0x0a, offset - 1) + 1;
    let line = 1;
    for (let i = 0; i < lineStart; i++) if (buf[i] === 0x0a) line++;
    const column = [...buf.subarray(lineStart, offset).toString('utf8')].length + 1;
    const byte = buf[offset] ?? 0;
    throw new ReadError('EILSEQ', `is not valid UTF-8: byte 0x${byte.toString(16).padStart(2, '0')} at line ${line}, column ${column}`, { line, column, byte, offset });
  }
}

/** A regular file's text (UTF-8, at most `maxBytes`). */
export async function readTextFile(file: string, opts: ReadOptions): Promise<string> {
  return decodeUtf8(await readRegularFile(file, opts));
}

/** readTextFile, synchronously. */
export function readTextFileSync(file: string, opts: { maxBytes: number }): string {
  return decodeUtf8(readRegularFileSync(file, opts));
}

/** Caps, in bytes, with why each is generous for its file. */
export const READ_LIMITS = {
  /** goneat-deploy.yaml and the trpc_go.yaml it names: configs are kilobytes; 4 MiB leaves room for long values, which the value checks then judge. */
  config: 4 << 20,
  /** goneat-deploy.lock.json: four short fields. */
  lock: 64 << 10,
  /** One file lint reads (a 10,000-service compose file is ~1 MiB). */
  lintFile: 16 << 20,
  /** All of lint's files together (lint's worker has a bounded heap too: src/lint/lint.ts LINT_HEAP_MB). */
  lintTotal: 32 << 20,
  /** A file `init` looks at (go.mod, a Go source file, trpc_go.yaml). */
  init: 4 << 20,
} as const;
