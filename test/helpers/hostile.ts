/**
 * Hostile values for every user-controlled field that reaches a generated
 * file (issue 19's property tests): a fixed corpus of what each consumer's
 * syntax treats specially, plus strings fast-check generates from a pool of
 * such characters, with a fixed seed. Each field says where a payload goes in
 * the config and what every consumer must then read back. Shared by
 * test/unit/hostile-property.test.ts (in-process readers),
 * test/integration/hostile-consumers.test.ts (PyYAML, go-yaml, compose v1/v2,
 * systemd-analyze and systemd's own ExecStart= parse, systemd-sysusers,
 * plistlib, sh, BuildKit's Dockerfile parser).
 */
import fc from 'fast-check';
import { specFromText } from '../../src/config/load.js';
import { GoneatError } from '../../src/errors.js';
import type { ServiceSpec } from '../../src/model/service.js';
import { renderAll } from '../../src/generate/targets.js';
import type { RenderedFile } from '../../src/model/generated.js';
import { parseImageReference } from '../../src/model/reference.js';

/** The seed every hostile property test uses; printed with any failure. */
export const SEED = 20261130;

/** Words and forms YAML 1.1 or 1.2 readers resolve to something other than a string. */
export const YAML_WORDS = ['y', 'Y', 'n', 'N', 'yes', 'Yes', 'YES', 'no', 'No', 'NO', 'on', 'On', 'ON', 'off', 'Off', 'OFF', 'true', 'True', 'TRUE', 'false', 'False', 'null', 'Null', 'NULL', '~', '=', '<<', '0o10', '010', '0x1F', '0b101', '1_000', '1:20', '190:20:30', '1e3', '1.5', '+1', '-1', '.5', '.inf', '-.inf', '.Inf', '.nan', '.NaN', '2001-12-14', '2001-12-14t21:59:43.10-05:00'];

/** Free text: what breaks YAML (both versions), systemd, the kubelet, compose, the shell, libnih, XML, Dockerfiles and terminals. */
export const FREE_TEXT = [
  ...YAML_WORDS,
  '',
  ' ',
  ' lead',
  'trail ',
  'a\u2028b',
  'a\u2029b',
  'x\u0085y',
  '\u0080\u009f',
  'c1 \u009b31m csi',
  'bom \ufeff here',
  '\u00a0nbsp',
  'tab\there',
  '$',
  '$$',
  'a$$b',
  '$HOME',
  '${HOME}',
  '$(A_SECRET)',
  '$(KUBERNETES_SERVICE_HOST)',
  '$$(A_SECRET)',
  '$(',
  '%',
  '%n',
  '%%',
  '100%',
  '"',
  "'",
  `it's "quoted"`,
  '\\',
  'a\\',
  '\\"',
  "\\'",
  '\\n',
  '#',
  'a #b',
  ';',
  'a;b',
  '&',
  '|',
  '`id`',
  '$(id)',
  "'\\''",
  '- a',
  '? x',
  'key: v',
  'a: ',
  '{a: b}',
  '[a, b]',
  '*alias',
  '&anchor',
  '!tag',
  '!!str x',
  '|',
  '>',
  '@',
  '%YAML 1.1',
  '---',
  '...',
  '<xml> & </xml>',
  ']]>',
  '<!-- c -->',
  '&amp;',
  'é',
  '🙂',
  '👨\u200d👩\u200d👧',
  'e\u0301',
  '\u202eevil',
  'עברית',
  '\u{10FFFD}',
  'x'.repeat(300),
  // Refused by the value validator (model/values.ts): the test expects exit 2 for these.
  'a\nb',
  'a\rb',
  'nul\0',
  'esc\x1b[2J',
  'del\x7f',
  '\ufffe',
  '\uffff',
  '\ufdd0',
  '\u{1FFFE}',
  '\ud800',
  'x\udc00y',
];

