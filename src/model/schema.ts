/**
 * The one schema of goneat-deploy.yaml. It is the source of:
 *  - the TypeScript types (`Config` below, via TypeBox's Static),
 *  - validation (compiled by ajv in load.ts),
 *  - the published JSON Schema (schema/goneat-deploy.schema.json, kept in sync by a test).
 *
 * `x-expected` is our annotation: the human wording of what a field takes,
 * used in error messages ("expected a duration like \"5s\"").
 */
import { Type, type Static } from '@sinclair/typebox';
import { CONFIG_DEFAULTS, defaultSentence, refusedSignalsText, type DefaultedField } from './defaults.js';
import { DURATION_PATTERN } from './duration.js';
import { IMAGE_REFERENCE_PATTERN } from './reference.js';

function StringEnum<T extends string[]>(values: [...T], options: Record<string, unknown> = {}) {
  return Type.Unsafe<T[number]>({ type: 'string', enum: values, ...options });
}

import { DNS_LABEL_PATTERN, REPOSITORY_PATTERN, TAG_PATTERN } from './patterns.js';

export { DNS_LABEL_PATTERN, REPOSITORY_PATTERN, TAG_PATTERN };

/**
 * A field's description with its "Default …" sentence, and its JSON Schema
 * `default`, both from the defaults table (defaults.ts): the one home of
 * defaults, so the documentation cannot drift from what is rendered.
 */
function described(key: DefaultedField, before: string, after = ''): { description: string; default?: unknown } {
  const d = CONFIG_DEFAULTS[key];
  return { description: [before, defaultSentence(key), after].filter(Boolean).join(' '), ...('value' in d ? { default: d.value } : {}) };
}

const Duration = (description: string, key?: DefaultedField) =>
  Type.String({
    pattern: DURATION_PATTERN,
    ...(key ? described(key, description, 'A duration like "500ms", "5s" or "1m30s".') : { description: `${description} A duration like "500ms", "5s" or "1m30s".` }),
    'x-expected': 'a duration like "500ms", "5s" or "1m30s"',
  });

/** Kubernetes resource quantity (apimachinery resource.Quantity), decimal and binary suffixes. */
const QUANTITY_PATTERN = '^[0-9]+(\\.[0-9]+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$';
const Quantity = (description: string, example: string) =>
  Type.String({ pattern: QUANTITY_PATTERN, description, 'x-expected': `a Kubernetes quantity like "${example}"` });

/** Host paths go into unit files, plists and upstart stanzas verbatim: keep them plain. */
const AbsolutePath = (description: string) =>
  Type.String({
    pattern: '^/[A-Za-z0-9._+@=,:/-]*$',
    description,
    'x-expected': 'an absolute path of letters, digits and ._+@=,:/- (no spaces, quotes, %, $ or backslashes)',
  });

const EnvValue = Type.Union([Type.String(), Type.Number(), Type.Boolean()], {
  'x-expected': 'a string, number or boolean',
});

export const PortSchema = Type.Object(
  {
    name: Type.String({
      pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$',
      maxLength: 15,
      description: 'IANA service name (Kubernetes container port name): lower case, digits and "-", at most 15 characters. A port whose name has the word "admin", "debug" or "pprof" (e.g. "admin", "trpc-admin", "debug-http"; words are separated by "-"), and tRPC-Go\'s server.admin.port, is an admin/debug port: published on 127.0.0.1 only, never by swarm, never in the Kubernetes Service; probes still reach it on the pod IP.',
      'x-expected': 'a port name like "http" or "admin" (a-z, 0-9, "-", at most 15 characters)',
    }),
    port: Type.Integer({ minimum: 1, maximum: 65535, description: 'The port the service listens on inside the container.' }),
    protocol: Type.Optional(StringEnum(['tcp', 'udp'], described('ports[].protocol', ''))),
    publish: Type.Optional(
      Type.Union([
        Type.String({
          pattern: '^(([0-9]{1,3}\\.){3}[0-9]{1,3}:)?[0-9]{1,5}$',
          'x-expected': 'a host port "8080" or "IP:PORT" like "127.0.0.1:8080" (port 0 = any free port)',
        }),
        Type.Integer({ minimum: 0, maximum: 65535 }),
      ], {
        description:
          'Publish on the host (compose). "PORT" binds 127.0.0.1 only (safe by default); write "0.0.0.0:PORT" to listen on every interface. 0 picks a free port.',
        'x-expected': 'a host port like 8080 or "127.0.0.1:8080"',
      }),
    ),
  },
  { additionalProperties: false, description: 'One port the service listens on.' },
);

