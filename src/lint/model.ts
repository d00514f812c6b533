/**
 * The stop-path model: for each workload in the files given — a compose
 * service, a Kubernetes container, a systemd service, an upstart job, a
 * Dockerfile's image — what runs as PID 1, every signal that reaches the
 * service and the directive that sends it, and how long it has before SIGKILL.
 * Rules judge this model, so a fault is found whichever directive causes it.
 * Pure: parsed files in, model out; one pass over each file.
 *
 * Semantics, each from its consumer:
 * - Docker/Compose: ENTRYPOINT/CMD composition (Dockerfile reference "Understand
 *   how CMD and ENTRYPOINT interact"; moby builder: ENTRYPOINT resets a CMD
 *   inherited from the base stage), compose-spec 05-services.md (`entrypoint`
 *   replaces ENTRYPOINT and drops the image's CMD; `command` replaces CMD and is
 *   split into words, not run by a shell; `init`; `stop_signal`;
 *   `stop_grace_period`, default 10s), docker stop.
 * - Kubernetes: `command` replaces ENTRYPOINT, `args` replaces CMD ("Define a
 *   Command and Arguments for a Container"); termination (pod-lifecycle):
 *   terminationGracePeriodSeconds (default 30) counts from Terminating,
 *   preStop runs first, then the stop signal (lifecycle.stopSignal, else the
 *   image's STOPSIGNAL, else SIGTERM), at least 2s before SIGKILL
 *   (kuberuntime_container.go minimumGracePeriodInSeconds).
 * - systemd (systemd.service(5), systemd.kill(5), src/core/service.c): on stop,
 *   ExecStop= commands run first, then KillSignal= (default SIGTERM) goes to
 *   what is left, then SIGHUP if SendSIGHUP=yes, then FinalKillSignal=
 *   (default SIGKILL) after TimeoutStopSec= (default 90s; 0 or "infinity" = no
 *   timeout) unless SendSIGKILL=no; restart uses RestartKillSignal= (default:
 *   KillSignal=); reload runs ExecReload=, or sends ReloadSignal= (default
 *   SIGHUP) for Type=notify-reload.
 * - upstart (init(5)): on stop, the pre-stop process runs, then `kill signal`
 *   (default SIGTERM), then SIGKILL after `kill timeout` (default 5s); reload
 *   sends `reload signal` (default SIGHUP).
 */
import path from 'node:path';
import { isInit } from '../model/signals.js';
import type { ComposeDoc, DockerfileDoc, IniEntry, K8sDoc, LintFile, Pos, Stanza, SystemdDoc, UpstartDoc } from './files.js';
import { yamlTrue } from './files.js';
import { shownAt, unknownAt } from './compose-interp.js';
import {
  commandsOf,
  composeDuration,
  dockerSignal,
  fmtMs,
  k8sInteger,
  killCommand,
  shellWords,
  sleepSeconds,
  splitSystemdCommand,
  systemdSignal,
  systemdTimeoutSpan,
  upstartInterval,
  upstartSignal,
} from './values.js';

/** Where a fact comes from: a file position and the directive as written. */
export interface Source extends Pos {
  file: string;
  /** The directive as written ("KillSignal=SIGUSR2"), or the default that applies ("default KillSignal=SIGTERM"). */
  directive: string;
  /** True when nothing is written and the consumer's default applies. */
  implicit?: boolean;
}

/** What a service is known to be, from goneat-deploy.yaml, a label, or an option; only for the workloads it matches. */
export interface ServiceFacts {
  name: string;
  /** The service's own drain, ms. */
  drainMs?: number;
  /** The Kubernetes preStop delay it was configured with, ms. */
  preStopMs?: number;
  framework?: 'trpc-go';
  /** goneat-deploy.yaml has its own health section (GD020: a trpc_go.yaml without an admin port is then no loss). */
  healthConfigured?: boolean;
  /** The stop signal goneat-deploy.yaml configures (shutdown.signal, "SIGTERM"): GD021 judges Go source that ignores it. */
  stopSignal?: string;
  /** The ports and health goneat-deploy.yaml itself writes (GD020 checks them against trpc_go.yaml). */
  declared?: import('../model/trpc.js').TrpcDeclared;
  /** Directory the facts apply under (a goneat-deploy.yaml's directory); undefined = anywhere. */
  dir?: string;
  imageRepository?: string;
  /** Where the facts come from, for messages ("goneat-deploy.yaml", "--drain echo=60s"). */
  origin: string;
  /** A goneat-deploy service: a Go service that keeps Go's default signal actions. */
  goneat: boolean;
}

/** The facts that apply to one workload, with how they were matched. */
export interface WorkloadService {
  name: string;
  drainMs?: number;
  preStopMs?: number;
  /** tRPC-Go, and how it is known. */
  trpc?: string;
  /** A goneat-deploy service (config, label or generated file). */
  goneat: boolean;
  origin?: string;
}

export type Runtime = 'compose' | 'k8s' | 'systemd' | 'upstart' | 'image';

/** When a signal is sent: on stop (in order), restart, reload, right after the stop signal (SendSIGHUP), or at the stop timeout. */
export type SignalEvent = 'stop' | 'restart' | 'reload' | 'hangup' | 'final';

export interface Delivery {
  signal: string;
  event: SignalEvent;
  source: Source;
  /** For 'stop': 0 = the first signal the service gets when stopped. */
  order: number;
  /** The signal is the runtime's stop signal (not a command run before it). */
  stopSignal?: boolean;
}

export interface Pid1 {
  /** The full argv of PID 1, when known. */
  argv?: string[];
  /** Where PID 1's program is set. */
  source?: Source;
  /** An init the runtime adds (compose init: true, docker run --init, a shared pod PID namespace). */
  runtimeInit?: { name: string; source: Source };
  /** The image's ENTRYPOINT started an init that `command`/`entrypoint` replaced. */
  replacedInit?: { argv0: string; source: Source };
  /** The image (Dockerfile) PID 1 comes from, when linked. */
  image?: DockerfileDoc;
  /** How the image was linked. */
  imageLink?: string;
}

export interface StopTime {
  /** ms from the first stop signal to SIGKILL; Infinity = never. */
  ms: number;
  source: Source;
}