/** Characters fast-check builds free text from: the special ones, often. */
const SPECIAL_CHARS = [...'$%"\'\\#;&|`(){}[]<>*!?:,=@~^- \t.+/_0aZé🙂\u2028\u2029\u0085\u009b\u00a0\ufeff\u202e'];

export function freeTextArbitrary(): fc.Arbitrary<string> {
  return fc.oneof(
    fc.string({ unit: fc.constantFrom(...SPECIAL_CHARS), maxLength: 12 }),
    fc.string({ unit: 'grapheme', maxLength: 10 }),
    fc.string({ unit: 'binary', maxLength: 8 }),
    fc.constantFrom(...YAML_WORDS).chain((w) => fc.constantFrom(w, ` ${w}`, `${w} `, `"${w}"`)),
  );
}

/** A field a user controls, and what reaches the consumers. */
export interface Field {
  /** The config path as messages show it ("args[0]", "env.V"). */
  name: string;
  /** The dotted path an error about it names, as a regexp source (exit 2 must point here). */
  at: RegExp;
  /** Fixed payloads (the corpus) and a generator for more. */
  corpus: string[];
  generated: fc.Arbitrary<string>;
  /** The config (as an object, written as JSON: JSON is YAML and escapes every character) with the payload in place. */
  config(payload: string, n: number): Record<string, unknown>;
  /** --image, when the field is the flag. */
  image?(payload: string): string;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,12}[a-z0-9])?$/;
const labelWords = YAML_WORDS.filter((w) => /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(w)).concat(['inf', 'nan', '0', '1', '123', '0x10', '1e-3', '1-0', 'a--b']);

/** A valid config for service `svc<n>` (unique names: compose files can be merged). */
export function baseConfig(n: number): Record<string, unknown> {
  return {
    name: `svc${n}`,
    image: { repository: 'adv/svc', tag: 'dev' },
    ports: [{ name: 'http', port: 8080, publish: '127.0.0.1:0' }],
    // A binary that exists here: the control script and systemd-analyze check that it is executable.
    host: { binaryPath: BINARY },
  };
}

/** host.binaryPath of every config but those of the host.binaryPath field. */
export const BINARY = '/usr/bin/true';

const withBase = (n: number, extra: Record<string, unknown>) => ({ ...baseConfig(n), ...extra });