export const HealthSchema = Type.Object(
  {
    port: Type.Union([Type.Integer({ minimum: 1, maximum: 65535 }), Type.String({ pattern: '^[a-z0-9-]+$' })], {
      description: 'Port number, or the name of an entry in `ports`, where the health endpoint answers.',
      'x-expected': 'a port number or the name of a port in `ports`',
    }),
    path: Type.String({
      pattern: '^/[A-Za-z0-9._~!$&\'()*+,;=:@%/?-]*$',
      description: 'HTTP path of the health endpoint. tRPC-Go serves `/is_healthy/` (trailing slash) on its admin port.',
      'x-expected': 'an HTTP path starting with "/", like "/is_healthy/"',
    }),
    command: Type.Optional(
      Type.Array(Type.String({ minLength: 1 }), {
        minItems: 1,
        description:
          'A command inside the image that exits 0 when healthy (exec form, no shell), used for the compose/swarm healthcheck. Scratch images have no curl: use the service binary, e.g. ["/app/echo", "-probe", "http://127.0.0.1:9090/is_healthy/"]. Without it no compose healthcheck is generated. Checked like kubernetes.preStopExec: its first element must be a file the image holds that the non-root user can execute: the service binary, /sbin/tini, or an image.files file with an executable mode (anything, with image.base).',
      }),
    ),
    interval: Type.Optional(Duration('Time between checks.', 'health.interval')),
    timeout: Type.Optional(Duration('Time a check may take.', 'health.timeout')),
    startPeriod: Type.Optional(Duration('Grace time after start before failures count (Kubernetes: how long the startup probe allows).', 'health.startPeriod')),
    startInterval: Type.Optional(
      Duration(
        'Compose only: time between checks during startPeriod, so the service is reported healthy soon after it is ready (compose `healthcheck.start_interval`). Needs Docker Engine 25+ (API 1.44) and Compose v2: docker-compose v1 refuses the key, and Compose v2 refuses to create the container on an older engine. Unset: not written, and checks run every `interval` from the start.',
      ),
    ),
    failureThreshold: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, ...described('health.failureThreshold', 'Consecutive failures before unhealthy.') })),
  },
  { additionalProperties: false, description: 'The health endpoint: Kubernetes probes, and the compose/swarm healthcheck when `command` is set.' },
);

export const ShutdownSchema = Type.Object(
  {
    signal: Type.Optional(
      Type.String({
        pattern: '^SIG[A-Z0-9]+$',
        ...described('shutdown.signal', 'Stop signal sent by every supervisor (image STOPSIGNAL).', `${refusedSignalsText()} are refused.`),
        'x-expected': 'a signal name like "SIGTERM"',
      }),
    ),
    drain: Type.Optional(Duration('Longest time the service takes to shut down after the stop signal (its own close wait).', 'shutdown.drain')),
    preStop: Type.Optional(
      Duration('Delay before the stop signal so load balancers stop sending traffic (Kubernetes preStop sleep).', 'shutdown.preStop'),
    ),
    slack: Type.Optional(
      Duration(
        'Safety margin added to the budget. On Kubernetes it also absorbs the kubelet starting a termination late (measured up to 1.7 s, docs/targets/kubernetes.md): keep at least 2s there.',
        'shutdown.slack',
      ),
    ),
    gracePeriod: Type.Optional(
      Duration(
        'Pin the stop timeout used by every target. Must be at least preStop + drain + slack; by default it is exactly that, rounded up to whole seconds.',
      ),
    ),
    successExitCodes: Type.Optional(
      Type.Array(Type.Integer({ minimum: 0, maximum: 255 }), {
        uniqueItems: true,
        ...described('shutdown.successExitCodes', 'Exit codes that count as a clean stop.', 'Add 143 only if the service exits 128+SIGTERM on purpose.'),
      }),
    ),
  },
  { additionalProperties: false, description: 'How the service stops: the stop signal and the shutdown budget every target derives its stop timeout from.' },
);

