/** Option handling for `lint` that the command's action calls with one line each. */
import { UsageError } from '../errors.js';

/**
 * `--json`: `--format json`, as build, generate and verify spell "results as
 * JSON" (README: `--json` on every command that produces results). Returns the
 * format to use; throws UsageError (exit 2) when `--format` asks for another
 * one (`--json --format sarif`), rather than picking one silently.
 */
export function jsonFormat(format: string): 'json' {
  if (format !== 'text' && format !== 'json') throw new UsageError(`--json and --format ${format} ask for two formats: give one`);
  return 'json';
}
