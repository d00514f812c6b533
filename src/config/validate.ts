/**
 * Schema validation with messages a person can act on: which field, what was
 * expected, what was found, and a did-you-mean for misspelt keys.
 */
import type { ErrorObject, ValidateFunction } from 'ajv';
import { closest, distance } from 'fastest-levenshtein';
import type { ConfigIssue } from '../errors.js';
import type { Config } from '../model/schema.js';
import { precompiledValidator } from './precompiled.js';
import { compileConfigValidator } from './compile.js';
import type { FieldPath, YamlSource } from '../model/source.js';

let compiled: ValidateFunction<Config> | undefined;

function validator(): ValidateFunction<Config> {
  compiled ??= precompiledValidator ?? compileConfigValidator();
  return compiled;
}

function pointerToPath(pointer: string): (string | number)[] {
  if (!pointer) return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

export function describeValue(v: unknown): string {
  if (v === null || v === undefined) return 'nothing';
  if (typeof v === 'string') return `"${v.length > 60 ? `${v.slice(0, 57)}...` : v}"`.replace(/\n/g, '\\n');
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'number') return Number.isInteger(v) ? `the number ${v}` : `the number ${v}`;
  return `${typeof v} ${String(v)}`;
}

const TYPE_WORDS: Record<string, string> = {
  string: 'a string',
  integer: 'a whole number',
  number: 'a number',
  boolean: 'true or false',
  object: 'a mapping',
  array: 'a list',
};

function expectedOf(e: ErrorObject): string {
  const ps = e.parentSchema as Record<string, unknown> | undefined;
  if (ps && typeof ps['x-expected'] === 'string') return ps['x-expected'];
  switch (e.keyword) {
    case 'type':
      return String(e.params.type)
        .split(',')
        .map((t) => TYPE_WORDS[t] ?? t)
        .join(' or ');
    case 'enum':
      return `one of ${(e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'minimum':
      return `a number >= ${e.params.limit}`;
    case 'maximum':
      return `a number <= ${e.params.limit}`;
    case 'minItems':
      return `at least ${e.params.limit} item(s)`;
    case 'minLength':
      return e.params.limit === 1 ? 'a non-empty string' : `at least ${e.params.limit} characters`;
    case 'maxLength':
      return `at most ${e.params.limit} characters`;
    case 'uniqueItems':
      return 'no duplicate items';
    case 'pattern':
      return `a value matching ${e.params.pattern}`;
    default:
      return e.message ?? 'a valid value';
  }
}

function suggest(key: string, allowed: string[]): string {
  if (allowed.length === 0) return '';
  // An abbreviation ("repo" for "repository") or a near miss ("drian" for "drain").
  const prefix = key.length >= 3 ? allowed.find((a) => a.toLowerCase().startsWith(key.toLowerCase())) : undefined;
  if (prefix) return ` (did you mean "${prefix}"?)`;
  const best = closest(key, allowed);
  const d = distance(key.toLowerCase(), best.toLowerCase());
  return d <= Math.max(2, Math.floor(best.length / 3)) ? ` (did you mean "${best}"?)` : '';
}

/** Validates parsed data against the schema; returns every issue, located. */
export function validateConfig(data: unknown, source: YamlSource): { config?: Config; issues: ConfigIssue[] } {
  if (data === null || data === undefined) {
    return {
      issues: [{ file: source.file, line: 1, column: 1, field: '', message: 'the file is empty: expected a mapping with at least `name` and `image`' }],
    };
  }
  if (typeof data !== 'object' || Array.isArray(data)) {
    return { issues: [source.issue([], `expected a mapping of fields (name, image, ...), got ${describeValue(data)}`)] };
  }
  const validate = validator();
  if (validate(data)) return { config: data, issues: [] };

  const errors = validate.errors ?? [];
  // A failed union (anyOf) reports each branch too; keep only the union's own error at that path.
  const unionPaths = new Set(errors.filter((e) => e.keyword === 'anyOf').map((e) => e.instancePath));
  const seen = new Set<string>();
  const issues: ConfigIssue[] = [];
  const push = (issue: ConfigIssue) => {
    const k = `${issue.line}:${issue.column}:${issue.field}:${issue.message}`;
    if (!seen.has(k)) {
      seen.add(k);
      issues.push(issue);
    }
  };
  for (const e of errors) {
    const insideFailedUnion = [...unionPaths].some((p) => e.instancePath === p || e.instancePath.startsWith(`${p}/`));
    if (e.keyword !== 'anyOf' && insideFailedUnion) continue;
    const path: FieldPath = pointerToPath(e.instancePath);
    const parent = (e.parentSchema ?? {}) as Record<string, unknown>;
    if (e.keyword === 'additionalProperties') {
      const key = String(e.params.additionalProperty);
      if (typeof parent['x-key-expected'] === 'string') {
        push(source.issue(path, `invalid name ${describeValue(key)}: expected ${parent['x-key-expected']}`, { key }));
        continue;
      }
      const props = Object.keys((parent.properties as object) ?? {});
      const list = props.length ? `; expected one of: ${props.join(', ')}` : '';
      push(source.issue(path, `unknown field${suggest(key, props)}${list}`, { key }));
    } else if (e.keyword === 'required') {
      push(source.issue(path, `missing required field "${String(e.params.missingProperty)}"`));
    } else {
      push(source.issue(path, `expected ${expectedOf(e)}, got ${describeValue(e.data)}`));
    }
  }
  // A misspelt required key shows up twice (unknown "repo", missing "repository"): keep the one that says both.
  const suggested = issues.filter((i) => /did you mean "/.test(i.message));
  const merged = issues.filter((i) => {
    const m = /^missing required field "(.+)"$/.exec(i.message);
    if (!m) return true;
    const parent = i.field;
    return !suggested.some((u) => u.message.includes(`did you mean "${m[1]}"`) && u.field.startsWith(parent ? `${parent}.` : '') && u.field.split('.').length === (parent ? parent.split('.').length + 1 : 1));
  });
  issues.length = 0;
  issues.push(...merged);
  issues.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
  return { issues };
}