export interface PreStop {
  /** Seconds it lasts, when known. */
  seconds?: number;
  form: 'sleep' | 'exec' | 'httpGet' | 'other';
  source: Source;
  /** The program an exec hook runs. */
  argv0?: string;
}

/** A value its consumer cannot read: systemd ignores it (its default applies), upstart and the API server refuse the file. */
export interface ValueIssue {
  source: Source;
  message: string;
}

export interface Workload {
  runtime: Runtime;
  /** compose service, container, unit or job name. */
  name: string;
  /** Human label: 'compose service "api"', 'Deployment "api" container "app"', 'unit api.service'. */
  label: string;
  file: string;
  at: Pos;
  service?: WorkloadService;
  pid1?: Pid1;
  deliveries: Delivery[];
  stopTimeout?: StopTime;
  /** Kubernetes: the pod's grace period and this container's preStop. */
  grace?: StopTime;
  preStop?: PreStop;
  valueIssues: ValueIssue[];
  /** systemd units that run `docker run`: the container's own stop settings apply to the service. */
  dockerRun?: boolean;
  /** An image run by a compose service or a pod among the files (its PID 1 is judged there). */
  linked?: boolean;
}

export interface StopModel {
  workloads: Workload[];
  /** Images built by a Dockerfile among the files, by repository name. */
  images: Map<string, { df: DockerfileDoc; how: string }>;
}

// ---------------------------------------------------------------- images

export interface ImageConfig {
  entrypoint?: string[];
  cmd?: string[];
  /** The instruction each came from. */
  entrypointAt?: Pos;
  cmdAt?: Pos;
  stopSignal?: { value: string; at: Pos };
  user?: { value: string; at: Pos };
  labels: Record<string, string>;
  /** The base image ("scratch", "alpine:3.18") after following stage references. */
  base: string;
  entrypointShell?: boolean;
  cmdShell?: boolean;
}

/**
 * The image config a Dockerfile's final stage produces: ENTRYPOINT/CMD (shell
 * form wrapped in SHELL, default ["/bin/sh", "-c"]), STOPSIGNAL, USER, LABELs,
 * inherited through `FROM <earlier stage>`. An ENTRYPOINT resets a CMD
 * inherited from the base (moby builder dispatchers.go: "if !cmdSet").
 */
export function imageConfig(df: DockerfileDoc, stageIndex = df.stages.length - 1, guard = 0): ImageConfig {
  const stage = df.stages[stageIndex];
  if (!stage) return { labels: {}, base: '' };
  const parentIdx = guard < 32 ? df.stages.findIndex((s, i) => i < stageIndex && s.name !== undefined && s.name === stage.from.toLowerCase()) : -1;
  const inherited: ImageConfig = parentIdx >= 0 ? imageConfig(df, parentIdx, guard + 1) : { labels: {}, base: stage.from };
  const out: ImageConfig = { ...inherited, labels: { ...inherited.labels } };
  let shell = ['/bin/sh', '-c'];
  let cmdSet = false;
  for (const ins of stage.instructions) {
    const form = (): { argv: string[]; shell: boolean } => (ins.json ? { argv: ins.json, shell: false } : { argv: [...shell, ins.args], shell: true });
    if (ins.name === 'SHELL' && ins.json) shell = ins.json;
    else if (ins.name === 'ENTRYPOINT') {
      const f = form();
      out.entrypoint = ins.args === '' ? undefined : f.argv;
      out.entrypointShell = f.shell;
      out.entrypointAt = ins;
      if (!cmdSet) {
        delete out.cmd;
        delete out.cmdAt;
      }
    } else if (ins.name === 'CMD') {
      const f = form();
      out.cmd = f.argv;
      out.cmdShell = f.shell;
      out.cmdAt = ins;
      cmdSet = true;
    } else if (ins.name === 'STOPSIGNAL') out.stopSignal = { value: ins.args, at: ins };
    else if (ins.name === 'USER') out.user = { value: ins.args, at: ins };
    else if (ins.name === 'LABEL') {
      for (const w of shellWords(ins.args)) {
        const eq = w.indexOf('=');
        if (eq > 0) out.labels[w.slice(0, eq)] = w.slice(eq + 1);
      }
    }
  }
  return out;
}

/** The repository part of an image reference: "registry.example.test/orders:v3" → "registry.example.test/orders". */
export function repositoryOf(ref: string): string {
  const noDigest = ref.split('@')[0]!;
  const slash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  return colon > slash ? noDigest.slice(0, colon) : noDigest;
}

