/**
 * init checks the goneat-deploy.yaml it is about to write with the same
 * loader every command uses; a problem in it comes from a flag (or an answer)
 * the user gave, not from a line of a file that was never written. This maps
 * each issue back to its flag: `--drain 5: expected a duration ...`. Pure.
 */
import { ConfigError, UsageError, formatIssue, type ConfigIssue } from '../errors.js';

/** Config fields init writes, and the flag each comes from. */
const FIELD_FLAGS: Array<{ field: RegExp; key: string; flag: string }> = [
  { field: /^name$/, key: 'name', flag: '--name' },
  { field: /^image\.repository$/, key: 'repository', flag: '--repository' },
  { field: /^image\.tag$/, key: 'tag', flag: '--tag' },
  { field: /^build\.main$/, key: 'main', flag: '--main' },
  { field: /^ports(\[|\.|$)/, key: 'port', flag: '--port' },
  { field: /^health(\.|$)/, key: 'health', flag: '--health' },
  { field: /^shutdown\.drain$/, key: 'drain', flag: '--drain' },
  { field: /^shutdown\.preStop$/, key: 'preStop', flag: '--pre-stop' },
  { field: /^replicas$/, key: 'replicas', flag: '--replicas' },
];

/**
 * The UsageError (exit 2) for a ConfigError raised while checking the config init renders (`file`):
 * issues in that file about a value a flag gave are "FLAG VALUE: message"; issues about a value init
 * derived from another (image.repository from --name) are dropped when that other value is already
 * reported, else said as "FIELD (as init would write it): message". Issues in other files (trpc_go.yaml)
 * keep their file:line. `given` maps the keys above to what the user gave (flag or prompt answer).
 */
export function initFlagError(err: ConfigError, file: string, given: Record<string, string | undefined>): UsageError {
  const mine = (i: ConfigIssue) => i.file === file;
  const flagOf = (i: ConfigIssue) => FIELD_FLAGS.find((f) => f.field.test(i.field));
  const fromFlag = err.issues.filter((i) => mine(i) && flagOf(i) && given[flagOf(i)!.key] !== undefined);
  const lines: string[] = [];
  for (const i of err.issues) {
    const f = mine(i) ? flagOf(i) : undefined;
    if (!mine(i)) lines.push(formatIssue(i));
    else if (f && given[f.key] !== undefined) lines.push(`${f.flag} ${given[f.key]}: ${i.message}`);
    else if (!fromFlag.length) lines.push(`${i.field || 'goneat-deploy.yaml'} (as init would write it): ${i.message}`);
  }
  const unique = [...new Set(lines)];
  return new UsageError(unique[0] ?? err.message, unique.slice(1));
}