export const BuildSchema = Type.Object(
  {
    main: Type.Optional(
      Type.String({ minLength: 1, ...described('build.main', 'Go main package to build, relative to the config file.') }),
    ),
    binary: Type.Optional(
      Type.String({ minLength: 1, description: 'A prebuilt static Linux binary, relative to the config file. Replaces `main`.' }),
    ),
    ldflags: Type.Optional(Type.String(described('build.ldflags', 'Go -ldflags.'))),
    tags: Type.Optional(Type.Array(Type.String({ pattern: '^[A-Za-z0-9_.]+$' }), { description: 'Go build tags.' })),
    tini: Type.Optional(
      Type.Union(
        [
          Type.String({ minLength: 1 }),
          Type.Object(
            { amd64: Type.Optional(Type.String({ minLength: 1 })), arm64: Type.Optional(Type.String({ minLength: 1 })) },
            { additionalProperties: false },
          ),
        ],
        {
          description:
            'Path to a static tini (for the engine\'s architecture), or one per architecture: {amd64: ..., arm64: ...}. Default: $GONEAT_TINI_<ARCH>, $GONEAT_TINI, then /usr/bin/tini-static for the host\'s architecture.',
          'x-expected': 'a path, or a map of architecture to path',
        },
      ),
    ),
  },
  { additionalProperties: false, description: 'How the binary is obtained: a Go main package built statically, or a prebuilt binary; and where tini comes from.' },
);

export const ImageSchema = Type.Object(
  {
    repository: Type.String({
      pattern: REPOSITORY_PATTERN,
      description: 'Image repository, e.g. "registry.example.com/team/echo".',
      'x-expected': 'an image repository like "example/echo" (lower case)',
    }),
    tag: Type.Optional(
      Type.String({ pattern: TAG_PATTERN, ...described('image.tag', 'Image tag.'), 'x-expected': 'an image tag like "1.2.3"' }),
    ),
    platforms: Type.Optional(
      Type.Array(StringEnum(['linux/amd64', 'linux/arm64']), {
        minItems: 1,
        uniqueItems: true,
        description: 'Target platforms. Default: the engine\'s own.',
      }),
    ),
    // Image contents beyond tini and the binary (issue 16); the rules are in model/contents.ts.
    certificates: Type.Optional(
      Type.Boolean(described('image.certificates', 'Ship the build host\'s CA bundle (Debian\'s ca-certificates) at /etc/ssl/certs/ca-certificates.crt, where Go\'s crypto/x509 looks first, so HTTPS clients can verify servers.', 'false leaves it out (then image.files may ship your own bundle there).')),
    ),
    timezones: Type.Optional(
      Type.Boolean(described('image.timezones', 'Ship the build host\'s zoneinfo (Debian\'s tzdata) at /usr/share/zoneinfo, for time.LoadLocation. The alternative is building with `-tags timetzdata` (build.tags), which embeds it in the binary.')),
    ),
    files: Type.Optional(
      Type.Array(
        Type.Object(
          {
            source: Type.String({ minLength: 1, description: 'A file or directory in the project, relative to this file; it may not lead outside the project directory.' }),
            target: Type.String({ minLength: 2, pattern: '^/', description: 'Absolute path in the image.', 'x-expected': 'an absolute path in the image like "/etc/app/config.yml"' }),
            mode: Type.Optional(Type.String({ pattern: '^0?[0-7]{3}$', description: 'Octal permissions, e.g. "0644". Default: "0444" for files and "0555" for directories (read-only, owned by root).', 'x-expected': 'octal permissions like "0444"' })),
          },
          { additionalProperties: false },
        ),
        { description: 'Files and directories copied from the project into the image, owned by root with fixed modification times. tini, the binary, /etc/passwd and /etc/group cannot be replaced.' },
      ),
    ),
    libraries: Type.Optional(
      StringEnum(['host'], {
        description:
          'For a dynamically linked binary (build.binary): "host" copies its ELF interpreter and the closure of its DT_NEEDED libraries, resolved as ld.so does (DT_RPATH, DT_RUNPATH with $ORIGIN, the multiarch directories), plus /etc/nsswitch.conf and the NSS modules glibc loads for name resolution, from this machine into the image. Default: none (the binary must be static).',
      }),
    ),
    base: Type.Optional(
      Type.String({
        pattern: IMAGE_REFERENCE_PATTERN,
        maxLength: 255,
        description:
          'Build on this image instead of scratch: from the local engine, else pulled from its registry. Its layers come first; tini stays PID 1 (exec form) with the numeric user and shutdown.signal whatever the base says; the base\'s ENV and labels are kept, its ENTRYPOINT, CMD, USER, WORKDIR, STOPSIGNAL, healthcheck and exposed ports are replaced. Default: none (FROM scratch).',
        'x-expected': 'an image reference like "debian:bookworm-slim" or "127.0.0.1:5000/base:1"',
      }),
    ),
  },
  { additionalProperties: false, description: 'The image reference goneat-deploy builds and the runtimes run.' },
);

