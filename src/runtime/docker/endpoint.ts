/**
 * Which Docker Engine to talk to, decided the way the docker CLI decides:
 * an ordered list of strategies, first match wins.
 *   1. DOCKER_HOST
 *   2. the docker CLI's current context (DOCKER_CONTEXT, else currentContext in config.json)
 *   3. the default socket, unix:///var/run/docker.sock
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

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
  if (!name) {
    try {
      name = (JSON.parse(read(path.join(configDir, 'config.json'))) as { currentContext?: string }).currentContext;
    } catch {
      return undefined;
    }
  }
  if (!name || name === 'default') return undefined;
  const id = createHash('sha256').update(name).digest('hex');
  try {
    const meta = JSON.parse(read(path.join(configDir, 'contexts', 'meta', id, 'meta.json'))) as {
      Endpoints?: { docker?: { Host?: string } };
    };
    const host = meta.Endpoints?.docker?.Host;
    if (!host) return undefined;
    return { source: 'context', context: name, host, modemOptions: optionsForHost(host) };
  } catch {
    return undefined;
  }
}

export function discoverEndpoint(env: Env = process.env, read: ReadFile = (p) => readFileSync(p, 'utf8'), home = os.homedir()): Endpoint {
  return (
    fromEnv(env) ??
    fromContext(env, read, home) ?? { source: 'default', host: `unix://${DEFAULT_SOCKET}`, modemOptions: { socketPath: DEFAULT_SOCKET } }
  );
}