const lastSegment = (repo: string) => repo.split('/').pop() ?? repo;
const dirOf = (p: string) => (p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : '.');
const norm = (p: string) => path.posix.normalize(p.replace(/\\/g, '/')).replace(/^\.\//, '');

/** The Dockerfile a compose service's `build:` names, among the files. */
export function builtFrom(composePath: string, svc: Record<string, unknown>, byPath: Map<string, DockerfileDoc>): DockerfileDoc | undefined {
  const build = svc.build;
  if (!build) return undefined;
  const context = typeof build === 'string' ? build : String((build as { context?: string }).context ?? '.');
  const file = typeof build === 'object' && (build as { dockerfile?: string }).dockerfile ? String((build as { dockerfile?: string }).dockerfile) : 'Dockerfile';
  const want = norm(path.posix.join(dirOf(composePath), context, file));
  const hit = byPath.get(want);
  if (hit) return hit;
  for (const [p, d] of byPath) if (p.endsWith(`/${want}`) || want.endsWith(`/${p}`)) return d;
  return undefined;
}

// ---------------------------------------------------------------- PID 1

/** tini/docker-init options that take a value (tini.c: -p SIG, -e CODE, -l is a flag). */
const INIT_VALUE_OPTS = new Set(['-p', '-e']);

/** The program an init runs: the argv after the init's options and "--". */
export function initChild(argv: string[]): string[] {
  let i = 1;
  while (i < argv.length) {
    const a = argv[i]!;
    if (a === '--') return argv.slice(i + 1);
    if (!a.startsWith('-')) return argv.slice(i);
    i += INIT_VALUE_OPTS.has(a) ? 2 : 1;
  }
  return [];
}

const SHELL_NAMES = new Set(['sh', 'bash', 'dash', 'ash', 'zsh', 'ksh']);
export const isShell = (argv0: string | undefined) => argv0 !== undefined && SHELL_NAMES.has(argv0.split('/').pop()!);

/**
 * A Source whose line and column are read from `pos` when first asked: YAML
 * positions are only worked out for the few directives a finding points at.
 */
export function sourceAt(file: string, pos: Pos, directive: string, implicit?: boolean): Source {
  const o = { file, directive, ...(implicit ? { implicit: true } : {}) } as Source;
  Object.defineProperty(o, 'line', { get: () => pos.line, enumerable: true });
  Object.defineProperty(o, 'column', { get: () => pos.column, enumerable: true });
  return o;
}

// ---------------------------------------------------------------- building

export interface BuildOptions {
  services: ServiceFacts[];
}

interface Ctx {
  dfByDir: Map<string, DockerfileDoc>;
  byName: Map<string, ServiceFacts[]>;
  byDir: Map<string, ServiceFacts[]>;
  anyName: ServiceFacts[];
  files: LintFile[];
  dfs: DockerfileDoc[];
  byPath: Map<string, DockerfileDoc>;
  images: Map<string, { df: DockerfileDoc; how: string }>;
  opts: BuildOptions;
  trpcDirs: Set<string>;
}

/** Builds the model of every workload in the files. */
export function buildModel(files: LintFile[], opts: BuildOptions): StopModel {
  const dfs = files.filter((f): f is DockerfileDoc => f.kind === 'dockerfile');
  const byPath = new Map(dfs.map((d) => [norm(d.path), d] as const));
  const images = new Map<string, { df: DockerfileDoc; how: string }>();
  const trpcDirs = new Set(files.filter((f) => f.kind === 'trpc-config').map((f) => norm(dirOf(f.path))));
  const dfByDir = new Map<string, DockerfileDoc>();
  for (const d of dfs) if (!dfByDir.has(norm(dirOf(d.path)))) dfByDir.set(norm(dirOf(d.path)), d);
  // Facts indexed by name, and by directory for those scoped to one.
  const byName = new Map<string, ServiceFacts[]>();
  const byDir = new Map<string, ServiceFacts[]>();
  const anyName: ServiceFacts[] = [];
  for (const s of opts.services) {
    if (s.name === '*') anyName.push(s);
    else byName.set(s.name, [...(byName.get(s.name) ?? []), s]);
    if (s.dir !== undefined) byDir.set(normDir(s), [...(byDir.get(normDir(s)) ?? []), s]);
  }
  const ctx: Ctx = { files, dfs, byPath, images, opts, trpcDirs, dfByDir, byName, byDir, anyName };

  // Links image names → Dockerfiles: compose services that build and name an image,
  // goneat-deploy.yaml's image next to its Dockerfile, io.goneat-deploy labels.
  const composesBuilding: Array<{ name: string; df: DockerfileDoc; file: string }> = [];
  for (const f of files) {
    if (f.kind !== 'compose') continue;
    for (const [name, svc] of Object.entries(f.services)) {
      if (!svc || typeof svc !== 'object') continue;
      const df = builtFrom(f.path, svc, byPath);
      if (!df) continue;
      composesBuilding.push({ name, df, file: f.path });
      if (typeof svc.image === 'string') images.set(repositoryOf(svc.image), { df, how: `compose service "${name}" in ${f.path} builds it from ${df.path}` });
    }
  }
  for (const s of opts.services) {
    if (!s.imageRepository || !s.dir) continue;
    const df = ctx.dfByDir.get(normDir(s)) ?? ctx.dfByDir.get(norm(`${s.dir}/deploy`));
    if (df && !images.has(s.imageRepository)) images.set(s.imageRepository, { df, how: `${s.origin} names it and ${df.path} is its Dockerfile` });
  }
  // Weakest link, said so in messages: an image whose last path segment is the name of a compose service that builds a Dockerfile.
  for (const c of composesBuilding) {
    const key = `*/${c.name}`;
    if (!images.has(key)) images.set(key, { df: c.df, how: `assumed: compose service "${c.name}" in ${c.file} builds ${c.df.path}` });
  }

  const workloads: Workload[] = [];
  const linked = new Set<DockerfileDoc>();
  for (const f of files) {
    if (f.kind === 'compose') workloads.push(...composeWorkloads(ctx, f, linked));
    else if (f.kind === 'k8s') workloads.push(...k8sWorkloads(ctx, f, linked));
    else if (f.kind === 'systemd') {
      const w = systemdWorkload(ctx, f);
      if (w) workloads.push(w);
    } else if (f.kind === 'upstart') workloads.push(upstartWorkload(ctx, f));
  }
  for (const df of dfs) workloads.push(imageWorkload(ctx, df, linked.has(df)));
  return { workloads, images };
}

/** The image a reference names, when its Dockerfile is among the files. */
function imageFor(ctx: Ctx, ref: unknown): { df: DockerfileDoc; how: string } | undefined {
  if (typeof ref !== 'string') return undefined;
  const repo = repositoryOf(ref);
  return ctx.images.get(repo) ?? ctx.images.get(`*/${lastSegment(repo)}`);
}

/** The facts that apply to a workload: by name (goneat-deploy.yaml's service, --drain NAME=), label, image, and directory scope. */
const normDirs = new WeakMap<ServiceFacts, string>();
function normDir(s: ServiceFacts): string {
  let d = normDirs.get(s);
  if (d === undefined) {
    d = norm(s.dir!);
    normDirs.set(s, d);
  }
  return d;
}

function serviceFor(ctx: Ctx, file: string, names: string[], opts: { label?: string; image?: string; generated?: boolean } = {}): WorkloadService | undefined {
  const fileDir = norm(dirOf(file));
  const inScope = (s: ServiceFacts) => {
    if (s.dir === undefined) return true;
    const d = normDir(s);
    return d === '.' || fileDir === d || fileDir.startsWith(`${d}/`);
  };
  const repo = opts.image ? repositoryOf(opts.image) : undefined;
  const candidates = new Set<ServiceFacts>(ctx.anyName);
  for (const n of [...names, ...(opts.label ? [opts.label] : [])]) for (const s of ctx.byName.get(n) ?? []) candidates.add(s);
  if (repo !== undefined) for (const s of ctx.opts.services) if (s.imageRepository === repo) candidates.add(s);
  let matches = [...candidates].filter(inScope);
  // A file goneat-deploy generated belongs to the goneat-deploy.yaml it sits under, whatever it is named.
  if (!matches.length && opts.generated) {
    const scoped: ServiceFacts[] = [];
    for (let d = fileDir; ; d = norm(dirOf(d))) {
      for (const s of ctx.byDir.get(d) ?? []) if (s.goneat) scoped.push(s);
      if (d === '.' || d === '/' || d === dirOf(d)) break;
    }
    if (scoped.length) matches = scoped;
    else if (!opts.label) opts = { ...opts, label: names[0]! };
  }
  // The nearest goneat-deploy.yaml wins; explicit options (no dir) override its numbers.
  matches.sort((a, b) => (b.dir?.length ?? -1) - (a.dir?.length ?? -1));
  // "beside it": in the file's directory, or the project directory above a deploy/ (or k8s/, systemd/...) directory.
  const parent = norm(dirOf(fileDir));
  const trpcBeside = ctx.trpcDirs.has(fileDir) ? fileDir : ctx.trpcDirs.has(parent) && fileDir !== '.' ? parent : undefined;
  if (!matches.length && !opts.label && !trpcBeside) return undefined;
  const name = (matches[0]?.name === '*' ? undefined : matches[0]?.name) ?? opts.label ?? names[0]!;
  const out: WorkloadService = { name, goneat: Boolean(opts.label) || matches.some((m) => m.goneat) };
  for (const m of [...matches].reverse()) {
    if (m.drainMs !== undefined) out.drainMs = m.drainMs;
    if (m.preStopMs !== undefined) out.preStopMs = m.preStopMs;
    if (m.framework === 'trpc-go') out.trpc = `framework: trpc-go in ${m.origin}`;
    out.origin = m.origin;
  }
  if (!out.trpc && trpcBeside !== undefined) out.trpc = `${trpcBeside === '.' ? '' : `${trpcBeside}/`}trpc_go.yaml beside it`;
  if (!out.origin && opts.label) out.origin = `label io.goneat-deploy.service=${opts.label}`;
  return out;
}

function labelsOf(v: unknown): Record<string, string> {
  if (Array.isArray(v)) {
    const out: Record<string, string> = {};
    for (const l of v) {
      const s = String(l);
      const eq = s.indexOf('=');
      if (eq > 0) out[s.slice(0, eq)] = s.slice(eq + 1);
    }
    return out;
  }
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, String(x)]));
  return {};
}