export const FIELDS: Field[] = [
  { name: 'args[1]', at: /args(\[1\])?/, corpus: FREE_TEXT, generated: freeTextArbitrary(), config: (p, n) => withBase(n, { args: ['-x', p] }) },
  { name: 'env value', at: /env(\.V)?/, corpus: FREE_TEXT, generated: freeTextArbitrary(), config: (p, n) => withBase(n, { env: { A_SECRET: 's3cr3t', V: p } }) },
  {
    name: 'env name',
    at: /env/,
    corpus: ['Y', 'N', 'YES', 'NO', 'ON', 'OFF', 'TRUE', 'FALSE', 'NULL', 'Null', 'y', 'n', 'on', 'yes', 'null', '_', 'A', 'a_1', 'PATH', 'X'.repeat(1100), '1A', 'A-B', 'A B', 'A=B', ''],
    generated: fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,6}$/),
    config: (p, n) => withBase(n, { env: { [p]: 'v' } }),
  },
  { name: 'description', at: /description/, corpus: FREE_TEXT.filter((t) => t.length <= 200), generated: freeTextArbitrary(), config: (p, n) => withBase(n, { description: p }) },
  {
    name: 'health.command[1]',
    at: /health\.command(\[1\])?/,
    corpus: FREE_TEXT.filter((t) => t !== ''),
    generated: freeTextArbitrary().filter((t) => t !== ''),
    config: (p, n) => withBase(n, { health: { port: 8080, path: '/h', command: [`/app/svc${n}`, p] } }),
  },
  {
    name: 'kubernetes.preStopExec[1]',
    at: /kubernetes\.preStopExec(\[1\])?/,
    corpus: FREE_TEXT.filter((t) => t !== ''),
    generated: freeTextArbitrary().filter((t) => t !== ''),
    config: (p, n) => withBase(n, { shutdown: { preStop: '3s' }, kubernetes: { preStopExec: [`/app/svc${n}`, p] } }),
  },
  {
    name: 'name',
    at: /name/,
    corpus: [...labelWords, 'Y', 'a b', '-a', 'a'.repeat(64)],
    generated: fc.stringMatching(DNS_LABEL),
    config: (p) => ({ ...baseConfig(0), name: p }),
  },
  {
    name: 'image.repository',
    at: /image\.repository/,
    corpus: [...labelWords, '1_000', 'a__b', 'localhost:5000/x', 'reg.example:5000/a/b', 'Y/x', 'a b', 'a/', '-a'],
    generated: fc.stringMatching(/^[a-z0-9]{1,4}([._-][a-z0-9]{1,3})?(\/[a-z0-9]{1,4})?$/),
    config: (p, n) => withBase(n, { image: { repository: p, tag: 'dev' } }),
  },
  {
    name: 'image.tag',
    at: /image\.tag/,
    corpus: [...YAML_WORDS.filter((w) => /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(w)), '_', 'v1.2.3', 'x'.repeat(128), 'x'.repeat(129), '.a', '-a', 'a:b'],
    generated: fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,8}$/),
    config: (p, n) => withBase(n, { image: { repository: 'adv/svc', tag: p } }),
  },
  {
    name: '--image',
    at: /--image/,
    corpus: ['y', 'no', 'on:off', '0o10:010', '1_000:1e3', 'localhost:5000/x:y', `x@sha256:${'a'.repeat(64)}`, `x:yes@sha256:${'0'.repeat(64)}`, '--privileged', 'a b', 'a\nb', 'X/y'],
    generated: fc.tuple(fc.stringMatching(/^[a-z0-9]{1,5}$/), fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,5}$/)).map(([r, t]) => `${r}:${t}`),
    config: (_p, n) => baseConfig(n),
    image: (p) => p,
  },
  {
    name: 'health.path',
    at: /health\.path/,
    corpus: ['/', '/$(A_SECRET)', '/$HOME', "/'a'", '/a;b', '/=', '/?a=b&c', '/%n', '/%%', '/~', '/*', '/!', '/(x)', '/yes', '/:', '/a:b', '/@', '/,', 'x', '/a b'],
    generated: fc.stringMatching(/^\/[A-Za-z0-9._~!$&'()*+,;=:@%/?-]{0,8}$/),
    config: (p, n) => withBase(n, { health: { port: 8080, path: p } }),
  },
  {
    name: 'verify.inflightPath',
    at: /verify\.inflightPath/,
    corpus: ['/slow?ms=2000', '/$(A_SECRET)', '/$HOME', "/'", '/%n', '/=', '/:'],
    generated: fc.stringMatching(/^\/[A-Za-z0-9._~!$&'()*+,;=:@%/?-]{0,8}$/),
    config: (p, n) => withBase(n, { verify: { inflightPath: p } }),
  },
  {
    name: 'kubernetes.namespace',
    at: /kubernetes\.namespace/,
    corpus: [...labelWords, 'A', 'a b'],
    generated: fc.stringMatching(DNS_LABEL),
    config: (p, n) => withBase(n, { kubernetes: { namespace: p } }),
  },
  {
    name: 'ports[0].name',
    at: /ports\[0\]\.name/,
    corpus: [...labelWords.filter((w) => w.length <= 15), 'admin', 'a'.repeat(16)],
    generated: fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,6}[a-z0-9])?$/),
    config: (p, n) => withBase(n, { ports: [{ name: p, port: 8080, publish: '127.0.0.1:0' }] }),
  },
  ...(['binaryPath', 'workingDirectory', 'runDirectory', 'logDirectory'] as const).map(
    (key): Field => ({
      name: `host.${key}`,
      at: new RegExp(`host\\.${key}`),
      corpus: ['/a=b', '/a,b', '/:', '/a:b', '/@', '/+', '/-', '/1:20', '/yes', '/=', '/opt/svc', '/', '/a.', '/.a', '/..', '/a/./b', '/a//b', '/a/', '/$x', '/a b', 'rel'],
      generated: fc.stringMatching(/^(\/[A-Za-z0-9_+@=,:-][A-Za-z0-9._+@=,:-]{0,5}){1,3}$/),
      config: (p, n) => withBase(n, { host: { binaryPath: BINARY, [key]: p } }),
    }),
  ),
  {
    name: 'host.user',
    at: /host\.user/,
    corpus: ['y', 'n', 'no', 'yes', 'on', 'off', 'true', 'null', '_', '_1', 'a-b', 'Root', '1a', 'a'.repeat(33)],
    generated: fc.stringMatching(/^[a-z_][a-z0-9_-]{0,8}$/),
    config: (p, n) => withBase(n, { host: { binaryPath: BINARY, user: p } }),
  },
  {
    name: 'host.launchdLabel',
    at: /host\.launchdLabel/,
    corpus: ['Y', 'yes', '1.0', '1e3', 'NaN', '0x1F', '010', '1.5e3', 'a..b', '.a', 'a b'],
    generated: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9.-]{0,8}$/),
    config: (p, n) => withBase(n, { host: { binaryPath: BINARY, launchdLabel: p } }),
  },
  {
    name: 'host.umask',
    at: /host\.umask/,
    corpus: ['0077', '077', '777', '000', '0000', '0', '8', '01777'],
    generated: fc.stringMatching(/^0?[0-7]{3}$/),
    config: (p, n) => withBase(n, { host: { binaryPath: BINARY, umask: p } }),
  },
  {
    name: 'user',
    at: /user/,
    corpus: ['1:20', '190:20', '1000:59', '010:010', '65532', '1', '0', '0:0', 'root', '2147483648'],
    generated: fc.tuple(fc.integer({ min: 1, max: 99999 }), fc.integer({ min: 0, max: 99 })).map(([u, g]) => `${u}:${g}`),
    config: (p, n) => withBase(n, { user: p }),
  },
  {
    name: 'resources.memory',
    at: /resources\.memory/,
    corpus: ['010', '128Mi', '1E', '1e3', '0.5Gi', '64M', '4194304', '3'],
    generated: fc.tuple(fc.integer({ min: 4, max: 4096 }), fc.constantFrom('Mi', 'M', 'Gi', '')).map(([v, u]) => `${u === '' ? v * 1048576 : v}${u}`),
    config: (p, n) => withBase(n, { resources: { cpu: '010', memory: p } }),
  },
];

