/**
 * Compose variable interpolation in the values lint reads, as the Compose
 * Specification defines it (compose-spec interpolation.md; docker docs
 * reference/compose-file/interpolation.md):
 * - `$VAR` / `${VAR}`: the variable's value ([_a-zA-Z][_a-zA-Z0-9]* after `$`;
 *   any other `$` is kept as is). Unset: a warning and the empty string.
 * - `${VAR:-default}`: default when VAR is unset or empty; `${VAR-default}`:
 *   when unset.
 * - `${VAR:?err}` / `${VAR?err}`: VAR is required (compose exits otherwise).
 * - `${VAR:+replacement}` / `${VAR+replacement}`: replacement when set
 *   (and non-empty), else empty.
 * - nested: `${A:-${B:-x}}`; `$$` is a literal `$`.
 * - values only, never keys.
 *
 * Lint does not know the environment compose will run in, so per form:
 * a default is the value lint judges (and findings say it is the default);
 * anything else depends on a variable lint cannot see — the value is not
 * judged at all (no finding rather than a false error). `$$` becomes `$`.
 *
 * Written here rather than taken from a library: the npm interpolation
 * packages either expand from an environment (which lint must not read) or
 * implement shell syntax compose does not have; this is one linear scan.
 */

export interface Interpolated {
  /** The value as written. */
  raw: string;
  /** The value compose uses when every variable with a default is unset: undefined when it depends on one without. */
  value?: string;
  /** Defaults used, for messages: `45s while GRACE is unset or empty`. */
  defaults: string[];
  /** Variables the value depends on with no default lint could use. */
  unknown: string[];
}

const NAME = /^[_a-zA-Z][_a-zA-Z0-9]*/;

/** Parses one value. Malformed templates (`${` without `}`, `${1}`) are kept literally: compose refuses them anyway. */
export function interpolate(raw: string): Interpolated {
  const defaults: string[] = [];
  const unknown: string[] = [];
  const value = expand(raw, defaults, unknown);
  return { raw, ...(unknown.length ? {} : { value }), defaults, unknown };
}

/** The index of the `}` closing a `${` whose body starts at `from`, counting nested `${…}`; -1 when there is none. */
function closing(s: string, from: number): number {
  let depth = 0;
  for (let i = from; i < s.length; i++) {
    if (s[i] === '$' && s[i + 1] === '$') i++;
    else if (s[i] === '$' && s[i + 1] === '{') {
      depth++;
      i++;
    } else if (s[i] === '}') {
      if (depth === 0) return i;
      depth--;
    }
  }
  return -1;
}

function expand(s: string, defaults: string[], unknown: string[]): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c !== '$') {
      out += c;
      continue;
    }
    const next = s[i + 1];
    if (next === '$') {
      out += '$';
      i++;
    } else if (next === '{') {
      const end = closing(s, i + 2);
      const body = end < 0 ? '' : s.slice(i + 2, end);
      const name = NAME.exec(body)?.[0];
      if (end < 0 || !name) {
        out += c;
        continue;
      }
      const rest = body.slice(name.length);
      const op = /^(:-|-|:\?|\?|:\+|\+)/.exec(rest)?.[0];
      if (op === ':-' || op === '-') {
        const before = unknown.length;
        const d = expand(rest.slice(op.length), defaults, unknown);
        if (unknown.length === before) defaults.push(`${JSON.stringify(d)} while ${name} is ${op === ':-' ? 'unset or empty' : 'unset'}`);
        out += d;
      } else if (rest === '' || op) unknown.push(name);
      else {
        // `${VAR/x/y}` and other shell forms compose does not support: kept as written.
        out += s.slice(i, end + 1);
      }
      i = end;
    } else {
      const name = NAME.exec(s.slice(i + 1))?.[0];
      if (name) {
        unknown.push(name);
        i += name.length;
      } else out += c;
    }
  }
  return out;
}

/** Interpolation of one compose file's services: values resolved where lint can, and what each `$` value was. */
export interface ComposeInterpolation {
  /** The services with every value lint can resolve resolved; values that depend on unknown variables kept as written. */
  services: Record<string, Record<string, unknown>>;
  /** By path ("web\0stop_grace_period"): values that held a `$`. */
  values: Map<string, Interpolated>;
}

/** Resolves a compose file's services (a new tree; the parsed one is left alone: YAML anchors share objects). */
export function interpolateServices(services: Record<string, Record<string, unknown>>): ComposeInterpolation {
  const values = new Map<string, Interpolated>();
  const walk = (v: unknown, path: string): unknown => {
    if (typeof v === 'string') {
      if (!v.includes('$')) return v;
      const r = interpolate(v);
      values.set(path, r);
      return r.value ?? v;
    }
    if (Array.isArray(v)) return v.map((x, i) => walk(x, `${path}\0${i}`));
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, `${path}\0${k}`)]));
    return v;
  };
  const out: Record<string, Record<string, unknown>> = {};
  for (const [name, svc] of Object.entries(services)) out[name] = walk(svc, name) as Record<string, unknown>;
  return { services: out, values };
}

/** What a compose value at `path` (service name, then keys) was, when it held a `$`. */
export function interpolationAt(c: { interpolation?: ComposeInterpolation }, path: Array<string | number>): Interpolated | undefined {
  return c.interpolation?.values.get(path.join('\0'));
}

/** Whether the value at `path` depends on a variable lint cannot see (then no rule judges it). */
export function unknownAt(c: { interpolation?: ComposeInterpolation }, path: Array<string | number>): boolean {
  return Boolean(interpolationAt(c, path)?.unknown.length);
}

/**
 * A compose value for a message: as written, plus what lint took it to be when
 * that came from a default (`${GRACE:-10s} (10s, the default while GRACE is
 * unset or empty)`); `fallback` (the value) when it held no `$`.
 */
export function shownAt(c: { interpolation?: ComposeInterpolation }, path: Array<string | number>, fallback: unknown): string {
  const i = interpolationAt(c, path);
  if (!i || i.value === undefined) return String(fallback);
  if (!i.defaults.length) return i.value === i.raw ? i.raw : `${i.raw} (${i.value})`;
  return `${i.raw} (${i.value}: the default, used ${i.defaults.map((d) => d.replace(/^".*" while /, 'while ')).join(', ')})`;
}

/** Resolves a parsed compose file's services in place of the parsed ones, keeping what each `$` value was (cheap without a `$`). */
export function applyInterpolation(doc: { services: Record<string, Record<string, unknown>>; interpolation?: ComposeInterpolation }, text: string): void {
  if (!text.includes('$')) return;
  doc.interpolation = interpolateServices(doc.services);
  doc.services = doc.interpolation.services;
}