/** argv for a compose entrypoint/command: a list, or a string split into words (compose runs no shell). */
function composeArgv(v: unknown): string[] | undefined {
  if (Array.isArray(v)) return v.map(String);
  if (typeof v === 'string') return shellWords(v.trim()).filter((w) => w !== ';');
  return undefined;
}

function composeWorkloads(ctx: Ctx, c: ComposeDoc, linked: Set<DockerfileDoc>): Workload[] {
  const out: Workload[] = [];
  for (const [name, svc] of Object.entries(c.services)) {
    if (!svc || typeof svc !== 'object') continue;
    const at = c.yaml.keyPos(0, ['services'], name);
    const src = (key: string, directive: string): Source => (sourceAt(c.path, c.yaml.pos(0, ['services', name, key]), directive));
    const labels = labelsOf(svc.labels);
    const w: Workload = { runtime: 'compose', name, label: `compose service "${name}"`, file: c.path, at, deliveries: [], valueIssues: [] };
    const svcFacts = serviceFor(ctx, c.path, [name], { ...(c.generated ? { generated: true } : {}), ...(labels['io.goneat-deploy.service'] ? { label: labels['io.goneat-deploy.service'] } : {}), ...(typeof svc.image === 'string' ? { image: svc.image } : {}) });
    if (svcFacts) w.service = svcFacts;

    // PID 1: image ENTRYPOINT/CMD, then compose entrypoint/command/init.
    const built = builtFrom(c.path, svc, ctx.byPath);
    const link = built ? { df: built, how: `build: ${c.path}` } : imageFor(ctx, svc.image);
    if (link) linked.add(link.df);
    const img = link ? imageConfig(link.df) : undefined;
    const pid1: Pid1 = {};
    if (link) {
      pid1.image = link.df;
      pid1.imageLink = link.how;
    }
    const entry = composeArgv(svc.entrypoint);
    const command = composeArgv(svc.command);
    let argv: string[] | undefined;
    if (entry !== undefined) {
      argv = [...entry, ...(command ?? [])];
      pid1.source = src('entrypoint', `entrypoint: ${JSON.stringify(entry)}`);
      if (img?.entrypoint && isInit(img.entrypoint[0]) && !isInit(entry[0])) pid1.replacedInit = { argv0: img.entrypoint[0]!, source: sourceAt(link!.df.path, img.entrypointAt!, `ENTRYPOINT ${JSON.stringify(img.entrypoint)}`) };
    } else if (img) {
      const cmd = command ?? img.cmd ?? [];
      argv = [...(img.entrypoint ?? []), ...cmd];
      if (img.entrypoint) pid1.source = sourceAt(link!.df.path, img.entrypointAt!, `ENTRYPOINT ${JSON.stringify(img.entrypoint)}`);
      else if (command) pid1.source = src('command', `command: ${JSON.stringify(command)}`);
      else if (img.cmdAt) pid1.source = sourceAt(link!.df.path, img.cmdAt, `CMD ${JSON.stringify(img.cmd)}`);
    }
    if (argv && argv.length) pid1.argv = argv;
    if (svc.init !== undefined && yamlTrue(svc.init)) pid1.runtimeInit = { name: 'docker-init (tini)', source: src('init', 'init: true') };
    w.pid1 = pid1;

    // Stop: stop_signal, else the image's STOPSIGNAL, else SIGTERM; SIGKILL after stop_grace_period (default 10s).
    let signal = 'SIGTERM';
    let sigSrc: Source = sourceAt(c.path, at, 'default stop signal SIGTERM', true);
    if (svc.stop_signal !== undefined) {
      const s = dockerSignal(svc.stop_signal);
      sigSrc = src('stop_signal', `stop_signal: ${shownAt(c, [name, 'stop_signal'], svc.stop_signal)}`);
      if (s) signal = s;
      // A stop signal from a variable without a default (compose-spec interpolation): unknown, not wrong.
      else if (!unknownAt(c, [name, 'stop_signal'])) w.valueIssues.push({ source: sigSrc, message: `stop_signal ${shownAt(c, [name, 'stop_signal'], JSON.stringify(svc.stop_signal))} is not a signal: docker refuses to create the container` });
    } else if (img?.stopSignal) {
      const s = dockerSignal(img.stopSignal.value);
      sigSrc = sourceAt(link!.df.path, img.stopSignal.at, `STOPSIGNAL ${img.stopSignal.value}`);
      if (s) signal = s;
    }
    w.deliveries.push({ signal, event: 'stop', source: sigSrc, order: 0, stopSignal: true });
    const grace = svc.stop_grace_period;
    const ms = grace === undefined ? 10_000 : composeDuration(grace);
    if (ms !== undefined) w.stopTimeout = { ms, source: grace === undefined ? sourceAt(c.path, at, 'the default stop_grace_period of 10s', true) : src('stop_grace_period', `stop_grace_period ${shownAt(c, [name, 'stop_grace_period'], grace)}`) };
    out.push(w);
  }
  return out;
}

