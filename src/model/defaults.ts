/**
 * The one home of every default of goneat-deploy.yaml: the value a field
 * takes when the user leaves it out, in the config's own terms ("10s", not
 * 10000). From this table:
 *  - the JSON Schema's `default` keywords and the "Default …" sentence of
 *    each field's description are generated (schema.ts; the published
 *    schema/goneat-deploy.schema.json is generated from it);
 *  - buildSpec and the shutdown budget take their fallbacks (DEFAULTS below);
 *  - test/unit/defaults.test.ts walks the published schema and checks every
 *    documented default against what the renderers write.
 * Pure.
 */
import { parseDuration } from './duration.js';
import { REFUSED_STOP_SIGNALS } from './signals.js';

/** A default that is one value (the JSON Schema `default`), or one derived from the service name. */
export type FieldDefault =
  | { readonly value: string | number | boolean | readonly number[]; readonly text?: string }
  | { readonly of: (name: string) => string; readonly text: string };

/**
 * Field path (as in error messages; `ports[]` for every list item) → default.
 * Why each value: health timings are Kubernetes' probe defaults where they
 * exist (periodSeconds 10; startPeriod 30s = the default startup allowance
 * failureThreshold 3 × periodSeconds 10, kubernetes.io "Configure Liveness,
 * Readiness and Startup Probes") but a 2s timeout, as a stuck health handler
 * is a failure; the drain is tRPC-Go's minimum close wait (10s,
 * server/server.go MaxCloseWaitTime); 65532 is the distroless "nonroot" UID.
 */
export const CONFIG_DEFAULTS = {
  framework: { value: 'plain', text: '"plain"' },
  trpcConfig: { value: 'trpc_go.yaml', text: '"trpc_go.yaml"' },
  'image.tag': { value: 'latest', text: '"latest"' },
  // As ko's and distroless's default bases: a CA bundle, so HTTPS works; zoneinfo is opt-in (or -tags timetzdata).
  'image.certificates': { value: true },
  'image.timezones': { value: false },
  'build.main': { value: '.', text: '"."' },
  'build.ldflags': { value: '-s -w -buildid=', text: '"-s -w -buildid="' },
  'ports[].protocol': { value: 'tcp' },
  'health.interval': { value: '10s' },
  'health.timeout': { value: '2s' },
  'health.startPeriod': { value: '30s' },
  'health.failureThreshold': { value: 3 },
  'shutdown.signal': { value: 'SIGTERM' },
  'shutdown.drain': { value: '10s' },
  'shutdown.preStop': { value: '0s' },
  'shutdown.slack': { value: '2s' },
  'shutdown.successExitCodes': { value: [0], text: '[0]' },
  user: { value: '65532:65532', text: '"65532:65532"' },
  replicas: { value: 1 },
  'kubernetes.serviceType': { value: 'ClusterIP' },
  'kubernetes.imagePullPolicy': { value: 'IfNotPresent' },
  'kubernetes.goRuntimeEnv': { value: false },
  'swarm.publishMode': { value: 'ingress', text: '"ingress"' },
  // Not /usr/local/bin/<name>: that directory comes before /usr/bin and /bin in users' PATH (Debian's
  // /etc/profile), so a service named like a command (echo, test, env, time, kill) would run instead of
  // it for every shell and every execvp. A daemon's binary is started by its supervisor by full path,
  // never by users: FHS 3.0 §4.7 puts "internal binaries that are not intended to be executed directly
  // by users or shell scripts" in libexec, one subdirectory per application; /usr/local is the
  // administrator's own hierarchy (FHS 3.0 §4.9; Debian Policy §9.1.2 leaves /usr/local to the local
  // administrator); GNU Coding Standards' libexecdir is $(exec_prefix)/libexec/<package>/ — normally
  // /usr/local/libexec. No distribution puts /usr/local/libexec on PATH.
  'host.binaryPath': { of: (name) => `/usr/local/libexec/${name}/${name}`, text: '/usr/local/libexec/<name>/<name> (off PATH: a service named like a command must not shadow it)' },
  'host.workingDirectory': { of: (name) => `/var/lib/${name}`, text: '/var/lib/<name> (launchd: /usr/local/var/<name>)' },
  // Derived from the working directory; `of` gives it for the default working directory.
  'host.configPath': { of: (name) => `/var/lib/${name}/trpc_go.yaml`, text: '<workingDirectory>/trpc_go.yaml' },
  'host.hardening': { value: 'auto', text: '"auto"' },
  'host.umask': { value: '0077', text: '"0077"' },
  'host.runDirectory': { of: (name) => `/run/${name}`, text: '/run/<name>' },
  'host.launchdLabel': { of: (name) => `io.goneat-deploy.${name}`, text: 'io.goneat-deploy.<name>' },
  'host.logDirectory': { value: '/usr/local/var/log', text: '/usr/local/var/log (daemonize: /var/log/<name>)' },
  'host.upstartLegacy': { value: false },
} as const satisfies Record<string, FieldDefault>;

export type DefaultedField = keyof typeof CONFIG_DEFAULTS;

/** "Default 10s." — the sentence the schema's description ends with. */
export function defaultSentence(key: DefaultedField): string {
  const d: FieldDefault = CONFIG_DEFAULTS[key];
  return `Default ${d.text ?? String((d as { value: unknown }).value)}.`;
}

/** The default of a field derived from the service name ("/usr/local/libexec/<name>/<name>"). */
export function defaultFor(key: 'host.binaryPath' | 'host.workingDirectory' | 'host.runDirectory' | 'host.launchdLabel', name: string): string {
  return CONFIG_DEFAULTS[key].of(name);
}

/** launchd's working directory when host.workingDirectory is not set (the "(launchd: …)" of its default). */
export const launchdWorkingDirectory = (name: string): string => `/usr/local/var/${name}`;

/** daemonize's log directory when host.logDirectory is not set (the "(daemonize: …)" of its default). */
export const daemonizeLogDirectory = (name: string): string => `/var/log/${name}`;

/** The value of a field that has one fixed default. */
export function defaultValue<K extends DefaultedField>(key: K): (typeof CONFIG_DEFAULTS)[K] extends { value: infer V } ? V : never {
  return (CONFIG_DEFAULTS[key] as { value: never }).value;
}

const ms = (key: DefaultedField) => parseDuration(defaultValue(key as 'health.interval'))!;

/** The defaults in the units buildSpec works in, derived from CONFIG_DEFAULTS. */
export const DEFAULTS = {
  tag: defaultValue('image.tag'),
  signal: defaultValue('shutdown.signal'),
  drainMs: ms('shutdown.drain'),
  preStopMs: ms('shutdown.preStop'),
  slackMs: ms('shutdown.slack'),
  uid: Number(defaultValue('user').split(':')[0]),
  gid: Number(defaultValue('user').split(':')[1]),
  ldflags: defaultValue('build.ldflags'),
  healthIntervalMs: ms('health.interval'),
  healthTimeoutMs: ms('health.timeout'),
  healthStartPeriodMs: ms('health.startPeriod'),
  healthFailureThreshold: defaultValue('health.failureThreshold'),
} as const;

/** The refused stop signals, for the schema's description of shutdown.signal. */
export function refusedSignalsText(): string {
  const names = Object.keys(REFUSED_STOP_SIGNALS);
  return `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}