export const ResourcesSchema = Type.Object(
  {
    cpu: Type.Optional(Quantity('CPU limit (Kubernetes limits.cpu, compose cpus).', '500m')),
    memory: Type.Optional(Quantity('Memory limit (Kubernetes limits.memory, compose mem_limit).', '256Mi')),
    requests: Type.Optional(
      Type.Object(
        {
          cpu: Type.Optional(Quantity('CPU request. Default: the limit.', '100m')),
          memory: Type.Optional(Quantity('Memory request. Default: the limit.', '128Mi')),
        },
        { additionalProperties: false, description: 'Kubernetes requests, when they should differ from the limits.' },
      ),
    ),
  },
  { additionalProperties: false, description: 'CPU and memory limits (and requests) for Kubernetes, compose, swarm and systemd.' },
);

export const KubernetesSchema = Type.Object(
  {
    namespace: Type.Optional(
      Type.String({ pattern: DNS_LABEL_PATTERN, maxLength: 63, description: 'Namespace for kustomization.yaml. Default: none (kubectl\'s current namespace).', 'x-expected': 'a DNS label' }),
    ),
    serviceType: Type.Optional(StringEnum(['ClusterIP', 'NodePort', 'LoadBalancer'], described('kubernetes.serviceType', 'Service type.'))),
    imagePullPolicy: Type.Optional(StringEnum(['IfNotPresent', 'Always', 'Never'], described('kubernetes.imagePullPolicy', 'Image pull policy.', '(Always would defeat digest pinning\'s cache.)'))),
    preStopExec: Type.Optional(
      Type.Array(Type.String({ minLength: 1 }), {
        minItems: 1,
        description:
          'For clusters older than 1.30 (no preStop sleep action): an exec preStop hook that sleeps shutdown.preStop. The image is FROM scratch, so it must run the service binary itself (e.g. ["/app/echo", "-sleep", "3s"]); /bin/sleep does not exist there. Checked like health.command: its first element must be a file the image holds that the non-root user can execute: the service binary, /sbin/tini, or an image.files file with an executable mode (anything, with image.base).',
      }),
    ),
    goRuntimeEnv: Type.Optional(
      Type.Boolean({
        ...described('kubernetes.goRuntimeEnv', 'Set GOMAXPROCS from limits.cpu and GOMEMLIMIT from limits.memory through the downward API (for Go < 1.25, which does not read the CPU limit itself). Needs resources.cpu and resources.memory.'),
      }),
    ),
    version: Type.Optional(
      Type.String({
        pattern: '^v?1\\.[0-9]{1,3}(\\.[0-9]{1,4})?$',
        description:
          'The Kubernetes release the manifests are for, e.g. "1.29" (quoted: unquoted 1.30 is the number 1.3). Below 1.30 there is no preStop sleep action, so a shutdown.preStop delay needs preStopExec. Default: a release with the sleep action (1.30+). Oldest: 1.21.',
        'x-expected': 'a quoted Kubernetes version like "1.29"',
      }),
    ),
  },
  { additionalProperties: false, description: 'Options for `generate k8s`.' },
);