const POD_PATHS: Record<string, string[]> = {
  Pod: ['spec'],
  Deployment: ['spec', 'template', 'spec'],
  StatefulSet: ['spec', 'template', 'spec'],
  DaemonSet: ['spec', 'template', 'spec'],
  ReplicaSet: ['spec', 'template', 'spec'],
  ReplicationController: ['spec', 'template', 'spec'],
  Job: ['spec', 'template', 'spec'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
};

function k8sWorkloads(ctx: Ctx, doc: K8sDoc, linked: Set<DockerfileDoc>): Workload[] {
  const out: Workload[] = [];
  for (const { index, value } of doc.objects) {
    const kind = String(value.kind);
    const p = POD_PATHS[kind];
    if (!p) continue;
    const spec = p.reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), value) as Record<string, unknown> | undefined;
    if (!spec || typeof spec !== 'object') continue;
    const objName = String((value.metadata as { name?: string } | undefined)?.name ?? '');
    const podLabels = labelsOf(((p.length > 1 ? (value.spec as Record<string, unknown>)?.template ?? (value.spec as Record<string, unknown>)?.jobTemplate : value) as { metadata?: { labels?: unknown } } | undefined)?.metadata?.labels);
    const objLabels = labelsOf((value.metadata as { labels?: unknown } | undefined)?.labels);
    const managed = (objLabels['app.kubernetes.io/managed-by'] ?? podLabels['app.kubernetes.io/managed-by']) === 'goneat-deploy' ? (objLabels['app.kubernetes.io/name'] ?? podLabels['app.kubernetes.io/name']) : undefined;

    // Grace period: a k8s integer, default 30.
    const rawGrace = spec.terminationGracePeriodSeconds;
    let graceS = 30;
    let graceSrc: Source = sourceAt(doc.path, doc.yaml.pos(index, p), 'the default terminationGracePeriodSeconds of 30', true);
    const issues: ValueIssue[] = [];
    if (rawGrace !== undefined && rawGrace !== null) {
      graceSrc = sourceAt(doc.path, doc.yaml.pos(index, [...p, 'terminationGracePeriodSeconds']), `terminationGracePeriodSeconds ${JSON.stringify(rawGrace)}`);
      const n = k8sInteger(rawGrace);
      if (n === undefined || n < 0) issues.push({ source: graceSrc, message: `terminationGracePeriodSeconds ${JSON.stringify(rawGrace)} is not a non-negative integer: the API server rejects the object` });
      else graceS = n;
    }
    const sharedPid = yamlTrue(spec.shareProcessNamespace);
    const containers = Array.isArray(spec.containers) ? (spec.containers as Array<Record<string, unknown>>) : [];
    containers.forEach((c, i) => {
      if (!c || typeof c !== 'object') return;
      const cname = String(c.name ?? i);
      const cp = [...p, 'containers', i];
      const src = (keys: Array<string | number>, directive: string): Source => (sourceAt(doc.path, doc.yaml.pos(index, [...cp, ...keys]), directive));
      const w: Workload = { runtime: 'k8s', name: cname, label: `${kind} "${objName}" container "${cname}"`, file: doc.path, at: doc.yaml.pos(index, cp), deliveries: [], valueIssues: [...issues] };
      const facts = serviceFor(ctx, doc.path, [cname, objName], { ...(doc.generated ? { generated: true } : {}), ...(managed ? { label: managed } : {}), ...(typeof c.image === 'string' ? { image: c.image } : {}) });
      if (facts) w.service = facts;

      const link = imageFor(ctx, c.image);
      if (link) linked.add(link.df);
      const img = link ? imageConfig(link.df) : undefined;
      const pid1: Pid1 = {};
      if (link) {
        pid1.image = link.df;
        pid1.imageLink = link.how;
      }
      const command = Array.isArray(c.command) ? c.command.map(String) : undefined;
      const args = Array.isArray(c.args) ? c.args.map(String) : undefined;
      if (command) {
        pid1.argv = [...command, ...(args ?? [])];
        pid1.source = src(['command'], `command: ${JSON.stringify(command)}`);
        if (img?.entrypoint && isInit(img.entrypoint[0]) && !isInit(command[0])) pid1.replacedInit = { argv0: img.entrypoint[0]!, source: sourceAt(link!.df.path, img.entrypointAt!, `ENTRYPOINT ${JSON.stringify(img.entrypoint)}`) };
      } else if (img) {
        const argv = [...(img.entrypoint ?? []), ...(args ?? img.cmd ?? [])];
        if (argv.length) pid1.argv = argv;
        if (img.entrypoint) pid1.source = sourceAt(link!.df.path, img.entrypointAt!, `ENTRYPOINT ${JSON.stringify(img.entrypoint)}`);
        else if (img.cmdAt) pid1.source = sourceAt(link!.df.path, img.cmdAt, `CMD ${JSON.stringify(img.cmd)}`);
      }
      if (sharedPid) pid1.runtimeInit = { name: 'the pod\'s pause process (shareProcessNamespace)', source: sourceAt(doc.path, doc.yaml.pos(index, [...p, 'shareProcessNamespace']), 'shareProcessNamespace: true') };
      w.pid1 = pid1;

      // preStop: sleep action, exec (sleep through any shell), httpGet (as long as the endpoint takes, at most the grace period).
      const lc = (c.lifecycle ?? {}) as { preStop?: Record<string, unknown>; stopSignal?: unknown };
      if (lc.preStop && typeof lc.preStop === 'object') {
        const ps = lc.preStop;
        const psSrc = src(['lifecycle', 'preStop'], 'lifecycle.preStop');
        if (ps.sleep && typeof ps.sleep === 'object') {
          const raw = (ps.sleep as { seconds?: unknown }).seconds;
          const n = k8sInteger(raw);
          const s = src(['lifecycle', 'preStop', 'sleep', 'seconds'], `preStop sleep ${JSON.stringify(raw)}s`);
          if (n === undefined) w.valueIssues.push({ source: s, message: `preStop sleep.seconds ${JSON.stringify(raw)} is not an integer: the API server rejects the object` });
          w.preStop = { form: 'sleep', source: sourceAt(psSrc.file, psSrc, `preStop sleep ${n ?? '?'}s`), ...(n !== undefined ? { seconds: n } : {}) };
        } else if (ps.exec && typeof ps.exec === 'object') {
          const cmd = Array.isArray((ps.exec as { command?: unknown }).command) ? ((ps.exec as { command: unknown[] }).command.map(String)) : [];
          const seconds = execSleepSeconds(cmd);
          w.preStop = { form: 'exec', source: sourceAt(psSrc.file, psSrc, `preStop exec ${JSON.stringify(cmd)}`), ...(seconds !== undefined ? { seconds } : {}), ...(cmd[0] ? { argv0: cmd[0] } : {}) };
          // An exec hook that signals the service sends the first signal.
          let order = 0;
          for (const k of commandsOf(cmd).map(killCommand)) if (k) w.deliveries.push({ signal: k.signal, event: 'stop', source: sourceAt(psSrc.file, psSrc, `preStop exec ${JSON.stringify(cmd)} (${k.tool} ${k.signal})`), order: order++ });
        } else if (ps.httpGet) w.preStop = { form: 'httpGet', source: sourceAt(psSrc.file, psSrc, 'preStop httpGet') };
        else w.preStop = { form: 'other', source: psSrc };
      }
      const preStopS = w.preStop?.seconds ?? 0;
      w.grace = { ms: graceS * 1000, source: graceSrc };
      // The kubelet sends the stop signal after preStop and SIGKILLs at the end of the grace period, giving at least 2s.
      w.stopTimeout = { ms: Math.max(graceS - preStopS, 2) * 1000, source: graceSrc };

      let signal = 'SIGTERM';
      let sigSrc: Source = sourceAt(doc.path, w.at, 'default stop signal SIGTERM', true);
      if (lc.stopSignal !== undefined) {
        sigSrc = src(['lifecycle', 'stopSignal'], `lifecycle.stopSignal ${String(lc.stopSignal)}`);
        const s = typeof lc.stopSignal === 'string' && /^SIG[A-Z0-9+-]+$/.test(lc.stopSignal) ? dockerSignal(lc.stopSignal) : undefined;
        if (s) signal = s;
        else w.valueIssues.push({ source: sigSrc, message: `lifecycle.stopSignal ${JSON.stringify(lc.stopSignal)} is not a signal name like "SIGTERM": the API server rejects the object` });
      } else if (img?.stopSignal) {
        const s = dockerSignal(img.stopSignal.value);
        sigSrc = sourceAt(link!.df.path, img.stopSignal.at, `STOPSIGNAL ${img.stopSignal.value}`);
        if (s) signal = s;
      }
      w.deliveries.push({ signal, event: 'stop', source: sigSrc, order: w.deliveries.filter((d) => d.event === 'stop').length, stopSignal: true });
      out.push(w);
    });
  }
  return out;
}

