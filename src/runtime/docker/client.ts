/**
 * The only module that imports dockerode: the Docker Engine API behind the
 * narrow interfaces of ../engine.ts (Images, Containers, Engine), typed
 * results, and one error mapping (engineError) that turns every dockerode
 * failure into a message a person can act on.
 */
import { Readable } from 'node:stream';
import Docker from 'dockerode';
import { DockerUnreachableError, RuntimeError } from '../../errors.js';
import { splitTag } from '../../model/reference.js';
import type { BuildEvent, ContainerState, Containers, Engine, EngineInfo, ExecResult, ImageInfo, Images, ProcessRow, RegistryAuth, RunSpec } from '../engine.js';
import { describeEndpoint, discoverEndpoint, type Endpoint } from './endpoint.js';

interface StreamEvent {
  stream?: string;
  status?: string;
  id?: string;
  error?: string;
  errorDetail?: { message?: string };
  aux?: { ID?: string; Digest?: string };
}

const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOENT', 'EACCES', 'ETIMEDOUT', 'EHOSTUNREACH', 'ECONNRESET', 'ENOTFOUND', 'EPERM']);

function reason(code: string | undefined): string {
  switch (code) {
    case 'ENOENT':
      return 'no socket there';
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ETIMEDOUT':
      return 'timed out';
    default:
      return code ?? 'unreachable';
  }
}

export function unreachable(endpoint: Endpoint, err: unknown): DockerUnreachableError {
  const code = (err as NodeJS.ErrnoException)?.code;
  const hint =
    code === 'EACCES' || code === 'EPERM'
      ? 'run as root or add your user to the "docker" group'
      : 'start it (`sudo systemctl start docker`, or `sudo dockerd &`) or point DOCKER_HOST at a running engine';
  return new DockerUnreachableError(`cannot reach the Docker Engine at ${describeEndpoint(endpoint)}: ${reason(code)}; ${hint}`);
}

function engineMessage(err: unknown): string {
  const e = err as { json?: { message?: string }; reason?: string; message?: string; statusCode?: number };
  return e?.json?.message ?? e?.message ?? String(err);
}

/**
 * The one error mapping: a connection failure is DockerUnreachableError (exit
 * 1, one-line hint); anything else a RuntimeError "<what>: <engine's message>".
 */
export function engineError(endpoint: Endpoint, err: unknown, what: string): DockerUnreachableError | RuntimeError {
  const code = (err as NodeJS.ErrnoException)?.code;
  if (code && UNREACHABLE.has(code)) return unreachable(endpoint, err);
  return new RuntimeError(`${what}: ${engineMessage(err)}`, [], { cause: err });
}

/** HTTP status of a dockerode error, when the engine answered. */
function statusOf(err: unknown): number | undefined {
  return (err as { statusCode?: number })?.statusCode;
}

/**
 * The highest Engine API version goneat-deploy is tested against (Docker Engine 26.1; the lowest is
 * 1.41, Engine 20.10). Requests without a version prefix get the engine's own newest API (Engine API
 * docs, "Versioning"), whose answers change shape between versions, so `connectDocker` negotiates as
 * the docker CLI does: min(engine's API version, this), and prefixes every request with it.
 */
export const MAX_API_VERSION = '1.45';

/** "1.41" < "1.45" < "1.100": numeric per part; negative, 0 or positive like a sort comparator. */
export function compareApiVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d) return d;
  }
  return 0;
}

/**
 * Finds the engine (DOCKER_HOST, docker context, default socket), checks it answers a ping within
 * 10 s, and negotiates the API version (see MAX_API_VERSION) with one GET /version. Rejects with
 * DockerUnreachableError when it cannot be reached.
 */
export async function connectDocker(endpoint: Endpoint = discoverEndpoint()): Promise<DockerEngine> {
  const make = (version?: string): Docker => {
    try {
      return new Docker({ ...endpoint.modemOptions, ...(version ? { version: `v${version}` } : {}) } as Docker.DockerOptions);
    } catch (err) {
      throw new DockerUnreachableError(`cannot use DOCKER_HOST=${endpoint.host}: ${(err as Error).message}`);
    }
  };
  const probe = new DockerEngine(endpoint, make());
  await probe.ping();
  const v = await probe.info();
  const api = compareApiVersions(v.apiVersion, MAX_API_VERSION) < 0 ? v.apiVersion : MAX_API_VERSION;
  return new DockerEngine(endpoint, make(api), { apiVersion: api, engineVersion: v.version });
}

