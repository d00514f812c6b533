/**
 * The only module that imports dockerode. A narrow facade over the Docker
 * Engine API with the few operations goneat-deploy needs, typed results, and
 * engine errors turned into messages a person can act on.
 */
import { Readable } from 'node:stream';
import Docker from 'dockerode';
import { DockerUnreachableError, RuntimeError } from '../../errors.js';
import { splitTag } from '../../image/reference.js';
import { describeEndpoint, discoverEndpoint, type Endpoint } from './endpoint.js';

export interface BuildEvent {
  /** A line of build output ("Step 2/7 : COPY rootfs/ /"). */
  stream?: string;
  status?: string;
}

interface StreamEvent {
  stream?: string;
  status?: string;
  id?: string;
  error?: string;
  errorDetail?: { message?: string };
  aux?: { ID?: string; Digest?: string };
}

export interface ImageInfo {
  id: string;
  size: number;
  repoDigests: string[];
  entrypoint: string[];
  cmd: string[] | null;
  user: string;
  stopSignal?: string;
  workingDir: string;
  labels: Record<string, string>;
  env: string[];
  architecture: string;
  os: string;
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

export interface RunSpec {
  image: string;
  name: string;
  labels: Record<string, string>;
  stopSignal: string;
  stopTimeoutS: number;
  /** Container ports to publish on 127.0.0.1 (a free host port each). */
  ports: number[];
  readOnly: boolean;
  env?: string[];
}

export interface ContainerState {
  running: boolean;
  exitCode: number;
  pid: number;
  tty: boolean;
  openStdin: boolean;
  readOnly: boolean;
  user: string;
  /** Container port → host port on 127.0.0.1. */
  ports: Record<number, number>;
}

export interface ProcessRow {
  pid: number;
  ppid: number;
  uid: number;
  tty: string;
  args: string;
}

/**
 * The highest Engine API version goneat-deploy is tested against (Docker Engine 26.1; the lowest is
 * 1.41, Engine 20.10). Requests without a version prefix get the engine's own newest API (Engine API
 * docs, "Versioning"), whose answers change shape between versions, so `connect` negotiates as the
 * docker CLI does: min(engine's API version, this), and prefixes every request with it.
 */
export const MAX_API_VERSION = '1.45';

/** "1.41" < "1.45" < "1.100": numeric per part. */
export function compareApiVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d) return d;
  }
  return 0;
}

export class Engine {
  readonly endpoint: Endpoint;
  readonly docker: Docker;
  /** The Engine API version every request uses, negotiated in `connect` ("1.41"); undefined before. */
  apiVersion?: string;
  /** The engine's own version ("26.1.5"), from `connect`. */
  engineVersion?: string;

  private constructor(endpoint: Endpoint, docker: Docker) {
    this.endpoint = endpoint;
    this.docker = docker;
  }

  /**
   * Finds the engine (DOCKER_HOST, docker context, default socket), checks it answers, and
   * negotiates the API version (see MAX_API_VERSION): one GET /version.
   */
  static async connect(endpoint: Endpoint = discoverEndpoint()): Promise<Engine> {
    const make = (version?: string): Docker => {
      try {
        return new Docker({ ...endpoint.modemOptions, ...(version ? { version: `v${version}` } : {}) } as Docker.DockerOptions);
      } catch (err) {
        throw new DockerUnreachableError(`cannot use DOCKER_HOST=${endpoint.host}: ${(err as Error).message}`);
      }
    };
    const probe = new Engine(endpoint, make());
    await probe.ping();
    const v = await probe.version();
    const api = compareApiVersions(v.apiVersion, MAX_API_VERSION) < 0 ? v.apiVersion : MAX_API_VERSION;
    const engine = new Engine(endpoint, make(api));
    engine.apiVersion = api;
    engine.engineVersion = v.version;
    return engine;
  }

  /** Rethrows connection failures as DockerUnreachableError. */
  private wrap(err: unknown, what: string): never {
    const code = (err as NodeJS.ErrnoException)?.code;
    if (code && UNREACHABLE.has(code)) throw unreachable(this.endpoint, err);
    throw new RuntimeError(`${what}: ${engineMessage(err)}`, [], { cause: err });
  }

