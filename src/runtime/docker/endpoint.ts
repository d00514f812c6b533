/**
 * Which Docker Engine to talk to, decided the way the docker CLI decides:
 * an ordered list of strategies, first match wins.
 *   1. DOCKER_HOST
 *   2. the docker CLI's current context (DOCKER_CONTEXT, else currentContext in config.json)
 *   3. the default socket, unix:///var/run/docker.sock
 * A DOCKER_HOST with a scheme the docker CLI would refuse, or a context that
 * does not exist, is a UsageError (exit 2), as the docker CLI refuses both
 * ("invalid bind address format", "context not found") instead of falling
 * back to the local socket.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UsageError } from '../../errors.js';

export interface Endpoint {
  /** How it was found, for --verbose and error messages. */
  source: 'DOCKER_HOST' | 'context' | 'default';
  /** The engine address, e.g. unix:///var/run/docker.sock or tcp://127.0.0.1:2375. */
  host: string;
  context?: string;
  /** dockerode/docker-modem constructor options. Empty: let docker-modem read DOCKER_HOST and its TLS settings from process.env (TLS, ssh). */
  modemOptions: Record<string, unknown>;
}

export const DEFAULT_SOCKET = '/var/run/docker.sock';

/** "unix:///var/run/docker.sock (docker context "x")": the address and how it was chosen. */
export function describeEndpoint(endpoint: Endpoint): string {
  const via = endpoint.source === 'DOCKER_HOST' ? ' (from DOCKER_HOST)' : endpoint.source === 'context' ? ` (docker context "${endpoint.context}")` : '';
  return `${endpoint.host}${via}`;
}

type Env = Record<string, string | undefined>;

/**
 * Schemes the docker CLI takes in DOCKER_HOST or a context's endpoint: docker/cli opts/hosts.go
 * parseDockerDaemonHost accepts tcp, unix, npipe, fd and ssh (no scheme means tcp) and refuses the rest
 * ("invalid bind address format"). fd:// is only for a daemon's socket activation, not a client.
 */
export const DOCKER_HOST_SCHEMES = ['unix', 'tcp', 'ssh', 'npipe'] as const;

/** Throws UsageError when `host` has a scheme the docker CLI would refuse; `label` names the setting and value. */
function checkScheme(host: string, label: string): void {
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(host);
  const scheme = m ? m[1]!.toLowerCase() : 'tcp';
  if (!(DOCKER_HOST_SCHEMES as readonly string[]).includes(scheme)) {
    throw new UsageError(`${label}: unsupported scheme "${scheme}://"; the docker CLI takes ${DOCKER_HOST_SCHEMES.map((x) => `${x}://`).join(', ')} (e.g. unix:///var/run/docker.sock, tcp://127.0.0.1:2375, ssh://user@host)`);
  }
}
type ReadFile = (p: string) => string;

function optionsForHost(host: string): Record<string, unknown> {
  // host: undefined on purpose: docker-modem merges its defaults, read from process.env.DOCKER_HOST, under these
  // options and prefers a host to a socketPath (lib/modem.js: `this.host = opts.host; if (!this.host) socketPath`),
  // so a tcp DOCKER_HOST in process.env would win over the command's own unix socket.
  if (host.startsWith('unix://')) return { socketPath: host.slice('unix://'.length) || DEFAULT_SOCKET, host: undefined };
  const u = new URL(host.includes('//') ? host : `tcp://${host}`);
  if (u.protocol === 'ssh:') return { protocol: 'ssh', host: u.hostname, port: u.port || 22, username: u.username };
  return { protocol: u.port === '2376' ? 'https' : 'http', host: u.hostname, port: u.port || 2375 };
}

function fromEnv(env: Env): Endpoint | undefined {
  const host = env.DOCKER_HOST;
  if (!host) return undefined;
  checkScheme(host, `DOCKER_HOST=${host}`);
  // A socket or plain-HTTP address is taken from `env` (the command's, which may not be process.env).
  // TLS (DOCKER_TLS_VERIFY, DOCKER_CERT_PATH, port 2376) and ssh are left to docker-modem, which
  // reads them from process.env itself (docker-modem lib/modem.js defaultOpts).
  const tls = env.DOCKER_TLS_VERIFY === '1' || env.DOCKER_CERT_PATH !== undefined;
  const plain = host.startsWith('unix://') || (/^tcp:\/\//.test(host) && !tls && !/:2376$/.test(host));
  return { source: 'DOCKER_HOST', host, modemOptions: plain ? optionsForHost(host) : {} };
}

function fromContext(env: Env, read: ReadFile, home: string): Endpoint | undefined {
  const configDir = env.DOCKER_CONFIG ?? path.join(home, '.docker');
  let name = env.DOCKER_CONTEXT;
  const from = name ? 'DOCKER_CONTEXT' : `currentContext in ${path.join(configDir, 'config.json')}`;
  if (!name) {
    try {
      name = (JSON.parse(read(path.join(configDir, 'config.json'))) as { currentContext?: string }).currentContext;
    } catch {
      return undefined;
    }
  }
  if (!name || name === 'default') return undefined;
  // The docker CLI stores a context's metadata under the sha256 of its name (docker/cli
  // cli/context/store/metadatastore.go) and fails when it is missing: 'context "x": context not found'.
  const id = createHash('sha256').update(name).digest('hex');
  const metaPath = path.join(configDir, 'contexts', 'meta', id, 'meta.json');
  let text: string;
  try {
    text = read(metaPath);
  } catch {
    throw new UsageError(`docker context "${name}" (from ${from}) not found: no ${metaPath}; \`docker context ls\` lists the contexts (unset DOCKER_CONTEXT or \`docker context use default\` for the local engine)`);
  }
  let meta: { Endpoints?: { docker?: { Host?: string } } };
  try {
    meta = JSON.parse(text) as typeof meta;
  } catch (err) {
    throw new UsageError(`docker context "${name}" (from ${from}): ${metaPath} is not valid JSON: ${(err as Error).message}`);
  }
  const host = meta.Endpoints?.docker?.Host;
  if (!host) return undefined;
  checkScheme(host, `docker context "${name}": endpoint ${host}`);
  return { source: 'context', context: name, host, modemOptions: optionsForHost(host) };
}

export function discoverEndpoint(env: Env = process.env, read: ReadFile = (p) => readFileSync(p, 'utf8'), home = os.homedir()): Endpoint {
  return (
    fromEnv(env) ??
    fromContext(env, read, home) ?? { source: 'default', host: `unix://${DEFAULT_SOCKET}`, modemOptions: { socketPath: DEFAULT_SOCKET } }
  );
}
