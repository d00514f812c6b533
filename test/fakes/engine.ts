/**
 * An in-memory engine behind the same interfaces as the Docker one
 * (src/runtime/engine.ts), for unit tests of the build and verify
 * orchestration. Images are kept in a map (a loaded `docker save` archive is
 * really parsed; a builder context is really read); a container is a scripted
 * service whose ports are real HTTP servers on 127.0.0.1, so verify's probes
 * and in-flight requests travel over real sockets. Written here because the
 * point is to stand in for the engine, not to emulate Docker.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Readable } from 'node:stream';
import tar from 'tar-stream';
import { RuntimeError } from '../../src/errors.js';
import type { BuildEvent, ContainerState, Containers, Engine, EngineInfo, ExecResult, ImageInfo, Images, ProcessRow, RegistryAuth, RunSpec } from '../../src/runtime/engine.js';

const sha = (b: Buffer | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

async function untar(stream: Readable): Promise<Map<string, Buffer>> {
  const extract = tar.extract();
  const out = new Map<string, Buffer>();
  extract.on('entry', (header, body, next) => {
    const chunks: Buffer[] = [];
    body.on('data', (c: unknown) => void chunks.push(c as Buffer));
    body.on('end', () => {
      out.set(header.name, Buffer.concat(chunks));
      next();
    });
  });
  const done = new Promise<void>((resolve, reject) => {
    extract.on('finish', resolve);
    extract.on('error', reject);
  });
  stream.pipe(extract);
  await done;
  return out;
}

function infoFrom(id: string, size: number, config: Record<string, unknown>, arch = 'amd64'): ImageInfo {
  const c = (config.config ?? {}) as { Entrypoint?: string[]; User?: string; StopSignal?: string; WorkingDir?: string; Labels?: Record<string, string>; Env?: string[] };
  return {
    id,
    size,
    repoDigests: [],
    entrypoint: c.Entrypoint ?? [],
    cmd: null,
    user: c.User ?? '',
    ...(c.StopSignal ? { stopSignal: c.StopSignal } : {}),
    workingDir: c.WorkingDir ?? '',
    labels: c.Labels ?? {},
    env: c.Env ?? [],
    architecture: String(config.architecture ?? arch),
    os: 'linux',
  };
}

export class FakeImages implements Images {
  readonly byRef = new Map<string, ImageInfo>();
  /** Every call, in order, for assertions on the orchestration. */
  readonly calls: string[] = [];
  /** The entries of the last builder context (name → bytes). */
  lastContext?: Map<string, Buffer>;
  pushes: Array<{ ref: string; auth?: RegistryAuth }> = [];
  /** When set, build() fails the way the engine reports a failed build. */
  failBuild?: string;
  /** When set, push() fails with this engine message. */
  failPush?: string;
  /**
   * Where the engine keeps images: the graph driver names a loaded image by its config's digest;
   * containerd's image store (Engine 29's default) by its manifest's digest, as the fake does here.
   */
  store: 'graphdriver' | 'containerd' = 'graphdriver';

  async build(context: Readable, opts: { tag: string; labels?: Record<string, string>; signal?: AbortSignal; onEvent?: (e: BuildEvent) => void }): Promise<string> {
    this.calls.push(`build ${opts.tag}`);
    const files = await untar(context);
    this.lastContext = files;
    if (!files.has('Dockerfile')) throw new RuntimeError('image build failed in the Docker Engine: Cannot locate specified Dockerfile: Dockerfile');
    if (this.failBuild) throw new RuntimeError(`image build failed in the Docker Engine: ${this.failBuild}`);
    opts.onEvent?.({ stream: 'Step 1/9 : FROM scratch\n' });
    const size = [...files.values()].reduce((n, b) => n + b.length, 0);
    const id = sha(Buffer.concat([...files.values()]));
    this.byRef.set(opts.tag, { ...infoFrom(id, size, { config: { Labels: opts.labels ?? {} } }) });
    return id;
  }

  async load(archive: Buffer): Promise<void> {
    this.calls.push('load');
    const { Readable } = await import('node:stream');
    const files = await untar(Readable.from([archive]));
    const manifest = JSON.parse(files.get('manifest.json')!.toString()) as Array<{ Config: string; RepoTags: string[]; Layers: string[] }>;
    for (const m of manifest) {
      const configBytes = files.get(m.Config)!;
      const size = m.Layers.reduce((n, l) => n + files.get(l)!.length, 0);
      const id = this.store === 'containerd' ? sha(`manifest of ${m.Config} ${m.Layers.join(' ')}`) : sha(configBytes);
      const info = infoFrom(id, size, JSON.parse(configBytes.toString()) as Record<string, unknown>);
      // The engine keeps the repository digests of an image it already has (same ID), as after a push.
      const known = [...this.byRef.values()].find((i) => i.id === id);
      if (known) info.repoDigests = [...known.repoDigests];
      for (const t of m.RepoTags) {
        this.byRef.set(t, info);
        this.archives.set(t, archive);
      }
    }
  }

  async inspect(ref: string): Promise<ImageInfo | undefined> {
    this.calls.push(`inspect ${ref}`);
    return this.byRef.get(ref);
  }

  /** Archives loaded, by tag: what `save` gives back. */
  readonly archives = new Map<string, Buffer>();

  async save(ref: string): Promise<Buffer> {
    this.calls.push(`save ${ref}`);
    const a = this.archives.get(ref);
    if (!a) throw new RuntimeError(`save image ${ref}: No such image: ${ref}`);
    return a;
  }

  async push(ref: string, auth: RegistryAuth | undefined, onEvent?: (line: string) => void): Promise<string> {
    this.calls.push(`push ${ref}`);
    if (!this.byRef.has(ref)) throw new RuntimeError(`push ${ref}: An image does not exist locally with the tag: ${ref}`);
    if (this.failPush) throw new RuntimeError(`push ${ref} failed: ${this.failPush}`);
    this.pushes.push({ ref, ...(auth ? { auth } : {}) });
    onEvent?.('Pushed');
    const digest = sha(`manifest of ${ref} ${this.byRef.get(ref)!.id}`);
    // The engine records repository@digest in the pushed image's RepoDigests.
    const repo = ref.replace(/:[^:/]+$/, '');
    this.byRef.get(ref)!.repoDigests.push(`${repo}@${digest}`);
    return digest;
  }

  async remove(ref: string): Promise<void> {
    this.calls.push(`remove ${ref}`);
    this.byRef.delete(ref);
  }
}