/** Seconds an exec preStop hook sleeps: `sleep N[smhd]...` run directly or in a shell script; `<binary> -sleep 3s` (goneat-deploy's preStopExec). */
export function execSleepSeconds(cmd: string[]): number | undefined {
  let total: number | undefined;
  for (const c of commandsOf(cmd)) {
    const b = c[0]?.split('/').pop();
    let s: number | undefined;
    if (b === 'sleep') s = sleepSeconds(c.slice(1));
    else {
      const i = c.findIndex((a) => a === '-sleep' || a === '--sleep');
      if (i >= 0 && c[i + 1]) s = sleepSeconds([c[i + 1]!]);
    }
    if (s !== undefined) total = (total ?? 0) + s;
  }
  return total;
}

// ---------------------------------------------------------------- systemd

function last(entries: IniEntry[], key: string): IniEntry | undefined {
  for (let i = entries.length - 1; i >= 0; i--) if (entries[i]!.key === key) return entries[i];
  return undefined;
}

/** A list setting (ExecStop=, ExecReload=): every assignment, an empty one resets the list (systemd.service(5)). */
function list(entries: IniEntry[], key: string): IniEntry[] {
  let out: IniEntry[] = [];
  for (const e of entries) {
    if (e.key !== key) continue;
    if (e.value === '') out = [];
    else out.push(e);
  }
  return out;
}

const entrySrc = (u: SystemdDoc, e: IniEntry): Source => ({ file: u.path, line: e.line, column: e.column, directive: `${e.key}=${e.value}` });

