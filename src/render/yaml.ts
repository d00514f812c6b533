/**
 * YAML output shared by every YAML target. YAML 1.1 quoting is used on output
 * so that values such as "no", "on", "y" or "0755" stay strings for YAML 1.1
 * readers (docker-compose v1, go-yaml v2) as well as YAML 1.2 ones. Pure.
 */
import YAML from 'yaml';

export function toYaml(value: unknown): string {
  const doc = new YAML.Document(value, { version: '1.1', aliasDuplicateObjects: false });
  // PyYAML (docker-compose v1) refuses a tab inside a plain scalar: double-quote those ("\t").
  YAML.visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value === 'string' && node.value.includes('\t')) node.type = 'QUOTE_DOUBLE';
    },
  });
  return doc.toString({ lineWidth: 0, indentSeq: true });
}

/** Several documents, for `kubectl apply -f -`. */
export function toYamlStream(values: unknown[]): string {
  return values.map((v) => toYaml(v)).join('---\n');
}

/** Kubernetes object key order: apiVersion, kind, metadata first, then the rest sorted. */
export function k8sOrdered<T extends object>(obj: T): T {
  const head = ['apiVersion', 'kind', 'metadata'];
  const src = obj as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of head) if (k in src) out[k] = src[k];
  for (const k of Object.keys(src).filter((k) => !head.includes(k)).sort()) out[k] = src[k];
  return out as T;
}

/** Compose interpolates "$VAR" in every string; a literal "$" is written "$$". */
export function composeEscape(s: string): string {
  return s.replace(/\$/g, '$$$$');
}