/** How a fake container behaves. */
export interface FakeService {
  /**
   * Health endpoint (container port and path): 200 while running, 503 once the stop signal arrived —
   * or, with closesOnStop, the port stops accepting connections then (tRPC-Go closes its admin server
   * at once on SIGTERM, admin/admin.go Close).
   */
  health?: { port: number; path: string; closesOnStop?: boolean };
  /** Signals the service drains on; any other signal but SIGKILL is ignored (as by a shell as PID 1). */
  handles?: string[];
  /** After the signal: this long until exit, with this code. */
  drainMs?: number;
  exitCode?: number;
  /** Exits this long after start with this code and log line (a crash during start). */
  crash?: { afterMs: number; exitCode: number; log: string };
  /** docker top rows; PID 1 first. Default: tini with the service as its child, UID 65532, no TTY. */
  processes?: ProcessRow[];
  tty?: boolean;
  /** Paths that answer 404 (the service has no such route); every other path answers 200. */
  missing?: string[];
  /**
   * Published ports nothing in the container listens on: the engine's proxy accepts the connection and
   * resets it (docker-proxy with no backend), so a client sees ECONNRESET.
   */
  unserved?: number[];
  /** What an exec in the container does (the preStop hook): takes `ms`, exits `exitCode`, prints `output`. Default: exit 0 at once. */
  exec?: { exitCode: number; ms: number; output: string };
}

interface FakeContainer {
  id: string;
  spec: RunSpec;
  service: FakeService;
  running: boolean;
  exitCode: number;
  stopping: boolean;
  servers: Map<number, http.Server>;
  exited: Promise<number>;
  exit(code: number): void;
  timers: NodeJS.Timeout[];
}

export class FakeContainers implements Containers {
  readonly all = new Map<string, FakeContainer>();
  readonly removed: string[] = [];
  readonly calls: string[] = [];
  /** What the next containers of an image do. */
  readonly services = new Map<string, FakeService>();
  private next = 1;

  constructor(private readonly images: FakeImages) {}