/**
 * Runs one engine call. Statuses in `answers` are answers, not errors (404 →
 * "no such image", 304 → "already stopped"); everything else goes through
 * engineError.
 */
async function call<T>(endpoint: Endpoint, what: string, fn: () => Promise<T>, answers: Record<number, () => T> = {}): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const answer = answers[statusOf(err) ?? -1];
    if (answer) return answer();
    throw engineError(endpoint, err, what);
  }
}

/**
 * Follows a JSON progress stream (build, load, push). The engine answers 200
 * and reports failures as `error`/`errorDetail` events inside the stream:
 * the first one rejects, with the daemon's own message.
 */
function follow(docker: Docker, stream: NodeJS.ReadableStream, labels: { what: string; failedIn: string }, onEvent?: (e: StreamEvent) => void): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let failure: string | undefined;
    docker.modem.followProgress(
      stream,
      (err: Error | null) => {
        if (err) return reject(new RuntimeError(`${labels.what}: ${engineMessage(err)}`));
        if (failure) return reject(new RuntimeError(`${labels.failedIn}: ${failure}`));
        resolve();
      },
      (event: StreamEvent) => {
        if (event.errorDetail || event.error) {
          failure ??= (event.errorDetail?.message ?? event.error ?? 'unknown error').trim();
          return;
        }
        onEvent?.(event);
      },
    );
  });
}

class DockerImages implements Images {
  constructor(
    private readonly endpoint: Endpoint,
    private readonly docker: Docker,
  ) {}

  async build(context: Readable, opts: { tag: string; labels?: Record<string, string>; signal?: AbortSignal; onEvent?: (e: BuildEvent) => void }): Promise<string> {
    const stream = await call(this.endpoint, 'image build', () =>
      this.docker.buildImage(context, {
        t: opts.tag,
        labels: opts.labels ?? {},
        rm: true,
        forcerm: true,
        pull: false,
        ...(opts.signal ? { abortSignal: opts.signal } : {}),
      } as Docker.ImageBuildOptions),
    );
    let id: string | undefined;
    await follow(this.docker, stream, { what: 'image build', failedIn: 'image build failed in the Docker Engine' }, (event) => {
      if (event.aux?.ID) id = event.aux.ID;
      const m = event.stream && /^Successfully built ([0-9a-f]{12,64})/.exec(event.stream);
      if (m && !id) id = m[1];
      opts.onEvent?.({ ...(event.stream ? { stream: event.stream } : {}), ...(event.status ? { status: event.status } : {}) });
    });
    if (!id) throw new RuntimeError('image build: the engine did not report an image ID');
    return id;
  }

  async load(archive: Buffer): Promise<void> {
    const stream = await call(this.endpoint, 'image load', async () => (await this.docker.loadImage(Readable.from([archive]), { quiet: true })) as unknown as NodeJS.ReadableStream);
    await follow(this.docker, stream, { what: 'image load', failedIn: 'image load failed in the Docker Engine' });
  }

  async push(ref: string, auth: RegistryAuth | undefined, onEvent?: (line: string) => void): Promise<string> {
    const { repository, tag } = splitTag(ref);
    const stream = await call(
      this.endpoint,
      `push ${ref}`,
      async () => (await this.docker.getImage(repository).push({ tag, ...(auth ? { authconfig: auth } : {}) } as never)) as unknown as NodeJS.ReadableStream,
    );
    let digest: string | undefined;
    await follow(this.docker, stream, { what: `push ${ref}`, failedIn: `push ${ref} failed` }, (event) => {
      if (event.aux?.Digest) digest = event.aux.Digest;
      // containerd's image store sends no aux message, only the status line the docker CLI prints:
      // "TAG: digest: sha256:… size: N" (both stores send it).
      const m = event.status && /^\S+: digest: (sha256:[0-9a-f]{64}) size: \d+$/.exec(event.status);
      if (m && !digest) digest = m[1];
      if (event.status && onEvent) onEvent(`${event.id ? `${event.id}: ` : ''}${event.status}`);
    });
    if (!digest) throw new RuntimeError(`push ${ref}: the engine did not report a digest`);
    return digest;
  }