  async ping(): Promise<void> {
    try {
      await Promise.race([
        this.docker.ping(),
        new Promise((_, reject) =>
          setTimeout(() => reject(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })), 10_000).unref(),
        ),
      ]);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException)?.code;
      if (code && UNREACHABLE.has(code)) throw unreachable(this.endpoint, err);
      throw new DockerUnreachableError(`the Docker Engine at ${this.endpoint.host} did not answer a ping: ${engineMessage(err)}`);
    }
  }

  async version(): Promise<{ version: string; apiVersion: string; arch: string; os: string }> {
    try {
      const v = await this.docker.version();
      return { version: v.Version, apiVersion: v.ApiVersion, arch: v.Arch, os: v.Os };
    } catch (err) {
      this.wrap(err, 'docker version');
    }
  }

  /**
   * Builds an image from a tar context. The engine answers 200 and reports
   * build failures as `errorDetail` messages inside the stream: those reject
   * with the daemon's own message.
   */
  async build(
    context: Readable,
    opts: { tag: string; labels?: Record<string, string>; signal?: AbortSignal; onEvent?: (e: BuildEvent) => void },
  ): Promise<string> {
    let stream: NodeJS.ReadableStream;
    try {
      stream = await this.docker.buildImage(context, {
        t: opts.tag,
        labels: opts.labels ?? {},
        rm: true,
        forcerm: true,
        pull: false,
        ...(opts.signal ? { abortSignal: opts.signal } : {}),
      } as Docker.ImageBuildOptions);
    } catch (err) {
      this.wrap(err, 'image build');
    }
    let id: string | undefined;
    await this.follow(stream, { what: 'image build', failedIn: 'image build failed in the Docker Engine' }, (event) => {
      if (event.aux?.ID) id = event.aux.ID;
      const m = event.stream && /^Successfully built ([0-9a-f]{12,64})/.exec(event.stream);
      if (m && !id) id = m[1];
      opts.onEvent?.({ ...(event.stream ? { stream: event.stream } : {}), ...(event.status ? { status: event.status } : {}) });
    });
    if (!id) throw new RuntimeError('image build: the engine did not report an image ID');
    return id;
  }

  /** Loads a `docker save` archive (POST /images/load); errors in the answer stream reject. */
  async loadImage(archive: Buffer): Promise<void> {
    let stream: NodeJS.ReadableStream;
    try {
      stream = (await this.docker.loadImage(Readable.from([archive]), { quiet: true })) as unknown as NodeJS.ReadableStream;
    } catch (err) {
      this.wrap(err, 'image load');
    }
    await this.follow(stream, { what: 'image load', failedIn: 'image load failed in the Docker Engine' });
  }

  /** docker push through the engine; resolves with the manifest digest the registry reported. */
  async pushImage(ref: string, auth: Record<string, string> | undefined, onEvent?: (line: string) => void): Promise<string> {
    const { repository, tag } = splitTag(ref);
    let stream: NodeJS.ReadableStream;
    try {
      stream = (await this.docker.getImage(repository).push({ tag, ...(auth ? { authconfig: auth } : {}) } as never)) as unknown as NodeJS.ReadableStream;
    } catch (err) {
      this.wrap(err, `push ${ref}`);
    }
    let digest: string | undefined;
    await this.follow(stream, { what: `push ${ref}`, failedIn: `push ${ref} failed` }, (event) => {
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

  /**
   * Follows a JSON progress stream (build, load, push). The engine answers 200
   * and reports failures as `error`/`errorDetail` events inside the stream:
   * the first one rejects, with the daemon's own message.
   */
  private follow(stream: NodeJS.ReadableStream, labels: { what: string; failedIn: string }, onEvent?: (e: StreamEvent) => void): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let failure: string | undefined;
      this.docker.modem.followProgress(
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

  async inspectImage(ref: string): Promise<ImageInfo | undefined> {
    try {
      const i = await this.docker.getImage(ref).inspect();
      return {
        id: i.Id,
        size: i.Size,
        repoDigests: i.RepoDigests ?? [],
        entrypoint: (i.Config.Entrypoint as string[] | null) ?? [],
        cmd: (i.Config.Cmd as string[] | null) ?? null,
        user: i.Config.User ?? '',
        ...((i.Config as { StopSignal?: string }).StopSignal ? { stopSignal: (i.Config as { StopSignal?: string }).StopSignal } : {}),
        workingDir: i.Config.WorkingDir ?? '',
        labels: (i.Config.Labels as Record<string, string> | null) ?? {},
        env: i.Config.Env ?? [],
        architecture: i.Architecture,
        os: i.Os,
      };
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404) return undefined;
      this.wrap(err, `inspect image ${ref}`);
    }
  }

  /** Creates and starts a container for a check: no TTY, stdin closed, ports on 127.0.0.1 only. */
  async runContainer(spec: RunSpec): Promise<string> {
    const exposed: Record<string, object> = {};
    const bindings: Record<string, Array<{ HostIp: string; HostPort: string }>> = {};
    for (const p of spec.ports) {
      exposed[`${p}/tcp`] = {};
      bindings[`${p}/tcp`] = [{ HostIp: '127.0.0.1', HostPort: '' }];
    }
    try {
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
    } catch (err) {
      this.wrap(err, `run ${spec.image}`);
    }
  }

  async containerState(id: string): Promise<ContainerState> {
    try {
      const i = await this.docker.getContainer(id).inspect();
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
    } catch (err) {
      this.wrap(err, `inspect container ${id}`);
    }
  }

  /** Processes of a container (host PIDs), from `docker top`. */
  async processes(id: string): Promise<ProcessRow[]> {
    try {
      const t = (await this.docker.getContainer(id).top({ ps_args: '-o pid,ppid,uid,tty,args' })) as { Titles: string[]; Processes: string[][] };
      const col = (name: string) => t.Titles.findIndex((x) => x.toUpperCase() === name);
      const [pid, ppid, uid, tty, args] = [col('PID'), col('PPID'), col('UID'), col('TT') >= 0 ? col('TT') : col('TTY'), col('COMMAND') >= 0 ? col('COMMAND') : col('CMD')];
      return t.Processes.map((p) => ({ pid: Number(p[pid]), ppid: Number(p[ppid]), uid: Number(p[uid]), tty: p[tty] ?? '?', args: p[args] ?? '' }));
    } catch (err) {
      this.wrap(err, `top ${id}`);
    }
  }

  /** docker stop: the container's stop signal, then SIGKILL after `timeoutS`. */
  async stopContainer(id: string, timeoutS: number): Promise<void> {
    try {
      await this.docker.getContainer(id).stop({ t: timeoutS });
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 304) return; // already stopped
      this.wrap(err, `stop ${id}`);
    }
  }

  async signalContainer(id: string, signal: string): Promise<void> {
    try {
      await this.docker.getContainer(id).kill({ signal });
    } catch (err) {
      const code = (err as { statusCode?: number }).statusCode;
      if (code === 409 || code === 304) return; // not running any more
      this.wrap(err, `signal ${id}`);
    }
  }

  /** Resolves with the exit code when the container stops. */
  async waitContainer(id: string): Promise<number> {
    try {
      const r = (await this.docker.getContainer(id).wait()) as { StatusCode: number };
      return r.StatusCode;
    } catch (err) {
      this.wrap(err, `wait ${id}`);
    }
  }

  /** Runs a command in a running container; resolves with its exit code. */
  async execIn(id: string, cmd: string[]): Promise<number> {
    try {
      const exec = await this.docker.getContainer(id).exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true });
      const stream = await exec.start({ hijack: true, stdin: false });
      await new Promise<void>((resolve) => {
        stream.on('end', resolve);
        stream.on('close', resolve);
        stream.resume();
      });
      const info = await exec.inspect();
      return info.ExitCode ?? -1;
    } catch (err) {
      this.wrap(err, `exec in ${id}`);
    }
  }

  async logs(id: string, tail = 20): Promise<string> {
    try {
      const buf = (await this.docker.getContainer(id).logs({ stdout: true, stderr: true, tail, follow: false })) as unknown as Buffer;
      return demux(buf);
    } catch {
      return '';
    }
  }

  async removeContainer(id: string): Promise<void> {
    try {
      await this.docker.getContainer(id).remove({ force: true, v: true });
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404) return;
      this.wrap(err, `remove container ${id}`);
    }
  }

  async listContainers(label: string): Promise<string[]> {
    try {
      return (await this.docker.listContainers({ all: true, filters: { label: [label] } })).map((c) => c.Id);
    } catch (err) {
      this.wrap(err, 'list containers');
    }
  }

  async removeImage(ref: string): Promise<void> {
    try {
      await this.docker.getImage(ref).remove({ force: true, noprune: false });
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404) return;
      this.wrap(err, `remove image ${ref}`);
    }
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
