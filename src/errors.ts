/**
 * Error classes carry their exit code. Library code throws them and never
 * exits; only src/bin.ts turns them into a message and `process.exitCode`.
 *
 * Exit codes (documented in the README):
 *   0  success
 *   1  runtime failure (Docker, go build, a failed verify, lint findings, --check drift)
 *   2  usage or configuration error (bad flags, bad config, unusable binary or tini)
 *   130 interrupted (SIGINT), 143 terminated (SIGTERM)
 */

export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

export class GoneatError extends Error {
  readonly exitCode: number;
  /** Extra lines printed under the message (hints, diffs). */
  readonly details: string[];
  constructor(message: string, exitCode: number, details: string[] = [], options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.exitCode = exitCode;
    this.details = details;
  }
}

/** Bad flags or arguments. Exit 2. */
export class UsageError extends GoneatError {
  constructor(message: string, details: string[] = []) {
    super(message, EXIT_USAGE, details);
  }
}

/** One problem in a config file, located precisely. */
export interface ConfigIssue {
  file: string;
  line?: number;
  column?: number;
  /** Dotted field path, e.g. `shutdown.drain` or `ports[1].port`. Empty for the whole file. */
  field: string;
  message: string;
}

export function formatIssue(i: ConfigIssue): string {
  const loc = i.line !== undefined ? `${i.file}:${i.line}:${i.column ?? 1}` : i.file;
  return i.field ? `${loc}: ${i.field}: ${i.message}` : `${loc}: ${i.message}`;
}

/** A config file that does not parse or validate. Exit 2. Lists every issue found. */
export class ConfigError extends GoneatError {
  readonly issues: ConfigIssue[];
  constructor(issues: ConfigIssue[]) {
    const [first, ...rest] = issues;
    super(first ? formatIssue(first) : 'invalid configuration', EXIT_USAGE, rest.map(formatIssue));
    this.issues = issues;
  }
}

/** Something failed while doing the work (Docker, go build, file I/O). Exit 1. */
export class RuntimeError extends GoneatError {
  constructor(message: string, details: string[] = [], options?: { cause?: unknown }) {
    super(message, EXIT_FAILURE, details, options);
  }
}

/** The Docker Engine cannot be reached. Exit 1 with a one-line hint. */
export class DockerUnreachableError extends RuntimeError {}

/**
 * A goneat-deploy bug (an "unreachable" branch taken, generated output that
 * fails its own validation). Exit 1; the message says "internal error".
 */
export class InternalError extends GoneatError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(`internal error: ${message}`, EXIT_FAILURE, [], options);
  }
}

/** What was being done to a file when it failed. */
export type FileAction = 'read' | 'write' | 'open' | 'create directory';

/**
 * The one wording of a file problem: "<what> <path>: <problem>". A path the
 * user named that cannot be used — missing, a directory where a file goes, a
 * file where a directory goes, not permitted, read-only — is a usage error
 * (exit 2); any other I/O failure a runtime error (exit 1). `hint` follows
 * the problem after "; " (how to fix it), `subject` prefixes the path
 * ("binary", "tini (build.tini)").
 */
export function fileError(err: unknown, shown: string, action: FileAction, opts: { hint?: Partial<Record<string, string>>; subject?: string } = {}): GoneatError {
  const code = (err as NodeJS.ErrnoException)?.code ?? '';
  const who = opts.subject ? `${opts.subject} ${shown}` : shown;
  const problems: Record<string, string> = {
    ENOENT: 'no such file or directory',
    EISDIR: 'is a directory',
    ENOTDIR: 'a parent of this path is a file, not a directory',
    EACCES: `permission denied (cannot ${action})`,
    EPERM: `permission denied (cannot ${action})`,
    EROFS: `read-only file system (cannot ${action})`,
    ELOOP: 'too many levels of symbolic links',
    EEXIST: 'exists and is not a directory',
  };
  const hint = opts.hint?.[code];
  // util/read.ts's ReadError: a path that is not a regular file, too large, or not UTF-8.
  const detail = (err as { detail?: { kind?: string; maxBytes?: number; line?: number; column?: number; byte?: number } })?.detail ?? {};
  if (code === 'ENOTREG') return new UsageError(`${who}: is ${detail.kind ?? 'not a regular file'}, not a regular file: goneat-deploy reads only regular files${hint ? `; ${hint}` : ''}`);
  if (code === 'EFBIG') return new UsageError(`${who}: is larger than ${formatBytes(detail.maxBytes ?? 0)}, the most goneat-deploy reads from it${hint ? `; ${hint}` : ''}`);
  if (code === 'EILSEQ') {
    const byte = `0x${(detail.byte ?? 0).toString(16).padStart(2, '0')}`;
    return new ConfigError([{ file: shown, line: detail.line ?? 1, column: detail.column ?? 1, field: '', message: `not valid UTF-8 (byte ${byte}): save the file as UTF-8` }]);
  }
  const problem = problems[code];
  if (problem) return new UsageError(`${who}: ${problem}${hint ? `; ${hint}` : ''}`);
  if (code === 'ENOSPC' || code === 'EDQUOT') return new RuntimeError(`${who}: ${code === 'ENOSPC' ? 'no space left on the device' : 'disk quota exceeded'} (cannot ${action})`, [], { cause: err });
  return new RuntimeError(`${who}: cannot ${action}: ${(err as Error)?.message ?? String(err)}`, [], { cause: err });
}

/** "4 MiB", "64 KiB", "12 bytes": sizes in messages. */
export function formatBytes(n: number): string {
  if (n >= 1 << 20 && n % (1 << 20) === 0) return `${n / (1 << 20)} MiB`;
  if (n >= 1 << 10 && n % (1 << 10) === 0) return `${n / (1 << 10)} KiB`;
  return `${n} bytes`;
}

/**
 * The user interrupted us. Exit 128+signal. `left` says in a few words what the
 * command leaves behind ("no file was written: every file is as it was");
 * without it the message says "cleaned up".
 */
export class InterruptedError extends GoneatError {
  readonly signal: 'SIGINT' | 'SIGTERM';
  readonly left: string | undefined;
  constructor(signal: 'SIGINT' | 'SIGTERM', left?: string) {
    super(`interrupted by ${signal}${left ? `; ${left}` : ''}`, signal === 'SIGINT' ? 130 : 143);
    this.signal = signal;
    this.left = left;
  }

  /** The same interruption, saying what was left. */
  leaving(left: string): InterruptedError {
    return new InterruptedError(this.signal, left);
  }
}

/** The InterruptedError an aborted signal carries (src/bin.ts aborts with one), else one for SIGINT. */
export function interruption(signal: AbortSignal): InterruptedError {
  return signal.reason instanceof InterruptedError ? signal.reason : new InterruptedError('SIGINT');
}
