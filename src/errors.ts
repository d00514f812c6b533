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

/** The user interrupted us. Exit 128+signal. */
export class InterruptedError extends GoneatError {
  constructor(signal: 'SIGINT' | 'SIGTERM') {
    super(`interrupted by ${signal}`, signal === 'SIGINT' ? 130 : 143);
  }
}
