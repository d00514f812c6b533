/**
 * What goneat-deploy needs from a container engine, as narrow interfaces:
 * `Images` (build, load, inspect, push, remove) for `build`, `Containers`
 * (run, look at, stop, remove) for `verify`, and `Engine` tying them to one
 * engine. The Docker implementation (runtime/docker/client.ts) is the only
 * module that imports dockerode; unit tests use an in-memory fake behind the
 * same interfaces (test/fakes/engine.ts). Types only.
 *
 * Errors: every method rejects with a GoneatError — DockerUnreachableError
 * (exit 1, one-line hint) when the engine cannot be reached, RuntimeError
 * with the engine's own message otherwise. "Not found" is an answer, not an
 * error, where the method says so.
 */
import type { Readable } from 'node:stream';

export interface EngineInfo {
  /** Engine version, e.g. "20.10.24". */
  version: string;
  apiVersion: string;
  /** The engine's architecture as it reports it ("amd64", "x86_64", "arm64", "aarch64"). */
  arch: string;
  os: string;
}

export interface ImageInfo {
  id: string;
  /** Bytes. */
  size: number;
  repoDigests: string[];
  entrypoint: string[];
  cmd: string[] | null;
  /** The image's USER ("" when it has none). */
  user: string;
  stopSignal?: string;
  workingDir: string;
  labels: Record<string, string>;
  env: string[];
  architecture: string;
  os: string;
}

export interface BuildEvent {
  /** A line of build output ("Step 2/7 : COPY rootfs/ /"). */
  stream?: string;
  status?: string;
}

/** Registry credentials in the Engine API's X-Registry-Auth shape. */
export interface RegistryAuth {
  username?: string;
  password?: string;
  identitytoken?: string;
  serveraddress: string;
}

export interface Images {
  /**
   * Builds an image with the engine's builder from a tar context; resolves
   * with the image ID. A build error the engine reports inside its 200
   * stream (`errorDetail`) rejects with the engine's message.
   */
  build(context: Readable, opts: { tag: string; labels?: Record<string, string>; signal?: AbortSignal; onEvent?: (e: BuildEvent) => void }): Promise<string>;
  /** Loads a `docker save`-format archive (POST /images/load); errors in the answer stream reject. */
  load(archive: Buffer): Promise<void>;
  /** The image, or undefined when the engine has no such image. */
  inspect(ref: string): Promise<ImageInfo | undefined>;
  /** The image as a `docker save` archive (GET /images/{name}/get): manifest.json, the config, one tar per layer. */
  save(ref: string): Promise<Buffer>;
  /** Pushes `ref` (repository:tag) to its registry; resolves with the manifest digest the registry reported. */
  push(ref: string, auth: RegistryAuth | undefined, onEvent?: (line: string) => void): Promise<string>;
  /** Removes the image; one that is not there is not an error. */
  remove(ref: string): Promise<void>;
}

export interface RunSpec {
  image: string;
  name: string;
  labels: Record<string, string>;
  stopSignal: string;
  /** docker stop's default timeout for this container, seconds. */
  stopTimeoutS: number;
  /** Container ports (TCP) to publish on 127.0.0.1, a free host port each. */
  ports: number[];
  readOnly: boolean;
  env?: string[];
}

export interface ContainerState {
  running: boolean;
  exitCode: number;
  /** PID 1's host PID. */
  pid: number;
  tty: boolean;
  openStdin: boolean;
  readOnly: boolean;
  user: string;
  /** Container port → host port on 127.0.0.1. */
  ports: Record<number, number>;
}

/** One row of `docker top`: host PIDs. */
export interface ProcessRow {
  pid: number;
  ppid: number;
  uid: number;
  /** Controlling terminal, "?" for none. */
  tty: string;
  args: string;
}

export interface ExecResult {
  exitCode: number;
  output: string;
}

export interface Containers {
  /** Creates and starts a container: no TTY, stdin closed, no init injected, all capabilities dropped, no-new-privileges. Resolves with its ID. */
  run(spec: RunSpec): Promise<string>;
  state(id: string): Promise<ContainerState>;
  /** Processes in the container, from `docker top`. */
  processes(id: string): Promise<ProcessRow[]>;
  /** docker stop: the container's stop signal, then SIGKILL after `timeoutS` seconds. Already stopped is not an error. */
  stop(id: string, timeoutS: number): Promise<void>;
  /** Sends a signal to PID 1. A container that is not running is not an error. */
  signal(id: string, signal: string): Promise<void>;
  /** Resolves with the exit code when the container stops. */
  wait(id: string): Promise<number>;
  /**
   * Runs a command in the running container; resolves with its exit code and its output (stdout and
   * stderr, interleaved). A command the runtime cannot start (no such file) resolves with the runtime's
   * exit code for it (126/127) rather than rejecting.
   */
  exec(id: string, cmd: string[]): Promise<ExecResult>;
  /** The last `tail` lines of output; "" when they cannot be read. */
  logs(id: string, tail?: number): Promise<string>;
  /** Removes the container (forced, with its anonymous volumes); one that is not there is not an error. */
  remove(id: string): Promise<void>;
  /** IDs of every container (running or not) with this label ("key" or "key=value"). */
  list(label: string): Promise<string[]>;
}

export interface Engine {
  /** The engine's address, for messages ("unix:///var/run/docker.sock"). */
  readonly host: string;
  /**
   * The Engine API version every request is made with ("1.41"): negotiated when connecting, as the
   * docker CLI does, min(the engine's API version, the newest goneat-deploy is tested against).
   */
  readonly apiVersion: string;
  info(): Promise<EngineInfo>;
  readonly images: Images;
  readonly containers: Containers;
}
