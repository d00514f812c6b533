/**
 * YAML output shared by every YAML target: the one emitter (util/yaml.ts),
 * which quotes every string so YAML 1.1 readers (docker-compose v1, kubectl's
 * sigs.k8s.io/yaml) and YAML 1.2 readers (compose v2, go-yaml v3) read the same
 * value; and what the targets add: Kubernetes key order, compose's "$$". Pure.
 */
export { toYaml, toYamlStream } from '../util/yaml.js';

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
