/**
 * The one YAML emitter for generated files (compose, swarm, Kubernetes,
 * kustomization) and for the config `init` writes. Written here rather than
 * left to a library's own quoting because who reads these files disagrees
 * about plain scalars, and the emitter must satisfy all of them at once:
 *
 *  - YAML 1.1 readers: PyYAML (docker-compose v1), go-yaml v2 / sigs.k8s.io/yaml
 *    (kubectl): `y`, `n`, `yes`, `no`, `on`, `off` are booleans, `0o10` and
 *    `010` octal, `1:20` base 60, `=` the value tag and `<<` a merge key, and
 *    U+0085, U+2028, U+2029 are line breaks (YAML 1.1 §5.4);
 *  - YAML 1.2 readers: go-yaml v3 (compose v2), the `yaml` library: `.inf`,
 *    `~`, `null`, `0x1f` and the like are not strings either.
 *
 * So a string is written plain only when it starts with a letter, "_" or "/", holds
 * nothing but letters, digits and `_ . / @ + -` (and ":" between them, outside
 * flow collections), and is not one of the words either version resolves; every
 * other string is double-quoted, and inside the quotes every character a reader
 * could take for something else is an escape: `\\`, `\"`, `\t`, `\n`, `\r`, and
 * `\uXXXX` for the other C0 controls, DEL, the C1 controls (U+0085 included),
 * U+2028, U+2029, U+FEFF, U+FFFE, U+FFFF and unpaired surrogates. Both
 * versions decode those escapes the same way (YAML 1.1 §5.7, YAML 1.2 §5.7).
 * No line is ever folded. Keys are strings like any other; a key longer than a
 * simple key may be (1024 characters, YAML 1.2 §7.4 and PyYAML's scanner) is
 * written as an explicit key ("? key"). Numbers are written so that both
 * versions read a number: integers as digits, other numbers always with a "."
 * (PyYAML reads "1e-7" as a string). Pure.
 */

/** Written plain: a letter or "_" first, then a safe set, ":" only between safe runs. */
const PLAIN = /^[A-Za-z_/][A-Za-z0-9_./@+-]*(?::[A-Za-z0-9_./@+-]+)*$/;
/** In a flow collection ("{ a: b }") ":" is an indicator for YAML 1.1 readers: no colon there. */
const PLAIN_FLOW = /^[A-Za-z_/][A-Za-z0-9_./@+-]*$/;
/** Words YAML 1.1 or 1.2 resolve to booleans or null, in any case. */
const RESERVED = /^(?:y|yes|n|no|true|false|on|off|null)$/i;
/** What is escaped inside double quotes. */
// Controls, DEL, C1, separators, BOM, U+FFFE/U+FFFF, and any surrogate code unit (paired ones are re-joined below).
const ESCAPED = /[\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff"\\]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

const NAMED: Record<string, string> = { '"': '\\"', '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** Longest key written as a simple key ("key: value"); longer ones are explicit ("? key"). */
const SIMPLE_KEY_MAX = 1000;

/** A string as a YAML scalar that YAML 1.1 and 1.2 readers both read back as exactly `s`. */
export function yamlString(s: string, opts: { flow?: boolean } = {}): string {
  if ((opts.flow ? PLAIN_FLOW : PLAIN).test(s) && !RESERVED.test(s)) return s;
  return `"${s.replace(ESCAPED, (c) => NAMED[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}"`;
}

/** A number both YAML versions read as that number. Throws on NaN and infinities (no JSON or YAML consumer here takes them). */
export function yamlNumber(n: number): string {
  if (!Number.isFinite(n)) throw new Error(`cannot write ${n} to YAML`);
  if (Number.isInteger(n)) return Number.isSafeInteger(n) ? String(n) : BigInt(n).toString();
  const s = String(n);
  return s.includes('.') ? s : s.replace(/e/, '.0e');
}

/** Any scalar (string, number, boolean, null). */
export function yamlScalar(v: unknown, opts: { flow?: boolean } = {}): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return yamlString(v, opts);
  if (typeof v === 'number') return yamlNumber(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  throw new Error(`cannot write a ${typeof v} as a YAML scalar`);
}

type Collection = unknown[] | Record<string, unknown>;

function isCollection(v: unknown): v is Collection {
  return Array.isArray(v) || (typeof v === 'object' && v !== null);
}

function entries(v: Collection): Array<[string, unknown]> {
  return Object.entries(v).filter(([, x]) => x !== undefined);
}

function isEmpty(v: Collection): boolean {
  return Array.isArray(v) ? v.length === 0 : entries(v).length === 0;
}

/** A scalar, or an empty collection written in flow style, for after "key: " or "- ". */
function inline(v: unknown): string | undefined {
  if (!isCollection(v)) return yamlScalar(v);
  if (isEmpty(v)) return Array.isArray(v) ? '[]' : '{}';
  return undefined;
}

/** The block lines of a non-empty collection at `indent` spaces. */
function block(v: Collection, indent: number, out: string[]): void {
  const pad = ' '.repeat(indent);
  if (Array.isArray(v)) {
    for (const item of v) {
      const one = inline(item);
      if (one !== undefined) {
        out.push(`${pad}- ${one}`);
        continue;
      }
      const start = out.length;
      block(item as Collection, indent + 2, out);
      out[start] = `${pad}- ${out[start]!.slice(indent + 2)}`;
    }
    return;
  }
  for (const [k, value] of entries(v)) {
    const key = yamlString(k);
    const one = inline(value);
    if (key.length > SIMPLE_KEY_MAX) {
      out.push(`${pad}? ${key}`);
      if (one !== undefined) out.push(`${pad}: ${one}`);
      else {
        out.push(`${pad}:`);
        block(value as Collection, indent + 2, out);
      }
      continue;
    }
    if (one !== undefined) out.push(`${pad}${key}: ${one}`);
    else {
      out.push(`${pad}${key}:`);
      // Sequences under a key are indented too ("indentSeq"), as kubectl and compose files usually are.
      block(value as Collection, indent + 2, out);
    }
  }
}

/** One YAML document (no "---"), ending with a newline. */
export function toYaml(value: unknown): string {
  const one = inline(value);
  if (one !== undefined) return `${one}\n`;
  const out: string[] = [];
  block(value as Collection, 0, out);
  return `${out.join('\n')}\n`;
}

/** Several documents separated by "---", for `kubectl apply -f -`. */
export function toYamlStream(values: unknown[]): string {
  return values.map((v) => toYaml(v)).join('---\n');
}
