/** Problems found while turning a config into a ServiceSpec, located by field path. Pure. */
import { parseDuration } from './duration.js';

/** A field in the config: keys and list indexes, e.g. ["ports", 1, "port"]. */
export type FieldPath = ReadonlyArray<string | number>;

/**
 * A problem located in a file (file:line:column, the dotted field): the shape of errors.ts
 * ConfigIssue, which ConfigError takes. Declared here because the model imports nothing above util/.
 */
export interface LocatedIssue {
  file: string;
  line?: number;
  column?: number;
  /** Dotted field path, e.g. `server.max_close_wait_time` or `server.service[0].port`. Empty for the whole file. */
  field: string;
  message: string;
}

export interface SpecIssue {
  path: FieldPath;
  message: string;
}

/** A duration field in milliseconds, or `fallback` (with an issue) when it is absent or not a duration. */
export function durationField(v: string | undefined, path: FieldPath, fallback: number, issues: SpecIssue[]): number {
  if (v === undefined) return fallback;
  const parsed = parseDuration(v);
  if (parsed === undefined) {
    issues.push({ path, message: `expected a duration like "5s", got "${v}"` });
    return fallback;
  }
  return parsed;
}