  async run(spec: RunSpec): Promise<string> {
    this.calls.push(`run ${spec.image}`);
    if (!this.images.byRef.has(spec.image)) throw new RuntimeError(`run ${spec.image}: No such image: ${spec.image}`);
    const service = this.services.get(spec.image) ?? {};
    const id = `fake${String(this.next++).padStart(12, '0')}`;
    let exit!: (code: number) => void;
    const exited = new Promise<number>((resolve) => (exit = resolve));
    const c: FakeContainer = { id, spec, service, running: true, exitCode: 0, stopping: false, servers: new Map(), exited, exit: () => undefined, timers: [] };
    c.exit = (code: number) => {
      if (!c.running) return;
      c.running = false;
      c.exitCode = code;
      for (const t of c.timers) clearTimeout(t);
      for (const s of c.servers.values()) {
        s.close();
        s.closeAllConnections();
      }
      exit(code);
    };
    for (const port of spec.ports) {
      if (service.unserved?.includes(port)) {
        const server = http.createServer();
        server.on('connection', (sock) => sock.destroy());
        await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
        c.servers.set(port, server);
        continue;
      }
      const server = http.createServer((req, res) => {
        const url = new URL(req.url ?? '/', 'http://x');
        if (service.health && port === service.health.port && url.pathname + url.search === service.health.path) {
          // A service that crashes during start never becomes healthy.
          res.writeHead(c.stopping || service.crash ? 503 : 200).end();
          return;
        }
        if (service.missing?.includes(url.pathname)) {
          res.writeHead(404).end();
          return;
        }
        const ms = Number(url.searchParams.get('ms') ?? 0);
        setTimeout(() => res.writeHead(200).end('ok'), ms);
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      c.servers.set(port, server);
    }
    if (service.crash) c.timers.push(setTimeout(() => c.exit(service.crash!.exitCode), service.crash.afterMs));
    this.all.set(id, c);
    return id;
  }

  private get(id: string): FakeContainer {
    const c = this.all.get(id);
    if (!c) throw new RuntimeError(`inspect container ${id}: No such container: ${id}`);
    return c;
  }

  async state(id: string): Promise<ContainerState> {
    const c = this.get(id);
    const ports: Record<number, number> = {};
    for (const [p, s] of c.servers) if (c.running) ports[p] = (s.address() as AddressInfo).port;
    return { running: c.running, exitCode: c.exitCode, pid: 4242, tty: Boolean(c.service.tty), openStdin: false, readOnly: c.spec.readOnly, user: '65532:65532', ports };
  }

  async processes(id: string): Promise<ProcessRow[]> {
    const c = this.get(id);
    return (
      c.service.processes ?? [
        { pid: 4242, ppid: 4200, uid: 65532, tty: '?', args: '/sbin/tini -- /app/svc' },
        { pid: 4243, ppid: 4242, uid: 65532, tty: '?', args: '/app/svc' },
      ]
    );
  }

  private deliver(c: FakeContainer, signal: string): void {
    if (!c.running) return;
    if (signal === 'SIGKILL') return c.exit(137);
    if (!(c.service.handles ?? ['SIGTERM']).includes(signal) || c.stopping) return;
    c.stopping = true;
    const health = c.service.health;
    if (health?.closesOnStop) {
      const server = c.servers.get(health.port);
      server?.close();
      server?.closeAllConnections();
    }
    c.timers.push(setTimeout(() => c.exit(c.service.exitCode ?? 0), c.service.drainMs ?? 0));
  }

  async stop(id: string, timeoutS: number): Promise<void> {
    this.calls.push(`stop ${id} ${timeoutS}`);
    const c = this.get(id);
    this.deliver(c, c.spec.stopSignal);
    const kill = setTimeout(() => c.exit(137), timeoutS * 1000);
    c.timers.push(kill);
    await c.exited;
  }

  async signal(id: string, signal: string): Promise<void> {
    this.calls.push(`signal ${id} ${signal}`);
    this.deliver(this.get(id), signal);
  }

  wait(id: string): Promise<number> {
    return this.get(id).exited;
  }

  async exec(id: string, cmd: string[]): Promise<ExecResult> {
    this.calls.push(`exec ${id} ${cmd.join(' ')}`);
    const e = this.get(id).service.exec ?? { exitCode: 0, ms: 0, output: '' };
    if (e.ms) await new Promise((resolve) => setTimeout(resolve, e.ms));
    return { exitCode: e.exitCode, output: e.output };
  }

  async logs(id: string): Promise<string> {
    return this.all.get(id)?.service.crash?.log ?? '';
  }

  async remove(id: string): Promise<void> {
    this.calls.push(`remove ${id}`);
    const c = this.all.get(id);
    if (!c) return;
    c.exit(137);
    this.all.delete(id);
    this.removed.push(id);
  }

  async list(label: string): Promise<string[]> {
    const [k, v] = label.split('=');
    return [...this.all.values()].filter((c) => k! in c.spec.labels && (v === undefined || c.spec.labels[k!] === v)).map((c) => c.id);
  }
}

export class FakeEngine implements Engine {
  readonly host = 'fake://engine';
  readonly images = new FakeImages();
  readonly containers = new FakeContainers(this.images);
  constructor(private readonly facts: Partial<EngineInfo> = {}) {}

  /** As negotiated against a 20.10 engine (or the API version the facts give). */
  get apiVersion(): string {
    return this.facts.apiVersion ?? '1.41';
  }

  async info(): Promise<EngineInfo> {
    return { version: '20.10.24', apiVersion: '1.41', arch: 'amd64', os: 'linux', ...this.facts };
  }
}
