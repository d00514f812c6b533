/**
 * ServiceSpec: the validated, normalized, defaulted form of goneat-deploy.yaml.
 * Every renderer reads this and nothing else; the shutdown budget is computed
 * once (budget.ts) so no two targets can disagree about it. Pure.
 */
import type { Config } from './schema.js';
import { formatDuration } from './duration.js';
import { shutdownSpec, type ShutdownSpec } from './budget.js';
import { daemonizeLogDirectory, DEFAULTS, defaultFor, defaultValue, launchdWorkingDirectory } from './defaults.js';
import { durationField, type FieldPath, type SpecIssue } from './issues.js';
import { cpuMillis, memoryBytes } from './quantity.js';
import { adminPublishProblem, isAdminPort } from './admin-port.js';
import { hasSleepAction, kubernetesVersion, noSleepActionMessage, type KubernetesVersion } from './k8s-version.js';
import { TRPC_CONFIG_IN_IMAGE, type TrpcFacts } from './trpc.js';
import { checkLdflags, executableProblem, imageContents, TINI_PATH, type ImageContents, type ImageFile } from './contents.js';
import { accountNameProblem, argumentProblem, containerUnitEnvWords, homeDirectoryProblem, dockerfileAssignmentLine, dockerfileLineProblem, entrypointLine, hostPathProblem, systemdLineProblem, textProblem } from './values.js';

export { TINI_PATH, type ImageFile };

export interface PortSpec {
  name: string;
  port: number;
  protocol: 'tcp' | 'udp';
  publish?: { hostIp: string; hostPort: number };
  /** An admin/debug port (src/model/admin-port.ts): loopback-published only, never in a Kubernetes Service or by swarm. */
  admin?: boolean;
}

export interface HealthSpec {
  port: number;
  portName?: string;
  path: string;
  command?: string[];
  intervalMs: number;
  timeoutMs: number;
  startPeriodMs: number;
  /** Compose `healthcheck.start_interval` (Engine 25+ and Compose v2 only); unset: not written. */
  startIntervalMs?: number;
  failureThreshold: number;
}


export type BinarySource = { kind: 'go'; main: string; ldflags: string; tags: string[] } | { kind: 'binary'; path: string };

export interface KubernetesSpec {
  namespace?: string;
  serviceType: 'ClusterIP' | 'NodePort' | 'LoadBalancer';
  imagePullPolicy: 'IfNotPresent' | 'Always' | 'Never';
  /**
   * The preStop hook: the kubelet's sleep action (1.30+), or an exec of the service binary for older
   * clusters; `seconds` is shutdown.preStop, how long the hook is meant to last (for exec: what the command
   * is said to sleep, which verify --as k8s measures).
   */
  preStop?: { kind: 'sleep'; seconds: number } | { kind: 'exec'; command: string[]; seconds: number };
  goRuntimeEnv: boolean;
  /** kubernetes.version: the release the manifests are for (unset: a supported one, 1.30+). */
  version?: KubernetesVersion;
}

export interface HostSpec {
  binaryPath: string;
  workingDirectory: string;
  launchdWorkingDirectory: string;
  /** host.user as written (launchd UserName only when set). */
  user?: string;
  /** The account the service runs as on a host: host.user, else the service's name (systemd strict: DynamicUser= instead). */
  account: string;
  /** trpc-go: trpc_go.yaml on the host (host.configPath, default <workingDirectory>/trpc_go.yaml); launchd's below. */
  configPath?: string;
  launchdConfigPath?: string;
  /** The service's arguments on the host: the image's config path (/app/trpc_go.yaml) replaced by configPath. */
  args: string[];
  launchdArgs: string[];
  hardening: 'auto' | 'strict' | 'off';
  /** File mode creation mask, as 4 octal digits ("0077"). */
  umask: string;
  /** daemonize: pid and lock files. */
  runDirectory: string;
  launchdLabel: string;
  logDirectory: string;
  daemonizeLogDirectory: string;
  upstartLegacy: boolean;
}