export const HostSchema = Type.Object(
  {
    binaryPath: Type.Optional(AbsolutePath(described('host.binaryPath', 'Where the binary is installed on the host (systemd, daemonize, upstart, launchd).').description)),
    workingDirectory: Type.Optional(
      AbsolutePath(described('host.workingDirectory', 'Working directory on the host; tRPC-Go reads ./trpc_go.yaml relative to it.').description),
    ),
    configPath: Type.Optional(
      AbsolutePath(
        described('host.configPath', 'framework trpc-go: where trpc_go.yaml is on the host. Host targets run the binary with this path wherever the image uses /app/trpc_go.yaml.').description,
      ),
    ),
    user: Type.Optional(
      Type.String({
        // systemd's strict user names (valid_user_group_name: a letter or "_" first, at most 31 characters), which
        // systemd-sysusers requires and User= accepts without a warning; Debian's useradd agrees.
        pattern: '^[a-z_][a-z0-9_-]{0,30}$',
        description:
          'Host account to run as (systemd, daemonize, upstart; launchd UserName). Default: a system account named like the service (`generate systemd` writes a sysusers.d file that creates it); launchd: UserName only when set. Not with host.hardening strict, where systemd allocates the account.',
        'x-expected': 'a user name like "echo" (a-z, 0-9, "_", "-"; a letter or "_" first; at most 31 characters)',
      }),
    ),
    hardening: Type.Optional(
      StringEnum(
        ['auto', 'strict', 'off'],
        described(
          'host.hardening',
          'systemd sandboxing. "auto": a fixed account (host.user, else one named like the service, created by the generated sysusers.d file) and the whole sandbox, which systemd itself skips on a host that refuses mount namespaces (some containers, VMs, WSL) — the unit logs a notice there. "strict": an account systemd allocates (DynamicUser=yes, no host.user), which systemd refuses to run without the sandbox: such hosts fail with status 226/NAMESPACE and the journal says to pick auto. "off": only the account, NoNewPrivileges=, an empty capability set and UMask=.',
        ),
      ),
    ),
    umask: Type.Optional(
      Type.String({
        pattern: '^0?[0-7]{3}$',
        ...described('host.umask', 'File mode creation mask of the service on the host (systemd UMask=, launchd Umask, upstart umask, daemonize).'),
        'x-expected': 'an octal umask like "0077" or "027"',
      }),
    ),
    runDirectory: Type.Optional(AbsolutePath(described('host.runDirectory', 'daemonize: directory of the pid and lock files.').description)),
    launchdLabel: Type.Optional(
      Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9.-]*$', ...described('host.launchdLabel', 'launchd Label.'), 'x-expected': 'a reverse-DNS label like "com.example.echo"' }),
    ),
    logDirectory: Type.Optional({
      ...AbsolutePath('Directory of the stdout/stderr log files (launchd StandardOutPath/StandardErrorPath, daemonize -o/-e).'),
      ...described('host.logDirectory', 'Directory of the stdout/stderr log files (launchd StandardOutPath/StandardErrorPath, daemonize -o/-e).'),
    }),
    upstartLegacy: Type.Optional(
      Type.Boolean(
        described(
          'host.upstartLegacy',
          'upstart older than 1.10 (RHEL/CentOS 6, Ubuntu 12.04) rejects the `reload signal` stanza as unknown: leave it out. `initctl reload` then sends SIGHUP, which stops a Go service.',
        ),
      ),
    ),
  },
  { additionalProperties: false, description: 'Options for plain hosts: `generate systemd`, `daemonize`, `upstart`, `launchd`.' },
);

export const SwarmSchema = Type.Object(
  {
    publishMode: Type.Optional(
      StringEnum(
        ['ingress', 'host'],
        described(
          'swarm.publishMode',
          'How swarm publishes ports. "ingress": the routing mesh on every node, one port for all replicas. "host": each task binds its node\'s port directly (behind an external load balancer); with a fixed port, only one replica fits per node, so use publish: 0 for several.',
        ),
      ),
    ),
  },
  { additionalProperties: false, description: 'Options for `generate swarm`.' },
);

