/**
 * The local Kubernetes cluster of scripts/k8s.sh, for end-to-end tests:
 * bringing it up (and down again when the test started it), kubectl with its
 * admin kubeconfig, a watch on pods through the API that keeps what the
 * kubelet reported about each pod (also after the pod is gone), and log
 * followers (`kubectl logs -f --timestamps`).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { parse } from 'yaml';
import { ROOT } from './cli.js';
import { exec, type ExecResult } from './exec.js';

export const K8S_SCRIPT = path.join(ROOT, 'scripts', 'k8s.sh');

/**
 * Why the cluster cannot run on this machine, or undefined when it can.
 * GONEAT_K8S=0 skips on purpose; otherwise `scripts/k8s.sh check` decides
 * (root, containerd, runc, CNI plugins, overlayfs, cgroups). With
 * GONEAT_K8S=1 the cluster must run: a reason is thrown, not returned.
 */
export function whyNoK8s(): string | undefined {
  if (process.env.GONEAT_K8S === '0') return 'GONEAT_K8S=0';
  const r = spawnSync('bash', [K8S_SCRIPT, 'check'], { encoding: 'utf8' });
  if (r.status === 0) return undefined;
  const why = (r.stdout || r.stderr).trim() || `scripts/k8s.sh check exited ${r.status}`;
  if (process.env.GONEAT_K8S === '1') throw new Error(`GONEAT_K8S=1 but the local Kubernetes cluster cannot run here: ${why}`);
  return why;
}

export interface Cluster {
  kube: Kube;
  /** Whether this call started the cluster (then `down` removes it). */
  started: boolean;
  down: () => Promise<void>;
  /** How long `up` took, in ms. */
  upMs: number;
}

/** `scripts/k8s.sh up` (builds first when needed: allow for it in the hook timeout). */
export async function clusterUp(timeoutMs: number): Promise<Cluster> {
  const wasUp = (await exec('bash', [K8S_SCRIPT, 'status'])).code === 0;
  const t0 = performance.now();
  const up = await exec('bash', [K8S_SCRIPT, 'up'], { timeoutMs });
  const upMs = performance.now() - t0;
  if (up.code !== 0) throw new Error(`scripts/k8s.sh up exited ${up.code}:\n${up.stderr.trim().split('\n').slice(-25).join('\n')}`);
  const kubeconfig = up.stdout.trim().split('\n').pop()!;
  const started = !wasUp && process.env.GONEAT_K8S_KEEP !== '1';
  return {
    kube: new Kube(kubeconfig),
    started,
    upMs,
    down: async () => {
      if (!started) return;
      const d = await exec('bash', [K8S_SCRIPT, 'down'], { timeoutMs: 300_000 });
      if (d.code !== 0) throw new Error(`scripts/k8s.sh down exited ${d.code}: ${d.stderr}`);
    },
  };
}

export async function loadImage(image: string): Promise<void> {
  const r = await exec('bash', [K8S_SCRIPT, 'load', image], { timeoutMs: 300_000 });
  if (r.code !== 0) throw new Error(`scripts/k8s.sh load ${image} exited ${r.code}: ${r.stderr}`);
}

interface KubeconfigFile {
  clusters: Array<{ cluster: { server: string; 'certificate-authority': string } }>;
  users: Array<{ user: { 'client-certificate': string; 'client-key': string } }>;
}

/** kubectl (the cluster's own build, next to the kubeconfig) and raw API access with the same credentials. */
export class Kube {
  readonly kubectlPath: string;
  private readonly server: URL;
  private readonly tls: { ca: Buffer; cert: Buffer; key: Buffer };

  constructor(readonly kubeconfig: string) {
    this.kubectlPath = path.join(path.dirname(kubeconfig), 'bin', 'kubectl');
    const c = parse(readFileSync(kubeconfig, 'utf8')) as KubeconfigFile;
    this.server = new URL(c.clusters[0]!.cluster.server);
    const u = c.users[0]!.user;
    this.tls = { ca: readFileSync(c.clusters[0]!.cluster['certificate-authority']), cert: readFileSync(u['client-certificate']), key: readFileSync(u['client-key']) };
  }