export interface ServiceSpec {
  name: string;
  description?: string;
  framework: 'plain' | 'trpc-go';
  /** The reference, and what the image holds besides tini and the binary (model/contents.ts). */
  image: { repository: string; tag: string; ref: string; platforms?: string[] } & Omit<ImageContents, 'files'>;
  build: BinarySource;
  /** Static tini per architecture ('*': the engine's own), relative to the config file. */
  tini?: Record<string, string>;
  /** Absolute path of the service binary inside the image. */
  binaryPath: string;
  /** Extra files in the image. */
  files: ImageFile[];
  args: string[];
  /** Image ENTRYPOINT, exec form: tini, "--", the binary, args. */
  entrypoint: string[];
  env: Array<[string, string]>;
  ports: PortSpec[];
  health?: HealthSpec;
  shutdown: ShutdownSpec;
  user: { uid: number; gid: number };
  replicas: number;
  resources: {
    limits: { cpu?: string; memory?: string };
    requests: { cpu?: string; memory?: string };
    cpuMillis?: number;
    memoryBytes?: number;
  };
  kubernetes: KubernetesSpec;
  swarm: { publishMode: 'ingress' | 'host' };
  /** A request verify keeps in flight across the stop signal. */
  verify?: { port: number; path: string };
  host: HostSpec;
}





function parsePublish(v: string | number, issues: SpecIssue[], path: FieldPath): PortSpec['publish'] {
  let hostIp = '127.0.0.1';
  let portText = String(v);
  if (typeof v === 'string' && v.includes(':')) {
    const i = v.lastIndexOf(':');
    hostIp = v.slice(0, i);
    portText = v.slice(i + 1);
    if (hostIp.split('.').some((o) => Number(o) > 255)) {
      issues.push({ path, message: `"${hostIp}" is not an IPv4 address` });
    }
  }
  const hostPort = Number(portText);
  if (!Number.isInteger(hostPort) || hostPort < 0 || hostPort > 65535) {
    issues.push({ path, message: `expected a host port 0..65535, got "${portText}"` });
  }
  return { hostIp, hostPort };
}

/**
 * Two ports published on the same host port and protocol, on the same host address or where one
 * is the unspecified address (0.0.0.0 binds every address): the second bind fails when the
 * container starts (Docker: "Bind for 127.0.0.1:9091 failed: port is already allocated"). Host
 * port 0 is a free port chosen per bind, so it never collides.
 */
function hostPortCollisions(ports: PortSpec[], issues: SpecIssue[]): void {
  const anyAddress = (ip: string) => ip === '0.0.0.0' || ip === '::' || ip === '';
  ports.forEach((p, i) => {
    if (!p.publish || p.publish.hostPort === 0) return;
    const j = ports.findIndex(
      (q, k) => k < i && q.publish && q.protocol === p.protocol && q.publish.hostPort === p.publish!.hostPort && (q.publish.hostIp === p.publish!.hostIp || anyAddress(q.publish.hostIp) || anyAddress(p.publish!.hostIp)),
    );
    if (j >= 0) {
      const q = ports[j]!.publish!;
      issues.push({
        path: ['ports', i, 'publish'],
        message: `host port ${p.publish.hostIp}:${p.publish.hostPort}/${p.protocol} is already published by ports[${j}] ("${ports[j]!.name}", ${q.hostIp}:${q.hostPort}): the second bind would fail ("port is already allocated"); publish another host port, or 0 for a free one`,
      });
    }
  });
}

export interface SpecInputs {
  /** The trpc-go preset's trpc_go.yaml, read by the caller: facts, a parse error, or absent. */
  trpc?: TrpcFacts | { error: string } | 'missing';
}

/**
 * The trpc-go preset: fills what the user left out from trpc_go.yaml. What the
 * user wrote always wins.
 */
