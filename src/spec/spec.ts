/**
 * ServiceSpec: the validated, normalized, defaulted form of goneat-deploy.yaml.
 * Every renderer reads this and nothing else; the shutdown budget is computed
 * here once so no two targets can disagree about it. Pure.
 */
import type { Config } from '../config/schema.js';
import { formatDuration, parseDuration } from '../config/duration.js';
import type { FieldPath } from '../config/source.js';
import { cpuMillis, memoryBytes } from './quantity.js';
import { hasSleepAction, kubernetesVersion, noSleepActionMessage, type KubernetesVersion } from './k8s-version.js';
import { TRPC_CONFIG_IN_IMAGE, type TrpcFacts } from './trpc.js';

export interface PortSpec {
  name: string;
  port: number;
  protocol: 'tcp' | 'udp';
  publish?: { hostIp: string; hostPort: number };
}

export interface HealthSpec {
  port: number;
  portName?: string;
  path: string;
  command?: string[];
  intervalMs: number;
  timeoutMs: number;
  startPeriodMs: number;
  failureThreshold: number;
}

export interface ShutdownSpec {
  signal: string;
  drainMs: number;
  preStopMs: number;
  slackMs: number;
  /** B = preStop + drain + slack, in milliseconds. */
  budgetMs: number;
  /**
   * The stop timeout every target uses, in whole seconds: the pinned
   * gracePeriod, or B rounded up. Compose stop_grace_period, swarm's,
   * terminationGracePeriodSeconds, TimeoutStopSec, upstart kill timeout and
   * launchd ExitTimeOut all equal this number.
   */
  timeoutSeconds: number;
  pinned: boolean;
  successExitCodes: number[];
}

export type BinarySource = { kind: 'go'; main: string; ldflags: string; tags: string[] } | { kind: 'binary'; path: string };

export interface KubernetesSpec {
  namespace?: string;
  serviceType: 'ClusterIP' | 'NodePort' | 'LoadBalancer';
  imagePullPolicy: 'IfNotPresent' | 'Always' | 'Never';
  /** The preStop hook: the kubelet's sleep action (1.30+), or an exec of the service binary for older clusters. */
  preStop?: { kind: 'sleep'; seconds: number } | { kind: 'exec'; command: string[] };
  goRuntimeEnv: boolean;
  /** kubernetes.version: the release the manifests are for (unset: a supported one, 1.30+). */
  version?: KubernetesVersion;
}

export interface HostSpec {
  binaryPath: string;
  workingDirectory: string;
  launchdWorkingDirectory: string;
  user?: string;
  launchdLabel: string;
  logDirectory: string;
}

/** An extra file shipped in the image (the tRPC-Go config). */
export interface ImageFile {
  /** Host path, relative to the config file. */
  source: string;
  /** Absolute path in the image. */
  target: string;
}