function systemdWorkload(ctx: Ctx, u: SystemdDoc): Workload | undefined {
  const svc = u.entries.filter((e) => e.section === 'Service');
  if (!svc.length && !u.entries.some((e) => e.section === '')) return undefined;
  const unitAt = { line: 1, column: 1 };
  const w: Workload = { runtime: 'systemd', name: u.unit, label: `unit ${u.unit}.service`, file: u.path, at: svc[0] ?? unitAt, deliveries: [], valueIssues: [] };
  const names = [u.unit, u.unit.replace(/-container$/, '')];
  const facts = serviceFor(ctx, u.path, names, u.generated ? { generated: true } : {});
  if (facts) w.service = facts;
  const implicit = (directive: string): Source => (sourceAt(u.path, (svc[0] ?? unitAt), directive, true));

  const sig = (key: string, dflt: string): { signal: string; source: Source } => {
    const e = last(svc, key);
    if (!e) return { signal: dflt, source: implicit(`default ${key}=${dflt}`) };
    const s = systemdSignal(e.value);
    if (!s) {
      w.valueIssues.push({ source: entrySrc(u, e), message: `${key}=${e.value}: systemd cannot parse this signal and ignores the line ("Failed to parse signal name, ignoring"); the default ${dflt} applies` });
      return { signal: dflt, source: implicit(`default ${key}=${dflt} (the line is ignored)`) };
    }
    return { signal: s, source: entrySrc(u, e) };
  };

  // A unit that runs `docker run`: the container gets the docker stop signal, not KillSignal=.
  const execStart = last(svc, 'ExecStart');
  const startArgv = execStart ? splitSystemdCommand(execStart.value).argv : [];
  const dockerRun = /(^|\/)(docker|podman)$/.test(startArgv[0] ?? '') && startArgv[1] === 'run';
  if (dockerRun) w.dockerRun = true;

  let order = 0;
  const execStops = list(svc, 'ExecStop');
  for (const e of execStops) {
    const argv = splitSystemdCommand(e.value).argv;
    for (const cmd of commandsOf(argv)) {
      const k = killCommand(cmd);
      if (k) {
        if (k.unknown !== undefined) w.valueIssues.push({ source: entrySrc(u, e), message: `ExecStop=: ${k.tool} ${k.unknown}: not a signal kill(1) knows; the command fails and systemd goes on to KillSignal=` });
        else w.deliveries.push({ signal: k.signal, event: 'stop', source: entrySrc(u, e), order: order++ });
      } else if (dockerRun && /(^|\/)(docker|podman)$/.test(cmd[0] ?? '') && cmd[1] === 'stop') {
        const t = dockerStopTime(cmd, startArgv);
        const stopSig = dockerRunStopSignal(startArgv);
        w.deliveries.push({ signal: stopSig, event: 'stop', source: entrySrc(u, e), order: order++, stopSignal: true });
        if (t !== undefined) w.stopTimeout = { ms: t, source: entrySrc(u, e) };
      }
    }
  }
  const kill = sig('KillSignal', 'SIGTERM');
  if (!dockerRun) w.deliveries.push({ signal: kill.signal, event: 'stop', source: kill.source, order: order++, stopSignal: true });
  const sendHup = last(svc, 'SendSIGHUP');
  if (sendHup && /^(1|yes|y|true|t|on)$/i.test(sendHup.value)) w.deliveries.push({ signal: 'SIGHUP', event: 'hangup', source: entrySrc(u, sendHup), order: order++ });
  const sendKill = last(svc, 'SendSIGKILL');
  const noKill = sendKill !== undefined && /^(0|no|n|false|f|off)$/i.test(sendKill.value);
  if (!noKill) {
    const fin = sig('FinalKillSignal', 'SIGKILL');
    w.deliveries.push({ signal: fin.signal, event: 'final', source: fin.source, order: 99 });
  }
  const restart = last(svc, 'RestartKillSignal');
  if (restart) {
    const r = sig('RestartKillSignal', kill.signal);
    w.deliveries.push({ signal: r.signal, event: 'restart', source: r.source, order: 0, stopSignal: true });
  }
  for (const e of list(svc, 'ExecReload')) {
    for (const cmd of commandsOf(splitSystemdCommand(e.value).argv)) {
      const k = killCommand(cmd);
      if (k && k.unknown === undefined) w.deliveries.push({ signal: k.signal, event: 'reload', source: entrySrc(u, e), order: 0 });
    }
  }
  const type = last(svc, 'Type');
  if (type?.value === 'notify-reload') {
    const r = sig('ReloadSignal', 'SIGHUP');
    w.deliveries.push({ signal: r.signal, event: 'reload', source: last(svc, 'ReloadSignal') ? r.source : sourceAt(u.path, type, 'Type=notify-reload (default ReloadSignal=SIGHUP)'), order: 0 });
  }

  // Time to SIGKILL: TimeoutStopSec= (or TimeoutSec=, whichever comes last), parse_sec_fix_0; default 90s.
  if (!w.stopTimeout) {
    let t: StopTime = { ms: 90_000, source: implicit('the default TimeoutStopSec of 90s (DefaultTimeoutStopSec=)') };
    for (const e of svc) {
      if (e.key !== 'TimeoutStopSec' && e.key !== 'TimeoutSec') continue;
      const ms = systemdTimeoutSpan(e.value);
      if (ms === undefined) {
        w.valueIssues.push({ source: entrySrc(u, e), message: `${e.key}=${e.value}: systemd cannot parse this time span and ignores the line ("Failed to parse ${e.key}= parameter, ignoring"); ${t.source.implicit ? 'the default of 90s' : `the earlier ${t.source.directive}`} applies (systemd.time(7): e.g. "90", "90s", "1min 30s", "infinity")` });
        continue;
      }
      t = { ms, source: entrySrc(u, e) };
    }
    if (noKill) t = { ms: Number.POSITIVE_INFINITY, source: entrySrc(u, sendKill!) };
    w.stopTimeout = t;
  }
  return w;
}

/** `docker stop --time N` / `-t N` (seconds), else `docker run --stop-timeout N`, else 10s (docker's default). */
function dockerStopTime(stop: string[], run: string[]): number | undefined {
  const opt = (argv: string[], names: string[]): string | undefined => {
    for (let i = 0; i < argv.length; i++) {
      const a = argv[i]!;
      for (const n of names) {
        if (a === n) return argv[i + 1];
        if (a.startsWith(`${n}=`)) return a.slice(n.length + 1);
      }
    }
    return undefined;
  };
  const v = opt(stop, ['--time', '-t', '--timeout']) ?? opt(run, ['--stop-timeout']);
  if (v === undefined) return 10_000;
  return /^\d+$/.test(v) ? Number(v) * 1000 : undefined;
}

function dockerRunStopSignal(run: string[]): string {
  for (let i = 0; i < run.length; i++) {
    const a = run[i]!;
    if (a === '--stop-signal') return dockerSignal(run[i + 1]) ?? 'SIGTERM';
    if (a.startsWith('--stop-signal=')) return dockerSignal(a.slice(14)) ?? 'SIGTERM';
  }
  return 'SIGTERM';
}

// ---------------------------------------------------------------- upstart