export const VerifySchema = Type.Object(
  {
    inflightPath: Type.Optional(
      Type.String({
        pattern: '^/[A-Za-z0-9._~!$&\'()*+,;=:@%/?-]*$',
        description: 'A request `goneat-deploy verify` keeps in flight across the stop signal; it must answer 200 before the service exits (e.g. "/slow?ms=2000").',
        'x-expected': 'an HTTP path starting with "/", like "/slow?ms=2000"',
      }),
    ),
    port: Type.Optional(
      Type.Union([Type.Integer({ minimum: 1, maximum: 65535 }), Type.String({ pattern: '^[a-z0-9-]+$' })], {
        description: 'Port (number or name in `ports`) for the in-flight request. Default: the first port that is not the health port.',
        'x-expected': 'a port number or the name of a port in `ports`',
      }),
    ),
  },
  { additionalProperties: false, description: 'Options for `goneat-deploy verify`.' },
);

export const ConfigSchema = Type.Object(
  {
    name: Type.String({
      pattern: DNS_LABEL_PATTERN,
      maxLength: 63,
      description: 'Service name: lower case letters, digits and "-" (a DNS label). Names the binary /app/<name>, the compose service, the Kubernetes objects and the systemd unit.',
      'x-expected': 'a DNS label like "echo" (a-z, 0-9, "-", at most 63 characters)',
    }),
    description: Type.Optional(Type.String({ maxLength: 200, description: 'One line describing the service.' })),
    framework: Type.Optional(
      StringEnum(
        ['plain', 'trpc-go'],
        described(
          'framework',
          'Preset for the service\'s framework. "trpc-go" (GoNeat\'s successor) reads trpc_go.yaml: health on the admin port at /is_healthy/, ports from server.service, the drain from tRPC-Go\'s close sequence (close_wait_time, max_close_wait_time, its 10s bound, the service timeouts), warns about settings that will not drain or bind 127.0.0.1, and ships the file in the image at /app/trpc_go.yaml with `-conf` pointing at it.',
        ),
      ),
    ),
    trpcConfig: Type.Optional(
      Type.String({ minLength: 1, ...described('trpcConfig', 'tRPC-Go config file for the trpc-go preset, relative to this file. Only with framework: trpc-go (an error otherwise: nothing would read it).') }),
    ),
    image: ImageSchema,
    build: Type.Optional(BuildSchema),
    args: Type.Optional(Type.Array(Type.String(), { description: 'Arguments to the service binary (exec form; no shell).' })),
    env: Type.Optional(
      Type.Record(Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }), EnvValue, {
        description: 'Environment variables.',
        'x-expected': 'a map of NAME: value',
        'x-key-expected': 'an environment variable name like "LOG_LEVEL" (letters, digits, "_"; not starting with a digit)',
        additionalProperties: false,
      }),
    ),
    ports: Type.Optional(Type.Array(PortSchema, { description: 'Ports the service listens on.' })),
    health: Type.Optional(HealthSchema),
    shutdown: Type.Optional(ShutdownSchema),
    user: Type.Optional(
      Type.Union([Type.Integer({ minimum: 1 }), Type.String({ pattern: '^[0-9]+(:[0-9]+)?$' })], {
        ...described('user', 'Numeric non-root UID[:GID] the service runs as.'),
        'x-expected': 'a numeric non-root "UID:GID" like "65532:65532"',
      }),
    ),
    replicas: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, ...described('replicas', 'Replicas (swarm, Kubernetes).') })),
    resources: Type.Optional(ResourcesSchema),
    kubernetes: Type.Optional(KubernetesSchema),
    swarm: Type.Optional(SwarmSchema),
    verify: Type.Optional(VerifySchema),
    host: Type.Optional(HostSchema),
  },
  { additionalProperties: false },
);

export type Config = Static<typeof ConfigSchema>;

/** The JSON Schema as published (draft 2020-12 compatible, no TypeBox symbols). */
export function publishedSchema(): Record<string, unknown> {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'goneat-deploy.yaml',
    ...(JSON.parse(JSON.stringify(ConfigSchema)) as Record<string, unknown>),
  };
}