export interface ServiceSpec {
  name: string;
  description?: string;
  framework: 'plain' | 'trpc-go';
  image: { repository: string; tag: string; ref: string; platforms?: string[] };
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

export interface SpecIssue {
  path: FieldPath;
  message: string;
}

export const DEFAULTS = {
  tag: 'latest',
  signal: 'SIGTERM',
  drainMs: 10_000,
  preStopMs: 0,
  slackMs: 2_000,
  uid: 65532,
  ldflags: '-s -w -buildid=',
  healthIntervalMs: 10_000,
  healthTimeoutMs: 2_000,
  healthStartPeriodMs: 30_000,
  healthFailureThreshold: 3,
} as const;

export const TINI_PATH = '/sbin/tini';

/** Inits that forward signals and reap zombies as PID 1 (lint looks for them in files, verify in the running container). */
export const INITS = ['tini', 'tini-static', 'docker-init', 'dumb-init', 'catatonit', 's6-svscan', 'init'];

/** Whether a program path ("/sbin/tini") is one of INITS. */
export function isInit(argv0: string | undefined): boolean {
  return argv0 !== undefined && INITS.includes(argv0.split('/').pop()!);
}

/** Signals a supervisor may use to stop a Go service, and why the others are refused. */
export const STOP_SIGNALS = ['SIGTERM', 'SIGINT', 'SIGQUIT', 'SIGUSR1'] as const;
export const REFUSED_STOP_SIGNALS: Record<string, string> = {
  SIGHUP: 'SIGHUP means "your terminal went away"; a service that exits on it is the nohup bug this tool exists to avoid. Use SIGTERM',
  SIGUSR2: 'SIGUSR2 is tRPC-Go\'s hot restart (fork/exec then the parent exits): under tini or a supervisor the first child exiting ends the service. Use SIGTERM and rolling updates',
  SIGKILL: 'SIGKILL cannot be handled, so nothing drains; supervisors send it by themselves when the stop timeout ends. Use SIGTERM',
  SIGSTOP: 'SIGSTOP cannot be handled and only pauses the process. Use SIGTERM',
};

const CONTROL = /[\x00-\x08\x0a-\x1f\x7f]/;

function ms(v: string | undefined, path: FieldPath, fallback: number, issues: SpecIssue[]): number {
  if (v === undefined) return fallback;
  const parsed = parseDuration(v);
  if (parsed === undefined) {
    issues.push({ path, message: `expected a duration like "5s", got "${v}"` });
    return fallback;
  }
  return parsed;
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

export interface SpecInputs {
  /** The trpc-go preset's trpc_go.yaml, read by the caller: facts, a parse error, or absent. */
  trpc?: TrpcFacts | { error: string } | 'missing';
}

/**
 * The trpc-go preset: fills what the user left out from trpc_go.yaml. What the
 * user wrote always wins.
 */
function applyPreset(config: Config, inputs: SpecInputs, issues: SpecIssue[]): { config: Config; files: ImageFile[] } {
  if (config.framework !== 'trpc-go') return { config, files: [] };
  const file = config.trpcConfig ?? 'trpc_go.yaml';
  const t = inputs.trpc;
  if (t === undefined || t === 'missing') {
    issues.push({ path: config.trpcConfig ? ['trpcConfig'] : ['framework'], message: `the trpc-go preset needs the service's ${file} next to goneat-deploy.yaml (or set trpcConfig)` });
    return { config, files: [] };
  }
  if ('error' in t) {
    issues.push({ path: config.trpcConfig ? ['trpcConfig'] : ['framework'], message: `${file} ${t.error}` });
    return { config, files: [] };
  }
  const out: Config = { ...config };
  if (!out.ports) {
    out.ports = t.services.map((svc, i) => ({ name: i === 0 ? 'rpc' : `rpc${i + 1}`, port: svc.port }));
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
  else build = { kind: 'go', main: b.main ?? '.', ldflags: b.ldflags ?? DEFAULTS.ldflags, tags: b.tags ?? [] };

  // Args and env: control characters cannot be carried safely by every target
  // (unit files, plists, YAML), so they are refused here once for all.
  const args = config.args ?? [];
  args.forEach((a, i) => {
    if (CONTROL.test(a)) issues.push({ path: ['args', i], message: 'control characters (newline, NUL, ...) are not allowed in arguments' });
  });
  const env: Array<[string, string]> = [];
  for (const [k, v] of Object.entries(config.env ?? {})) {
    const s = String(v);
    if (CONTROL.test(s)) issues.push({ path: ['env', k], message: 'control characters (newline, NUL, ...) are not allowed in environment values' });
    env.push([k, s]);
  }

  if (config.description !== undefined && CONTROL.test(config.description)) {
    issues.push({ path: ['description'], message: 'must be one line without control characters' });
  } else if (config.description?.endsWith('\\')) {
    issues.push({ path: ['description'], message: 'must not end with a backslash (unit files would read it as a line continuation)' });
  }

  // Ports
  const ports: PortSpec[] = [];
  const names = new Set<string>();
  const numbers = new Set<string>();
  (config.ports ?? []).forEach((p, i) => {
    const protocol = p.protocol ?? 'tcp';
    if (names.has(p.name)) issues.push({ path: ['ports', i, 'name'], message: `duplicate port name "${p.name}"` });
    if (numbers.has(`${p.port}/${protocol}`)) issues.push({ path: ['ports', i, 'port'], message: `port ${p.port}/${protocol} is listed twice` });
    names.add(p.name);
    numbers.add(`${p.port}/${protocol}`);
    const spec: PortSpec = { name: p.name, port: p.port, protocol };
    if (p.publish !== undefined) spec.publish = parsePublish(p.publish, issues, ['ports', i, 'publish']);
    ports.push(spec);
  });

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
        if (CONTROL.test(a)) issues.push({ path: ['health', 'command', i], message: 'control characters are not allowed' });
      });
    }
    const timeoutMs = ms(h.timeout, ['health', 'timeout'], DEFAULTS.healthTimeoutMs, issues);
    const intervalMs = ms(h.interval, ['health', 'interval'], DEFAULTS.healthIntervalMs, issues);
    if (timeoutMs < 1000 || timeoutMs % 1000 !== 0) issues.push({ path: ['health', 'timeout'], message: 'must be whole seconds, at least 1s (Kubernetes probes count in seconds)' });
    if (intervalMs < 1000 || intervalMs % 1000 !== 0) issues.push({ path: ['health', 'interval'], message: 'must be whole seconds, at least 1s (Kubernetes probes count in seconds)' });
    if (timeoutMs > intervalMs) issues.push({ path: ['health', 'timeout'], message: `${formatDuration(timeoutMs)} is longer than the interval ${formatDuration(intervalMs)}` });
    if (port !== undefined) {
      health = {
        port,
        ...(portName ? { portName } : {}),
        path: h.path,
        ...(h.command ? { command: [...h.command] } : {}),
        intervalMs,
        timeoutMs,
        startPeriodMs: ms(h.startPeriod, ['health', 'startPeriod'], DEFAULTS.healthStartPeriodMs, issues),
        failureThreshold: h.failureThreshold ?? DEFAULTS.healthFailureThreshold,
      };
    }
  }

  // Shutdown budget
  const s = config.shutdown ?? {};
  const signal = s.signal ?? DEFAULTS.signal;
  if (REFUSED_STOP_SIGNALS[signal]) {
    issues.push({ path: ['shutdown', 'signal'], message: `${signal} is refused as a stop signal: ${REFUSED_STOP_SIGNALS[signal]}` });
  } else if (!(STOP_SIGNALS as readonly string[]).includes(signal)) {
    issues.push({ path: ['shutdown', 'signal'], message: `expected one of ${STOP_SIGNALS.join(', ')}, got "${signal}"` });
  }
  const drainMs = ms(s.drain, ['shutdown', 'drain'], DEFAULTS.drainMs, issues);
  const preStopMs = ms(s.preStop, ['shutdown', 'preStop'], DEFAULTS.preStopMs, issues);
  const slackMs = ms(s.slack, ['shutdown', 'slack'], DEFAULTS.slackMs, issues);
  const budgetMs = preStopMs + drainMs + slackMs;
  let timeoutSeconds = Math.ceil(budgetMs / 1000);
  const pinned = s.gracePeriod !== undefined;
  if (drainMs === 0 && preStopMs > 0) {
    issues.push({
      path: ['shutdown', 'drain'],
      message: `is 0s but preStop is ${formatDuration(preStopMs)}: a preStop delay only helps a service that drains in-flight work after the stop signal; set drain to the service's own close wait`,
    });
  }
  if (pinned) {
    const graceMs = ms(s.gracePeriod, ['shutdown', 'gracePeriod'], 0, issues);
    if (preStopMs >= graceMs && graceMs > 0) {
      issues.push({
        path: ['shutdown', 'preStop'],
        message: `${formatDuration(preStopMs)} is not shorter than gracePeriod ${formatDuration(graceMs)}: the preStop delay counts against the grace period, so the service would be killed before it could drain`,
      });
    } else if (graceMs < budgetMs) {
      issues.push({
        path: ['shutdown', 'gracePeriod'],
        message: `${formatDuration(graceMs)} is shorter than the shutdown budget preStop ${formatDuration(preStopMs)} + drain ${formatDuration(drainMs)} + slack ${formatDuration(slackMs)} = ${formatDuration(budgetMs)}; raise it or remove it to use the budget`,
      });
    }
    if (graceMs % 1000 !== 0) {
      issues.push({ path: ['shutdown', 'gracePeriod'], message: 'must be whole seconds (Kubernetes and upstart count in seconds)' });
    }
    timeoutSeconds = Math.ceil(graceMs / 1000);
  }
  if (timeoutSeconds < 1) timeoutSeconds = 1;
  const shutdown: ShutdownSpec = {
    signal,
    drainMs,
    preStopMs,
    slackMs,
    budgetMs,
    timeoutSeconds,
    pinned,
    successExitCodes: s.successExitCodes ? [...s.successExitCodes] : [0],
  };

  // User: numeric and non-root, so the kubelet can check runAsNonRoot.
  let uid: number = DEFAULTS.uid;
  let gid: number = DEFAULTS.uid;
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
    } else if (k.preStopExec[0] !== binaryPath) {
      issues.push({
        path: ['kubernetes', 'preStopExec', 0],
        message: `the image is FROM scratch and holds only /sbin/tini and ${binaryPath}, so "${k.preStopExec[0]}" does not exist there: run the service binary (e.g. ["${binaryPath}", "-sleep", "${preStopMs / 1000}s"]) or use the sleep action (Kubernetes 1.30+) by removing preStopExec`,
      });
    } else {
      k.preStopExec.forEach((a, i) => {
        if (CONTROL.test(a)) issues.push({ path: ['kubernetes', 'preStopExec', i], message: 'control characters are not allowed' });
      });
      preStop = { kind: 'exec', command: [...k.preStopExec] };
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
    serviceType: k.serviceType ?? 'ClusterIP',
    imagePullPolicy: k.imagePullPolicy ?? 'IfNotPresent',
    ...(preStop ? { preStop } : {}),
    goRuntimeEnv: k.goRuntimeEnv ?? false,
    ...(version ? { version } : {}),
  };

  // Swarm
  const publishMode = config.swarm?.publishMode ?? 'ingress';
  if (publishMode === 'host' && (config.replicas ?? 1) > 1) {
    ports.forEach((p, i) => {
      if (p.publish && p.publish.hostPort !== 0) {
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
  }

  // Plain hosts (systemd, launchd, upstart)
  const h = config.host ?? {};
  const host: HostSpec = {
    binaryPath: h.binaryPath ?? `/usr/local/bin/${config.name}`,
    workingDirectory: h.workingDirectory ?? `/var/lib/${config.name}`,
    launchdWorkingDirectory: h.workingDirectory ?? `/usr/local/var/${config.name}`,
    ...(h.user ? { user: h.user } : {}),
    launchdLabel: h.launchdLabel ?? `io.goneat-deploy.${config.name}`,
    logDirectory: h.logDirectory ?? '/usr/local/var/log',
  };

  if (issues.length) return { issues };

  const spec: ServiceSpec = {
    name: config.name,
    ...(config.description !== undefined ? { description: config.description } : {}),
    framework: config.framework ?? 'plain',
    image,
    build,
    ...(b.tini !== undefined ? { tini: typeof b.tini === 'string' ? { '*': b.tini } : { ...b.tini } } : {}),
    binaryPath,
    files,
    args: [...args],
    entrypoint: [TINI_PATH, '--', binaryPath, ...args],
    env,
    ports,
    ...(health ? { health } : {}),
    shutdown,
    user: { uid, gid },
    replicas: config.replicas ?? 1,
    resources,
    kubernetes,
    swarm: { publishMode },
    ...(verify ? { verify } : {}),
    host,
  };
  return { spec, issues: [] };
}