  async inspect(ref: string): Promise<ImageInfo | undefined> {
    const i = await call(this.endpoint, `inspect image ${ref}`, () => this.docker.getImage(ref).inspect(), { 404: () => undefined });
    if (!i) return undefined;
    const stopSignal = (i.Config as { StopSignal?: string }).StopSignal;
    return {
      id: i.Id,
      size: i.Size,
      repoDigests: i.RepoDigests ?? [],
      entrypoint: (i.Config.Entrypoint as string[] | null) ?? [],
      cmd: (i.Config.Cmd as string[] | null) ?? null,
      user: i.Config.User ?? '',
      ...(stopSignal ? { stopSignal } : {}),
      workingDir: i.Config.WorkingDir ?? '',
      labels: (i.Config.Labels as Record<string, string> | null) ?? {},
      env: i.Config.Env ?? [],
      architecture: i.Architecture,
      os: i.Os,
    };
  }

  async save(ref: string): Promise<Buffer> {
    const stream = await call(this.endpoint, `save image ${ref}`, async () => (await this.docker.getImage(ref).get()) as unknown as NodeJS.ReadableStream);
    const chunks: Buffer[] = [];
    for await (const c of stream as AsyncIterable<Buffer>) chunks.push(c);
    return Buffer.concat(chunks);
  }

  async remove(ref: string): Promise<void> {
    await call(this.endpoint, `remove image ${ref}`, () => this.docker.getImage(ref).remove({ force: true, noprune: false }), { 404: () => undefined });
  }
}

class DockerContainers implements Containers {
  constructor(
    private readonly endpoint: Endpoint,
    private readonly docker: Docker,
  ) {}

  async run(spec: RunSpec): Promise<string> {
    const exposed: Record<string, object> = {};
    const bindings: Record<string, Array<{ HostIp: string; HostPort: string }>> = {};
    for (const p of spec.ports) {
      exposed[`${p}/tcp`] = {};
      bindings[`${p}/tcp`] = [{ HostIp: '127.0.0.1', HostPort: '' }];
    }
    return call(this.endpoint, `run ${spec.image}`, async () => {
      const c = await this.docker.createContainer({
        name: spec.name,
        Image: spec.image,
        Labels: spec.labels,
        Tty: false,
        OpenStdin: false,
        AttachStdin: false,
        StdinOnce: false,
        StopSignal: spec.stopSignal,
        StopTimeout: spec.stopTimeoutS,
        ExposedPorts: exposed,
        ...(spec.env ? { Env: spec.env } : {}),
        HostConfig: {
          Init: false,
          ReadonlyRootfs: spec.readOnly,
          Tmpfs: spec.readOnly ? { '/tmp': 'rw,size=64m' } : {},
          CapDrop: ['ALL'],
          SecurityOpt: ['no-new-privileges:true'],
          PortBindings: bindings,
          AutoRemove: false,
        },
      });
      await c.start();
      return c.id;
    });
  }

  async state(id: string): Promise<ContainerState> {
    const i = await call(this.endpoint, `inspect container ${id}`, () => this.docker.getContainer(id).inspect());
    const ports: Record<number, number> = {};
    for (const [k, v] of Object.entries(i.NetworkSettings.Ports ?? {})) {
      const host = (v as Array<{ HostIp: string; HostPort: string }> | null)?.find((b) => b.HostIp === '127.0.0.1' || b.HostIp === '0.0.0.0');
      if (host) ports[Number(k.split('/')[0])] = Number(host.HostPort);
    }
    return {
      running: i.State.Running,
      exitCode: i.State.ExitCode,
      pid: i.State.Pid,
      tty: i.Config.Tty,
      openStdin: i.Config.OpenStdin,
      readOnly: Boolean(i.HostConfig.ReadonlyRootfs),
      user: i.Config.User ?? '',
      ports,
    };
  }

  async processes(id: string): Promise<ProcessRow[]> {
    const t = (await call(this.endpoint, `top ${id}`, () => this.docker.getContainer(id).top({ ps_args: '-o pid,ppid,uid,tty,args' }))) as { Titles: string[]; Processes: string[][] };
    const col = (name: string) => t.Titles.findIndex((x) => x.toUpperCase() === name);
    const [pid, ppid, uid, tty, args] = [col('PID'), col('PPID'), col('UID'), col('TT') >= 0 ? col('TT') : col('TTY'), col('COMMAND') >= 0 ? col('COMMAND') : col('CMD')];
    return t.Processes.map((p) => ({ pid: Number(p[pid]), ppid: Number(p[ppid]), uid: Number(p[uid]), tty: p[tty] ?? '?', args: p[args] ?? '' }));
  }