function applyPreset(config: Config, inputs: SpecInputs, issues: SpecIssue[]): { config: Config; files: ImageFile[] } {
  if (config.framework !== 'trpc-go') {
    // Like host.configPath: a setting nothing reads would let a typo in `framework` pass unnoticed.
    if (config.trpcConfig !== undefined) issues.push({ path: ['trpcConfig'], message: `is only read with framework: trpc-go (framework is ${config.framework ?? defaultValue('framework')}): set framework: trpc-go, or remove trpcConfig` });
    return { config, files: [] };
  }
  const file = config.trpcConfig ?? defaultValue('trpcConfig');
  const t = inputs.trpc;
  if (t === undefined || t === 'missing') {
    issues.push({
      path: config.trpcConfig ? ['trpcConfig'] : ['framework'],
      message: config.trpcConfig
        ? `${file} cannot be read (the path is relative to goneat-deploy.yaml's directory); the trpc-go preset reads the service's ports, admin port and close settings from it`
        : `the trpc-go preset needs the service's ${file} next to goneat-deploy.yaml (or set trpcConfig to its path)`,
    });
    return { config, files: [] };
  }
  if ('error' in t) {
    issues.push({ path: config.trpcConfig ? ['trpcConfig'] : ['framework'], message: `${file} ${t.error}` });
    return { config, files: [] };
  }
  const out: Config = { ...config };
  if (!out.ports) {
    out.ports = t.services.map((svc, i) => ({ name: i === 0 ? 'rpc' : `rpc${i + 1}`, port: svc.port, ...(svc.protocol === 'udp' ? { protocol: 'udp' as const } : {}) }));
    if (t.adminPort && !t.services.some((svc) => svc.port === t.adminPort)) out.ports.push({ name: 'admin', port: t.adminPort });
  } else if (t.adminPort && !out.ports.some((p) => p.port === t.adminPort)) {
    out.ports = [...out.ports, { name: out.ports.some((p) => p.name === 'admin') ? 'trpc-admin' : 'admin', port: t.adminPort }];
  }
  if (!out.health && t.adminPort) out.health = { port: t.adminPort, path: '/is_healthy/' };
  if (!out.shutdown?.drain) out.shutdown = { ...out.shutdown, drain: `${t.drainMs}ms` };
  if (!out.args) out.args = ['-conf', TRPC_CONFIG_IN_IMAGE];
  return { config: out, files: [{ source: file, target: TRPC_CONFIG_IN_IMAGE }] };
}