/** The payloads of a field for one run: its corpus, then `generated` more from the seed. */
export function payloads(field: Field, generated: number, seed = SEED): string[] {
  const more = generated > 0 ? fc.sample(field.generated, { numRuns: generated, seed }) : [];
  return [...new Set([...field.corpus, ...more])];
}

export type Outcome =
  | { kind: 'refused'; message: string; exitCode: number; error: unknown }
  | { kind: 'rendered'; spec: ServiceSpec; files: RenderedFile[]; config: Record<string, unknown>; image?: string };

/** The config text the test writes: JSON (valid YAML), which escapes every character a payload holds. */
export function configText(config: Record<string, unknown>): string {
  return `${JSON.stringify(config, null, 1)}\n`;
}

/**
 * One payload in one field, through the same path as `generate all`: the config
 * loaded (schema, value checks), every target rendered. Refusals must be clean.
 */
export function run(field: Field, payload: string, n: number): Outcome {
  const config = field.config(payload, n);
  const image = field.image?.(payload);
  try {
    if (image !== undefined) {
      // generate checks --image with the one reference parser before anything else (src/generate/generate.ts).
      const r = parseImageReference(image);
      if ('problem' in r) return { kind: 'refused', message: `--image ${JSON.stringify(image)}: ${r.problem}`, exitCode: 2, error: r };
    }
    const { spec } = specFromText('goneat-deploy.yaml', configText(config));
    return { kind: 'rendered', spec, files: renderAll(spec, image !== undefined ? { image } : {}), config, ...(image !== undefined ? { image } : {}) };
  } catch (err) {
    if (!(err instanceof GoneatError)) throw err;
    return { kind: 'refused', message: err.message, exitCode: err.exitCode, error: err };
  }
}

