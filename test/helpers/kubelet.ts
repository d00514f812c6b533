/**
 * The kubelet's `$(VAR)` expansion, ported to TypeScript for the tests (not a
 * mock of our code: an independent reading of the consumer). Source:
 * kubernetes/kubernetes third_party/forked/golang/expansion/expand.go at commit
 * fde22c3f9aacfd260225a9741de123a41157b7c0 (Expand, tryReadVariableName,
 * MappingFuncFor), and pkg/kubelet/kubelet_pods.go makeEnvironmentVariables for
 * how env values see the variables defined before them.
 *
 * Go walks bytes; UTF-8 never puts the bytes of "$", "(" or ")" inside a
 * multi-byte character, so walking UTF-16 code units finds the same operators,
 * and the default case copies "$" with the character after it, as Go copies it
 * with the rune after it.
 */

/** MappingFuncFor: the first context that defines the name wins; an undefined name stays "$(name)". */
export function mappingFor(...contexts: Array<Record<string, string>>): (name: string) => string {
  return (name) => {
    for (const c of contexts) if (Object.prototype.hasOwnProperty.call(c, name)) return c[name]!;
    return `$(${name})`;
  };
}

/** tryReadVariableName: [what was read, whether it names a variable, how many code units it used]. */
function tryReadVariableName(input: string): [string, boolean, number] {
  const cp = input.codePointAt(0)!;
  const size = cp > 0xffff ? 2 : 1;
  if (input[0] === '$') return ['$', false, 1];
  if (input[0] === '(') {
    for (let i = 1; i < input.length; i++) if (input[i] === ')') return [input.slice(1, i), true, i + 1];
    return ['$(', false, 1];
  }
  return [`$${input.slice(0, size)}`, false, size];
}

/** Expand: `$$` → `$`, `$(NAME)` → mapping(NAME), any other `$` kept. */
export function kubeletExpand(input: string, mapping: (name: string) => string): string {
  let out = '';
  let checkpoint = 0;
  for (let cursor = 0; cursor < input.length; cursor++) {
    if (input[cursor] === '$' && cursor + 1 < input.length) {
      out += input.slice(checkpoint, cursor);
      const [read, isVar, advance] = tryReadVariableName(input.slice(cursor + 1));
      out += isVar ? mapping(read) : read;
      cursor += advance;
      checkpoint = cursor + 1;
    }
  }
  return out + input.slice(checkpoint);
}

/**
 * The container's environment as the kubelet builds it from `env` (name/value
 * pairs in order): each non-empty value expanded with the variables defined
 * before it, then the service variables (`serviceEnv`, e.g. KUBERNETES_SERVICE_HOST).
 */
export function kubeletEnvironment(env: Array<{ name: string; value?: string }>, serviceEnv: Record<string, string> = {}): Record<string, string> {
  const tmp: Record<string, string> = {};
  const mapping = mappingFor(tmp, serviceEnv);
  for (const e of env) {
    const v = e.value ?? '';
    tmp[e.name] = v === '' ? v : kubeletExpand(v, mapping);
  }
  return tmp;
}
