/**
 * The only module that imports dockerode. A narrow facade over the Docker
 * Engine API with the few operations goneat-deploy needs, typed results, and
 * engine errors turned into messages a person can act on.
 */
import type { Readable } from 'node:stream';
import Docker from 'dockerode';
import { DockerUnreachableError, RuntimeError } from '../../errors.js';
import { discoverEndpoint, type Endpoint } from './endpoint.js';

export interface BuildEvent {
  /** A line of build output ("Step 2/7 : COPY rootfs/ /"). */
  stream?: string;
  status?: string;
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
  const via = endpoint.source === 'DOCKER_HOST' ? ' (from DOCKER_HOST)' : endpoint.source === 'context' ? ` (docker context "${endpoint.context}")` : '';
  const hint =
    code === 'EACCES' || code === 'EPERM'
      ? 'run as root or add your user to the "docker" group'
      : 'start it (`sudo systemctl start docker`, or `sudo dockerd &`) or point DOCKER_HOST at a running engine';
  return new DockerUnreachableError(`cannot reach the Docker Engine at ${endpoint.host}${via}: ${reason(code)}; ${hint}`);
}

function engineMessage(err: unknown): string {
  const e = err as { json?: { message?: string }; reason?: string; message?: string; statusCode?: number };
  return e?.json?.message ?? e?.message ?? String(err);
}

export class Engine {
  readonly endpoint: Endpoint;
  readonly docker: Docker;

  private constructor(endpoint: Endpoint, docker: Docker) {
    this.endpoint = endpoint;
    this.docker = docker;
  }

  /** Finds the engine (DOCKER_HOST, docker context, default socket) and checks it answers. */
  static async connect(endpoint: Endpoint = discoverEndpoint()): Promise<Engine> {
    let docker: Docker;
    try {
      docker = new Docker({ ...endpoint.modemOptions } as Docker.DockerOptions);
    } catch (err) {
      throw new DockerUnreachableError(`cannot use DOCKER_HOST=${endpoint.host}: ${(err as Error).message}`);
    }
    const engine = new Engine(endpoint, docker);
    await engine.ping();
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
    return await new Promise<string>((resolve, reject) => {
      let id: string | undefined;
      let failure: string | undefined;
      this.docker.modem.followProgress(
        stream,
        (err: Error | null) => {
          if (err) return reject(new RuntimeError(`image build: ${engineMessage(err)}`));
          if (failure) return reject(new RuntimeError(`image build failed in the Docker Engine: ${failure}`));
          if (!id) return reject(new RuntimeError('image build: the engine did not report an image ID'));
          resolve(id);
        },
        (event: { stream?: string; status?: string; error?: string; errorDetail?: { message?: string }; aux?: { ID?: string } }) => {
          if (event.errorDetail || event.error) {
            failure ??= (event.errorDetail?.message ?? event.error ?? 'unknown error').trim();
            return;
          }
          if (event.aux?.ID) id = event.aux.ID;
          const m = event.stream && /^Successfully built ([0-9a-f]{12,64})/.exec(event.stream);
          if (m && !id) id = m[1];
          opts.onEvent?.({ ...(event.stream ? { stream: event.stream } : {}), ...(event.status ? { status: event.status } : {}) });
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

  async removeImage(ref: string): Promise<void> {
    try {
      await this.docker.getImage(ref).remove({ force: true, noprune: false });
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404) return;
      this.wrap(err, `remove image ${ref}`);
    }
  }
}