  kubectl(args: string[], input?: string, timeoutMs = 120_000): Promise<ExecResult> {
    return exec(this.kubectlPath, ['--kubeconfig', this.kubeconfig, ...args], { timeoutMs, ...(input !== undefined ? { input } : {}) });
  }

  /** kubectl that must succeed; its stdout. */
  async run(args: string[], input?: string, timeoutMs?: number): Promise<string> {
    const r = await this.kubectl(args, input, timeoutMs);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} exited ${r.code}: ${r.stderr.trim()}`);
    return r.stdout;
  }

  async json<T = Record<string, unknown>>(args: string[]): Promise<T> {
    return JSON.parse(await this.run([...args, '-o', 'json'])) as T;
  }

  /** One API request with the admin certificate: the status and the body. */
  call(method: string, pathAndQuery: string, body?: unknown): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const req = https.request(
        { method, host: this.server.hostname, port: this.server.port, path: pathAndQuery, ...this.tls, headers: { accept: 'application/json', 'content-type': 'application/json' } },
        (res) => {
          let text = '';
          res.on('data', (d: Buffer) => (text += d.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body === undefined ? undefined : JSON.stringify(body));
    });
  }

  /** GET on the API with the admin certificate; `onLine` gets each line of a streamed (watch) answer. */
  stream(pathAndQuery: string, onLine: (line: string) => void): { done: Promise<void>; close: () => void } {
    let req: ReturnType<typeof https.get> | undefined;
    const done = new Promise<void>((resolve, reject) => {
      req = https.get({ host: this.server.hostname, port: this.server.port, path: pathAndQuery, ...this.tls, headers: { accept: 'application/json' } }, (res) => {
        if (res.statusCode !== 200) {
          reject(new Error(`GET ${pathAndQuery}: ${res.statusCode}`));
          res.resume();
          return;
        }
        let buf = '';
        res.on('data', (d: Buffer) => {
          buf += d.toString();
          let i;
          while ((i = buf.indexOf('\n')) >= 0) {
            const line = buf.slice(0, i);
            buf = buf.slice(i + 1);
            if (line.trim()) onLine(line);
          }
        });
        res.on('end', () => resolve());
        res.on('error', reject);
      });
      req.on('error', (err) => ((err as NodeJS.ErrnoException).code === 'ECONNRESET' ? resolve() : reject(err)));
    });
    return { done, close: () => req?.destroy() };
  }
}

interface ContainerStatus {
  name: string;
  ready: boolean;
  started?: boolean;
  restartCount: number;
  state: { running?: { startedAt: string }; terminated?: { exitCode: number; reason?: string; startedAt?: string; finishedAt?: string } };
}

export interface PodObject {
  metadata: { name: string; uid: string; resourceVersion: string; deletionTimestamp?: string; labels?: Record<string, string>; ownerReferences?: Array<{ name: string }> };
  spec: Record<string, unknown>;
  status: { phase?: string; podIP?: string; conditions?: Array<{ type: string; status: string }>; containerStatuses?: ContainerStatus[] };
}

/** What the API said about one pod over its life; times are Date.now() when the watch saw it. */
export interface PodRecord {
  name: string;
  uid: string;
  /** ReplicaSet that owns it. */
  owner?: string;
  podIP?: string;
  seenAt: number;
  runningAt?: number;
  readyAt?: number;
  /** When the watch first saw deletionTimestamp. */
  terminatingAt?: number;
  /** The container's last terminated state, as the kubelet reported it, and when the watch first saw it. */
  terminated?: { exitCode: number; reason?: string };
  terminatedAt?: number;
  goneAt?: number;
  last: PodObject;
}

/**
 * A watch on the pods of a namespace (GET …/pods?watch=1). Keeps a record of
 * every pod it saw, including the exit code the kubelet reported before it
 * deleted a terminated pod, which `kubectl get` can no longer show.
 */
export class PodWatch {
  readonly pods = new Map<string, PodRecord>();
  private closer: (() => void) | undefined;
  private stopped = false;
  private resourceVersion = '';
  private readonly listeners: Array<(r: PodRecord, type: string) => void> = [];

  constructor(
    private readonly kube: Kube,
    private readonly namespace: string,
    private readonly container: string,
  ) {}

  onChange(fn: (r: PodRecord, type: string) => void): void {
    this.listeners.push(fn);
  }

  start(): void {
    const loop = async () => {
      while (!this.stopped) {
        const q = `/api/v1/namespaces/${this.namespace}/pods?watch=1${this.resourceVersion ? `&resourceVersion=${this.resourceVersion}` : ''}`;
        const s = this.kube.stream(q, (line) => this.event(JSON.parse(line) as { type: string; object: PodObject }));
        this.closer = s.close;
        await s.done.catch(() => new Promise((r) => setTimeout(r, 200)));
      }
    };
    void loop();
  }

  stop(): void {
    this.stopped = true;
    this.closer?.();
  }

  private event(e: { type: string; object: PodObject }): void {
    if (e.type === 'ERROR') {
      this.resourceVersion = ''; // expired: start over (records are kept)
      return;
    }
    const p = e.object;
    this.resourceVersion = p.metadata.resourceVersion;
    const now = Date.now();
    let r = this.pods.get(p.metadata.uid);
    if (!r) {
      r = { name: p.metadata.name, uid: p.metadata.uid, ...(p.metadata.ownerReferences?.[0] ? { owner: p.metadata.ownerReferences[0].name } : {}), seenAt: now, last: p };
      this.pods.set(p.metadata.uid, r);
    }
    r.last = p;
    if (p.status.podIP) r.podIP = p.status.podIP;
    const c = p.status.containerStatuses?.find((s) => s.name === this.container);
    if (c?.state.running && r.runningAt === undefined) r.runningAt = now;
    if (p.status.conditions?.some((x) => x.type === 'Ready' && x.status === 'True') && r.readyAt === undefined) r.readyAt = now;
    if (p.metadata.deletionTimestamp && r.terminatingAt === undefined) r.terminatingAt = now;
    if (c?.state.terminated) {
      r.terminated = { exitCode: c.state.terminated.exitCode, ...(c.state.terminated.reason ? { reason: c.state.terminated.reason } : {}) };
      r.terminatedAt ??= now;
    }
    if (e.type === 'DELETED') r.goneAt = now;
    for (const l of this.listeners) l(r, e.type);
  }

  byName(name: string): PodRecord | undefined {
    return [...this.pods.values()].find((r) => r.name === name);
  }
}

/** One line of `kubectl logs --timestamps`: the runtime's receive time (ms since the epoch) and the text. */
export interface LogLine {
  at: number;
  text: string;
}

/** `kubectl logs -f --timestamps` of a pod's container until the container ends. */
export function followLogs(kube: Kube, namespace: string, pod: string, container: string): { lines: LogLine[]; done: Promise<void>; proc: ChildProcess } {
  const lines: LogLine[] = [];
  const proc = spawn(kube.kubectlPath, ['--kubeconfig', kube.kubeconfig, 'logs', '-f', '--timestamps', '-n', namespace, pod, '-c', container], { stdio: ['ignore', 'pipe', 'pipe'] });
  let buf = '';
  proc.stdout.on('data', (d: Buffer) => {
    buf += d.toString();
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      const m = /^(\S+) (.*)$/.exec(line);
      if (m) lines.push({ at: Date.parse(m[1]!), text: m[2]! });
    }
  });
  const done = new Promise<void>((resolve) => proc.on('close', () => resolve()));
  return { lines, done, proc };
}