function lastStanza(u: UpstartDoc, keyword: string, sub?: string): Stanza | undefined {
  for (let i = u.stanzas.length - 1; i >= 0; i--) {
    const s = u.stanzas[i]!;
    if (s.keyword === keyword && (sub === undefined || s.args.split(/\s+/)[0] === sub)) return s;
  }
  return undefined;
}

function upstartWorkload(ctx: Ctx, u: UpstartDoc): Workload {
  const main = lastStanza(u, 'exec') ?? lastStanza(u, 'script');
  const at = main ?? u.stanzas[0] ?? { line: 1, column: 1 };
  const w: Workload = { runtime: 'upstart', name: u.job, label: `upstart job ${u.job}`, file: u.path, at, deliveries: [], valueIssues: [] };
  const facts = serviceFor(ctx, u.path, [u.job], u.generated ? { generated: true } : {});
  if (facts) w.service = facts;
  const src = (s: Stanza): Source => ({ file: u.path, line: s.line, column: s.column, directive: `${s.keyword} ${s.args}`.trim() });
  const implicit = (directive: string): Source => (sourceAt(u.path, at, directive, true));
  const sig = (sub: 'kill' | 'reload', dflt: string): { signal: string; source: Source } => {
    const s = lastStanza(u, sub, 'signal');
    if (!s) return { signal: dflt, source: implicit(`no \`${sub} signal\` stanza: upstart's default ${dflt}`) };
    const v = s.args.replace(/^signal\s+/, '');
    const parsed = upstartSignal(v);
    if (!parsed) {
      w.valueIssues.push({ source: src(s), message: `${sub} signal ${v}: not a signal upstart knows; upstart refuses to load the job` });
      return { signal: dflt, source: src(s) };
    }
    return { signal: parsed, source: src(s) };
  };
  let order = 0;
  const preStop = u.stanzas.filter((s) => s.keyword === 'pre-stop');
  for (const s of preStop) {
    const script = s.script ?? s.args.replace(/^exec\s+/, '');
    const argv = s.script !== undefined ? ['sh', '-c', script] : shellWords(script);
    for (const k of commandsOf(argv).map(killCommand)) if (k && k.unknown === undefined) w.deliveries.push({ signal: k.signal, event: 'stop', source: src(s), order: order++ });
  }
  const kill = sig('kill', 'SIGTERM');
  w.deliveries.push({ signal: kill.signal, event: 'stop', source: kill.source, order: order++, stopSignal: true });
  w.deliveries.push({ signal: 'SIGKILL', event: 'final', source: implicit('SIGKILL after kill timeout'), order: 99 });
  const reload = sig('reload', 'SIGHUP');
  w.deliveries.push({ signal: reload.signal, event: 'reload', source: reload.source, order: 0 });

  const kt = lastStanza(u, 'kill', 'timeout');
  if (kt) {
    const v = kt.args.replace(/^timeout\s+/, '');
    const ms = upstartInterval(v);
    if (ms === undefined) {
      w.valueIssues.push({ source: src(kt), message: `kill timeout ${v}: not a whole number of seconds; upstart refuses to load the job ("Illegal interval")` });
      w.stopTimeout = { ms: 5000, source: src(kt) };
    } else w.stopTimeout = { ms, source: src(kt) };
  } else w.stopTimeout = { ms: 5000, source: implicit("no `kill timeout` stanza: upstart's default 5s") };
  return w;
}

// ---------------------------------------------------------------- Dockerfile images

function imageWorkload(ctx: Ctx, df: DockerfileDoc, linked: boolean): Workload {
  const img = imageConfig(df);
  const at = img.entrypointAt ?? img.cmdAt ?? df.final[0] ?? { line: 1, column: 1 };
  const w: Workload = { runtime: 'image', name: df.path, label: `image of ${df.path}`, file: df.path, at, deliveries: [], valueIssues: [] };
  const label = img.labels['io.goneat-deploy.service'];
  // The Dockerfile of a goneat-deploy.yaml (in its directory or its deploy/) is that service's image.
  const dfDir = norm(dirOf(df.path));
  const own = [...(ctx.byDir.get(dfDir) ?? []), ...(dfDir.endsWith('/deploy') || dfDir === 'deploy' ? (ctx.byDir.get(norm(dirOf(dfDir))) ?? []) : [])].map((s) => s.name);
  const facts = serviceFor(ctx, df.path, [...(label ? [label] : []), ...own], { ...(label ? { label } : {}), ...(df.generated ? { generated: true } : {}) });
  if (facts) w.service = facts;
  const argv = [...(img.entrypoint ?? []), ...(img.cmd ?? [])];
  const pid1: Pid1 = { image: df };
  if (argv.length) pid1.argv = argv;
  if (img.entrypointAt) pid1.source = sourceAt(df.path, img.entrypointAt, `ENTRYPOINT ${JSON.stringify(img.entrypoint)}`);
  else if (img.cmdAt) pid1.source = sourceAt(df.path, img.cmdAt, `CMD ${JSON.stringify(img.cmd)}`);
  w.pid1 = pid1;
  if (img.stopSignal) {
    const s = dockerSignal(img.stopSignal.value);
    const source = sourceAt(df.path, img.stopSignal.at, `STOPSIGNAL ${img.stopSignal.value}`);
    if (s) w.deliveries.push({ signal: s, event: 'stop', source, order: 0, stopSignal: true });
    else w.valueIssues.push({ source, message: `STOPSIGNAL ${img.stopSignal.value} is not a signal: the build fails` });
  }
  // An image linked to a compose service or a pod is judged there, with its runtime settings.
  if (linked) w.linked = true;
  return w;
}

/** Whether a Dockerfile's image is run by a compose service or a pod among the files (then its PID 1 is judged there). */
export function isLinkedImage(w: Workload): boolean {
  return w.linked === true;
}

/** "60s", "no limit". */
export { fmtMs };

/** The first signal the service gets when stopped. */
export function firstStopSignal(w: Workload): Delivery | undefined {
  return w.deliveries.filter((d) => d.event === 'stop').sort((a, b) => a.order - b.order)[0];
}

/** The runtime's own stop signal (KillSignal=, stop_signal, STOPSIGNAL, kill signal, lifecycle.stopSignal). */
export function stopSignalOf(w: Workload): Delivery | undefined {
  return w.deliveries.find((d) => d.event === 'stop' && d.stopSignal);
}