/** What each consumer must read back for a rendered payload: the config's own values. */
export function expected(o: Extract<Outcome, { kind: 'rendered' }>) {
  const s = o.spec;
  return {
    name: s.name,
    image: o.image ?? `${s.image.repository}:${s.image.tag}`,
    env: Object.fromEntries(s.env),
    args: s.args,
    hostArgv: [s.host.binaryPath, ...s.host.args],
    description: s.description,
    healthCommand: s.health?.command,
    healthPath: s.health?.path,
    preStopExec: s.kubernetes.preStop?.kind === 'exec' ? s.kubernetes.preStop.command : undefined,
    namespace: s.kubernetes.namespace,
    portNames: s.ports.map((p) => p.name),
    user: `${s.user.uid}:${s.user.gid}`,
    host: s.host,
    memory: s.resources.limits.memory,
  };
}

/** fast-check's report line for a failure: the seed, so it can be replayed. */
export function seedNote(field: Field, payload: string): string {
  return `field ${field.name}, payload ${JSON.stringify(payload)} (seed ${SEED})`;
}

/**
 * The kinds of shared/adversarial/README.md a payload is an instance of, for
 * the counts in docs/reliability.md (a payload may be of several kinds, or of
 * none: then it checks only that ordinary values come through).
 */
export const KINDS = {
  yaml: 'YAML read differently by other readers (008, 012)',
  kubelet: 'Kubernetes $(VAR) expansion (015), and "$" for compose and systemd',
  unicode: 'Unicode that consumers refuse (002), control bytes (064)',
  length: 'Length limits of consumers (005)',
  image: '--image not validated (035)',
  path: '".." and other unnormalized host paths (030)',
} as const;
export type Kind = keyof typeof KINDS;

const YAML_SPECIAL = new Set(YAML_WORDS);
export function kindsOf(field: Field, payload: string): Kind[] {
  const kinds: Kind[] = [];
  const bare = payload.trim().replace(/^"(.*)"$/, '$1');
  if (YAML_SPECIAL.has(bare) || /[\u0080-\u009f\u2028\u2029\ufeff]/.test(payload) || /^[-?:,[\]{}#&*!|>'"%@`=<~ ]|: | #|:$|\s$/.test(payload)) kinds.push('yaml');
  if (payload.includes('$')) kinds.push('kubelet');
  const nonCharacter = [...payload].some((ch) => {
    const cp = ch.codePointAt(0)!;
    return (cp >= 0xfdd0 && cp <= 0xfdef) || (cp & 0xfffe) === 0xfffe || (cp >= 0xd800 && cp <= 0xdfff);
  });
  if (nonCharacter || /[\x00-\x1f\x7f]/.test(payload)) kinds.push('unicode');
  if (Buffer.byteLength(payload) > 255) kinds.push('length');
  if (field.name === '--image') kinds.push('image');
  if (field.name.startsWith('host.') && field.name !== 'host.user' && field.name !== 'host.launchdLabel' && field.name !== 'host.umask' && (!payload.startsWith('/') || /(^|\/)\.\.?(\/|$)|\/\/|.\/$/.test(payload))) kinds.push('path');
  return kinds;
}