/** Builds the spec; returns every problem found, with the field path it belongs to. */
export function buildSpec(userConfig: Config, inputs: SpecInputs = {}): { spec?: ServiceSpec; issues: SpecIssue[] } {
  const issues: SpecIssue[] = [];
  const { config, files } = applyPreset(userConfig, inputs, issues);
  const trpcAdminPort = config.framework === 'trpc-go' && typeof inputs.trpc === 'object' && !('error' in inputs.trpc) ? inputs.trpc.adminPort : undefined;

  // Image
  const tag = config.image.tag ?? DEFAULTS.tag;
  const image = {
    repository: config.image.repository,
    tag,
    ref: `${config.image.repository}:${tag}`,
    ...(config.image.platforms ? { platforms: [...config.image.platforms] } : {}),
  };

  // Binary source
  let build: BinarySource;
  const b = config.build ?? {};
  if (b.main !== undefined && b.binary !== undefined) {
    issues.push({ path: ['build', 'binary'], message: 'set either build.main (a Go package to build) or build.binary (a prebuilt binary), not both' });
  }
  if (b.binary !== undefined) build = { kind: 'binary', path: b.binary };
  else build = { kind: 'go', main: b.main ?? defaultValue('build.main'), ldflags: b.ldflags ?? DEFAULTS.ldflags, tags: b.tags ?? [] };
  if (b.ldflags !== undefined) checkLdflags(b.ldflags, ['build', 'ldflags'], issues);
  const { files: imageFiles, ...contents } = imageContents(config.image, `/app/${config.name}`, files, issues);

  // Args, env and the description reach unit files, plists, YAML, shell scripts and the Dockerfile:
  // the one value validator (model/values.ts) refuses what any of them cannot carry, located, once for all.
  const args = config.args ?? [];
  args.forEach((a, i) => {
    const problem = argumentProblem(a);
    if (problem) issues.push({ path: ['args', i], message: problem });
  });
  const entrypointProblem = dockerfileLineProblem(entrypointLine([TINI_PATH, '--', `/app/${config.name}`, ...args]), 'together the arguments make the image\'s ENTRYPOINT line');
  if (entrypointProblem) issues.push({ path: ['args'], message: entrypointProblem });
  const env: Array<[string, string]> = [];
  for (const [k, v] of Object.entries(config.env ?? {})) {
    const s = String(v);
    const problem = argumentProblem(`${k}=${s}`, 'one environment string (NAME=value)') ?? dockerfileLineProblem(dockerfileAssignmentLine(k, s), 'its ENV line in the Dockerfile would be');
    if (problem) issues.push({ path: ['env', k], message: problem });
    env.push([k, s]);
  }
  // The container unit passes every variable on one ExecStart line (render/systemd.ts); its other words take < 4 KiB.
  const envLine = systemdLineProblem(`ExecStart=${containerUnitEnvWords(env)}${' '.repeat(4096)}`, 'together the variables make the container unit\'s ExecStart line more than');
  if (envLine && env.length) issues.push({ path: ['env'], message: envLine });

  if (config.description !== undefined) {
    const problem = textProblem(config.description, { allowTab: true });
    if (problem) issues.push({ path: ['description'], message: problem });
    else if (config.description.endsWith('\\')) issues.push({ path: ['description'], message: 'must not end with a backslash (unit files would read it as a line continuation)' });
  }

  // Ports
  const ports: PortSpec[] = [];
  const names = new Set<string>();
  const numbers = new Set<string>();
  (config.ports ?? []).forEach((p, i) => {
    const protocol = p.protocol ?? defaultValue('ports[].protocol');
    if (names.has(p.name)) issues.push({ path: ['ports', i, 'name'], message: `duplicate port name "${p.name}"` });
    if (numbers.has(`${p.port}/${protocol}`)) issues.push({ path: ['ports', i, 'port'], message: `port ${p.port}/${protocol} is listed twice` });
    names.add(p.name);
    numbers.add(`${p.port}/${protocol}`);
    const spec: PortSpec = { name: p.name, port: p.port, protocol };
    if (p.publish !== undefined) spec.publish = parsePublish(p.publish, issues, ['ports', i, 'publish']);
    if (isAdminPort(p.name, p.port, trpcAdminPort)) {
      spec.admin = true;
      const problem = spec.publish && adminPublishProblem(p.name, spec.publish.hostIp);
      if (problem) issues.push({ path: ['ports', i, 'publish'], message: problem });
    }
    ports.push(spec);
  });
  hostPortCollisions(ports, issues);

  // Health
  let health: HealthSpec | undefined;
  if (config.health) {
    const h = config.health;
    let port: number | undefined;
    let portName: string | undefined;
    if (typeof h.port === 'string') {
      const found = ports.find((p) => p.name === h.port);
      if (!found) {
        issues.push({
          path: ['health', 'port'],
          message: `no port named "${h.port}" in ports${ports.length ? ` (have: ${ports.map((p) => p.name).join(', ')})` : ''}`,
        });
      } else {
        port = found.port;
        portName = found.name;
      }
    } else {
      port = h.port;
      portName = ports.find((p) => p.port === h.port && p.protocol === 'tcp')?.name;
    }
    if (h.command) {
      h.command.forEach((a, i) => {
        const problem = argumentProblem(a);
        if (problem) issues.push({ path: ['health', 'command', i], message: problem });
      });
      // The engine execs it inside the container (compose/swarm healthcheck CMD): one rule with kubernetes.preStopExec.
      const problem = h.command[0] !== undefined && executableProblem(h.command[0], `/app/${config.name}`, { ...contents, files: imageFiles });
      if (problem) {
        issues.push({ path: ['health', 'command', 0], message: `${problem}: the healthcheck could never pass; run the service binary as its own probe (e.g. ["/app/${config.name}", "-probe", "http://127.0.0.1:PORT${h.path}"]), or leave health.command out (Kubernetes probes over HTTP need none)` });
      }
    }
    const label = dockerfileLineProblem(dockerfileAssignmentLine('io.goneat-deploy.health', `${h.port}${h.path}`, 6), 'its LABEL line in the Dockerfile would be');
    if (label) issues.push({ path: ['health', 'path'], message: label });
    const timeoutMs = durationField(h.timeout, ['health', 'timeout'], DEFAULTS.healthTimeoutMs, issues);
    const intervalMs = durationField(h.interval, ['health', 'interval'], DEFAULTS.healthIntervalMs, issues);
    if (timeoutMs < 1000 || timeoutMs % 1000 !== 0) issues.push({ path: ['health', 'timeout'], message: 'must be whole seconds, at least 1s (Kubernetes probes count in seconds)' });
    if (intervalMs < 1000 || intervalMs % 1000 !== 0) issues.push({ path: ['health', 'interval'], message: 'must be whole seconds, at least 1s (Kubernetes probes count in seconds)' });
    if (timeoutMs > intervalMs) issues.push({ path: ['health', 'timeout'], message: `${formatDuration(timeoutMs)} is longer than the interval ${formatDuration(intervalMs)}` });
    const startIntervalMs = h.startInterval === undefined ? undefined : durationField(h.startInterval, ['health', 'startInterval'], 0, issues);
    // Engine API HealthConfig.StartInterval: "0 or at least 1000000 (1 ms)"; 0 would mean the engine's default.
    if (startIntervalMs !== undefined && startIntervalMs < 1) issues.push({ path: ['health', 'startInterval'], message: 'must be at least 1ms (Docker Engine API HealthConfig.StartInterval)' });
    if (port !== undefined) {
      health = {
        port,
        ...(portName ? { portName } : {}),
        path: h.path,
        ...(h.command ? { command: [...h.command] } : {}),
        intervalMs,
        timeoutMs,
        startPeriodMs: durationField(h.startPeriod, ['health', 'startPeriod'], DEFAULTS.healthStartPeriodMs, issues),
        ...(startIntervalMs !== undefined ? { startIntervalMs } : {}),
        failureThreshold: h.failureThreshold ?? DEFAULTS.healthFailureThreshold,
      };
    }
  }

  // Shutdown budget
  // A drain the trpc-go preset read from trpc_go.yaml is warned about there (model/trpc.ts, no-drain),
  // not refused here: only a drain the user wrote is checked against preStop.
  const shutdown = shutdownSpec(config.shutdown ?? {}, issues, { drainWritten: userConfig.shutdown?.drain !== undefined });
  const { preStopMs } = shutdown;

  // User: numeric and non-root, so the kubelet can check runAsNonRoot.
  let uid: number = DEFAULTS.uid;
  let gid: number = DEFAULTS.gid;
  if (config.user !== undefined) {
    const [u, g] = String(config.user).split(':');
    uid = Number(u);
    gid = g === undefined ? uid : Number(g);
    if (uid === 0) issues.push({ path: ['user'], message: 'runs as root (UID 0): use a numeric non-root UID like 65532' });
    if (uid > 2147483647 || gid > 2147483647) issues.push({ path: ['user'], message: 'UID and GID must be below 2^31' });
  }

  // Resources
  const r = config.resources ?? {};
  const limits = { ...(r.cpu ? { cpu: r.cpu } : {}), ...(r.memory ? { memory: r.memory } : {}) };
  const requests = {
    ...((r.requests?.cpu ?? r.cpu) ? { cpu: (r.requests?.cpu ?? r.cpu)! } : {}),
    ...((r.requests?.memory ?? r.memory) ? { memory: (r.requests?.memory ?? r.memory)! } : {}),
  };
  const resources: ServiceSpec['resources'] = { limits, requests };
  if (r.cpu) {
    const m = cpuMillis(r.cpu);
    if (!m) issues.push({ path: ['resources', 'cpu'], message: 'must be more than 0' });
    else resources.cpuMillis = m;
  }
  if (r.memory) {
    const b2 = memoryBytes(r.memory);
    if (!b2 || b2 < 4 * 2 ** 20) issues.push({ path: ['resources', 'memory'], message: 'must be at least 4Mi' });
    else resources.memoryBytes = b2;
  }

  // Kubernetes
  const binaryPath = `/app/${config.name}`;
  const k = config.kubernetes ?? {};
  const version = kubernetesVersion(k.version, issues);
  let preStop: KubernetesSpec['preStop'];
  if (preStopMs > 0 && preStopMs % 1000 !== 0) {
    issues.push({ path: ['shutdown', 'preStop'], message: 'must be whole seconds (the Kubernetes preStop sleep counts in seconds)' });
  }
  if (k.preStopExec) {
    if (preStopMs === 0) {
      issues.push({ path: ['kubernetes', 'preStopExec'], message: 'is set but shutdown.preStop is 0s: set shutdown.preStop to how long the command sleeps' });
    } else if (executableProblem(k.preStopExec[0]!, binaryPath, { ...contents, files: imageFiles })) {
      issues.push({
        path: ['kubernetes', 'preStopExec', 0],
        message: `${executableProblem(k.preStopExec[0]!, binaryPath, { ...contents, files: imageFiles })}: run the service binary (e.g. ["${binaryPath}", "-sleep", "${formatDuration(preStopMs)}"]) or use the sleep action (Kubernetes 1.30+) by removing preStopExec`,
      });
    } else {
      k.preStopExec.forEach((a, i) => {
        const problem = argumentProblem(a);
        if (problem) issues.push({ path: ['kubernetes', 'preStopExec', i], message: problem });
      });
      preStop = { kind: 'exec', command: [...k.preStopExec], seconds: Math.ceil(preStopMs / 1000) };
    }
  } else if (preStopMs > 0) {
    if (hasSleepAction(version)) preStop = { kind: 'sleep', seconds: Math.ceil(preStopMs / 1000) };
    else issues.push({ path: ['kubernetes', 'version'], message: noSleepActionMessage(version!, Math.ceil(preStopMs / 1000), binaryPath) });
  }
  if (k.goRuntimeEnv) {
    if (!config.resources?.cpu || !config.resources?.memory) {
      issues.push({ path: ['kubernetes', 'goRuntimeEnv'], message: 'needs resources.cpu and resources.memory: GOMAXPROCS and GOMEMLIMIT are taken from those limits' });
    }
    for (const name of ['GOMAXPROCS', 'GOMEMLIMIT']) {
      if (env.some(([n]) => n === name)) issues.push({ path: ['env', name], message: `is also set by kubernetes.goRuntimeEnv; remove one of them` });
    }
  }
  const kubernetes: KubernetesSpec = {
    ...(k.namespace ? { namespace: k.namespace } : {}),
    serviceType: k.serviceType ?? defaultValue('kubernetes.serviceType'),
    imagePullPolicy: k.imagePullPolicy ?? defaultValue('kubernetes.imagePullPolicy'),
    ...(preStop ? { preStop } : {}),
    goRuntimeEnv: k.goRuntimeEnv ?? defaultValue('kubernetes.goRuntimeEnv'),
    ...(version ? { version } : {}),
  };

  // Swarm
  const publishMode = config.swarm?.publishMode ?? defaultValue('swarm.publishMode');
  if (publishMode === 'host' && (config.replicas ?? defaultValue('replicas')) > 1) {
    ports.forEach((p, i) => {
      // Admin ports are never published by swarm (render/swarm.ts), so their compose publish cannot collide there.
      if (p.publish && p.publish.hostPort !== 0 && !p.admin) {
        issues.push({
          path: ['ports', i, 'publish'],
          message: `swarm.publishMode host binds port ${p.publish.hostPort} on the node itself, so ${config.replicas} replicas would collide on one node: publish 0 (a free port per task) or use ingress`,
        });
      }
    });
  }

  // verify
  let verify: ServiceSpec['verify'];
  if (config.verify?.inflightPath) {
    const v = config.verify;
    let port: number | undefined;
    if (typeof v.port === 'string') {
      port = ports.find((p) => p.name === v.port)?.port;
      if (port === undefined) issues.push({ path: ['verify', 'port'], message: `no port named "${v.port}" in ports` });
    } else port = v.port ?? ports.find((p) => p.protocol === 'tcp' && p.port !== health?.port)?.port ?? ports[0]?.port;
    if (port === undefined && typeof v.port !== 'string') issues.push({ path: ['verify', 'inflightPath'], message: 'needs a port: add one to ports or set verify.port' });
    else if (port !== undefined) verify = { port, path: v.inflightPath! };
    const label = dockerfileLineProblem(dockerfileAssignmentLine('io.goneat-deploy.verify.inflight', `${port ?? ''}${v.inflightPath}`, 6), 'its LABEL line in the Dockerfile would be');
    if (label) issues.push({ path: ['verify', 'inflightPath'], message: label });
  }

  // Plain hosts (systemd, daemonize, upstart, launchd)
  const h = config.host ?? {};
  for (const key of ['binaryPath', 'workingDirectory', 'configPath', 'runDirectory', 'logDirectory'] as const) {
    const value = h[key];
    const problem = value === undefined ? undefined : hostPathProblem(value);
    if (problem) issues.push({ path: ['host', key], message: problem });
    // A file, not a directory: systemd refuses ExecStart=/ ("Executable path specifies a directory",
    // src/core/load-fragment.c config_parse_exec), and a config file cannot be "/" either.
    else if (value === '/' && (key === 'binaryPath' || key === 'configPath')) issues.push({ path: ['host', key], message: 'is "/", a directory: give the path of a file' });
  }
  const workingDirectory = h.workingDirectory ?? defaultFor('host.workingDirectory', config.name);
  const launchdDir = h.workingDirectory ?? launchdWorkingDirectory(config.name);
  // The image runs `-conf /app/trpc_go.yaml`; that path exists only in the image.
  const shipsConfig = files.some((f) => f.target === TRPC_CONFIG_IN_IMAGE);
  if (h.configPath !== undefined && !shipsConfig) {
    issues.push({ path: ['host', 'configPath'], message: 'is only used with framework: trpc-go (the config the image ships); for another service, give the path in args' });
  }
  if (h.workingDirectory !== undefined) {
    const home = homeDirectoryProblem(h.workingDirectory);
    if (home) issues.push({ path: ['host', 'workingDirectory'], message: home });
  }
  if (h.user === undefined) {
    const account = accountNameProblem(config.name);
    if (account) issues.push({ path: ['name'], message: `${account}: set host.user to an account name like "svc-${config.name.slice(0, 20)}"` });
  }
  if (h.hardening === 'strict' && h.user !== undefined) {
    issues.push({ path: ['host', 'user'], message: 'host.hardening strict runs the service under an account systemd allocates (DynamicUser=yes): remove host.user, or use hardening auto' });
  }
  const configPath = shipsConfig ? (h.configPath ?? `${workingDirectory}/trpc_go.yaml`) : undefined;
  const launchdConfigPath = shipsConfig ? (h.configPath ?? `${launchdDir}/trpc_go.yaml`) : undefined;
  const hostArgs = (path: string | undefined) =>
    path === undefined ? [...args] : args.map((a) => (a === TRPC_CONFIG_IN_IMAGE ? path : a.endsWith(`=${TRPC_CONFIG_IN_IMAGE}`) ? a.slice(0, -TRPC_CONFIG_IN_IMAGE.length) + path : a));
  const host: HostSpec = {
    binaryPath: h.binaryPath ?? defaultFor('host.binaryPath', config.name),
    workingDirectory,
    launchdWorkingDirectory: launchdDir,
    ...(h.user ? { user: h.user } : {}),
    account: h.user ?? config.name,
    ...(configPath ? { configPath, launchdConfigPath: launchdConfigPath! } : {}),
    args: hostArgs(configPath),
    launchdArgs: hostArgs(launchdConfigPath),
    hardening: h.hardening ?? defaultValue('host.hardening'),
    umask: (h.umask ?? defaultValue('host.umask')).padStart(4, '0'),
    runDirectory: h.runDirectory ?? defaultFor('host.runDirectory', config.name),
    launchdLabel: h.launchdLabel ?? defaultFor('host.launchdLabel', config.name),
    logDirectory: h.logDirectory ?? defaultValue('host.logDirectory'),
    daemonizeLogDirectory: h.logDirectory ?? daemonizeLogDirectory(config.name),
    upstartLegacy: h.upstartLegacy ?? defaultValue('host.upstartLegacy'),
  };

  if (issues.length) return { issues };

  const spec: ServiceSpec = {
    name: config.name,
    ...(config.description !== undefined ? { description: config.description } : {}),
    framework: config.framework ?? defaultValue('framework'),
    image: { ...image, ...contents },
    build,
    ...(b.tini !== undefined ? { tini: typeof b.tini === 'string' ? { '*': b.tini } : { ...b.tini } } : {}),
    binaryPath,
    files: imageFiles,
    args: [...args],
    entrypoint: [TINI_PATH, '--', binaryPath, ...args],
    env,
    ports,
    ...(health ? { health } : {}),
    shutdown,
    user: { uid, gid },
    replicas: config.replicas ?? defaultValue('replicas'),
    resources,
    kubernetes,
    swarm: { publishMode },
    ...(verify ? { verify } : {}),
    host,
  };
  return { spec, issues: [] };
}