  async stop(id: string, timeoutS: number): Promise<void> {
    await call(this.endpoint, `stop ${id}`, () => this.docker.getContainer(id).stop({ t: timeoutS }), { 304: () => undefined });
  }

  async signal(id: string, signal: string): Promise<void> {
    // 409: not running any more.
    await call(this.endpoint, `signal ${id}`, () => this.docker.getContainer(id).kill({ signal }), { 304: () => undefined, 409: () => undefined });
  }

  async wait(id: string): Promise<number> {
    const r = (await call(this.endpoint, `wait ${id}`, () => this.docker.getContainer(id).wait())) as { StatusCode: number };
    return r.StatusCode;
  }

  async exec(id: string, cmd: string[]): Promise<ExecResult> {
    return call(this.endpoint, `exec in ${id}`, async () => {
      const exec = await this.docker.getContainer(id).exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true });
      const stream = await exec.start({ hijack: true, stdin: false });
      const chunks: Buffer[] = [];
      await new Promise<void>((resolve) => {
        stream.on('data', (c: Buffer) => void chunks.push(c));
        stream.on('end', resolve);
        stream.on('close', resolve);
      });
      const info = await exec.inspect();
      return { exitCode: info.ExitCode ?? -1, output: demux(Buffer.concat(chunks)) };
    });
  }

  async logs(id: string, tail = 20): Promise<string> {
    try {
      const buf = (await this.docker.getContainer(id).logs({ stdout: true, stderr: true, tail, follow: false })) as unknown as Buffer;
      return demux(buf);
    } catch {
      return '';
    }
  }

  async remove(id: string): Promise<void> {
    await call(this.endpoint, `remove container ${id}`, () => this.docker.getContainer(id).remove({ force: true, v: true }), { 404: () => undefined });
  }

  async list(label: string): Promise<string[]> {
    return (await call(this.endpoint, 'list containers', () => this.docker.listContainers({ all: true, filters: { label: [label] } }))).map((c) => c.Id);
  }
}

/** The Docker Engine behind the Engine interfaces. */
export class DockerEngine implements Engine {
  readonly images: Images;
  readonly containers: Containers;
  /** The Engine API version every request uses, negotiated in `connectDocker` ("1.41"); "" before. */
  readonly apiVersion: string;
  /** The engine's own version ("26.1.5"), from `connectDocker`; "" before. */
  readonly engineVersion: string;

  constructor(
    readonly endpoint: Endpoint,
    private readonly docker: Docker,
    negotiated: { apiVersion: string; engineVersion: string } = { apiVersion: '', engineVersion: '' },
  ) {
    this.images = new DockerImages(endpoint, docker);
    this.containers = new DockerContainers(endpoint, docker);
    this.apiVersion = negotiated.apiVersion;
    this.engineVersion = negotiated.engineVersion;
  }

  get host(): string {
    return this.endpoint.host;
  }

  async ping(): Promise<void> {
    try {
      await Promise.race([
        this.docker.ping(),
        new Promise((_, reject) => setTimeout(() => reject(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })), 10_000).unref()),
      ]);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException)?.code;
      if (code && UNREACHABLE.has(code)) throw unreachable(this.endpoint, err);
      throw new DockerUnreachableError(`the Docker Engine at ${this.endpoint.host} did not answer a ping: ${engineMessage(err)}`);
    }
  }

  async info(): Promise<EngineInfo> {
    const v = await call(this.endpoint, 'docker version', () => this.docker.version());
    return { version: v.Version, apiVersion: v.ApiVersion, arch: v.Arch, os: v.Os };
  }
}

/** Docker's multiplexed log stream (8-byte frame headers) to text. */
function demux(buf: Buffer): string {
  let out = '';
  let i = 0;
  while (i + 8 <= buf.length) {
    const len = buf.readUInt32BE(i + 4);
    out += buf.subarray(i + 8, i + 8 + len).toString();
    i += 8 + len;
  }
  return i === 0 ? buf.toString() : out;
}
