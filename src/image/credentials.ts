/**
 * Registry credentials the way the docker CLI keeps them ($DOCKER_CONFIG or
 * ~/.docker/config.json): a per-registry credential helper (credHelpers), the
 * default store (credsStore), or a base64 "auth" / identity token in `auths`.
 */
import { parseImageReference } from '../model/reference.js';
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { RuntimeError } from '../errors.js';

export interface Credentials {
  username?: string;
  password?: string;
  identitytoken?: string;
  serveraddress: string;
}

interface DockerConfig {
  auths?: Record<string, { auth?: string; identitytoken?: string; username?: string; password?: string }>;
  credHelpers?: Record<string, string>;
  credsStore?: string;
}

/** The registry host of an image reference ("docker.io" when it has none). */
export function registryOf(ref: string): string {
  const r = parseImageReference(ref);
  return ('problem' in r ? undefined : r.domain) ?? 'docker.io';
}

const DOCKER_HUB_KEYS = ['https://index.docker.io/v1/', 'index.docker.io', 'docker.io', 'registry-1.docker.io'];

function keysFor(registry: string): string[] {
  if (registry === 'docker.io') return DOCKER_HUB_KEYS;
  return [registry, `https://${registry}`, `http://${registry}`, `https://${registry}/v1/`, `https://${registry}/v2/`];
}

function helper(name: string, server: string): Promise<Credentials | undefined> {
  return new Promise((resolve, reject) => {
    const child = spawn(`docker-credential-${name}`, ['get'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', () => reject(new RuntimeError(`docker-credential-${name} is configured in the docker CLI config but not found on PATH`)));
    child.on('close', (code) => {
      if (code !== 0) return resolve(undefined); // "credentials not found"
      try {
        const j = JSON.parse(out) as { Username: string; Secret: string };
        resolve(j.Username === '<token>' ? { identitytoken: j.Secret, serveraddress: server } : { username: j.Username, password: j.Secret, serveraddress: server });
      } catch {
        resolve(undefined);
      }
    });
    child.stdin.end(server);
  });
}

export async function credentialsFor(registry: string, env: Record<string, string | undefined> = process.env): Promise<Credentials | undefined> {
  const dir = env.DOCKER_CONFIG ?? path.join(os.homedir(), '.docker');
  let config: DockerConfig;
  try {
    config = JSON.parse(await readFile(path.join(dir, 'config.json'), 'utf8')) as DockerConfig;
  } catch {
    return undefined;
  }
  const keys = keysFor(registry);
  const server = keys[0]!;
  const h = keys.map((k) => config.credHelpers?.[k]).find(Boolean);
  if (h) return helper(h, server);
  for (const k of keys) {
    const a = config.auths?.[k];
    if (!a) continue;
    if (a.identitytoken) return { identitytoken: a.identitytoken, serveraddress: server };
    if (a.auth) {
      const decoded = Buffer.from(a.auth, 'base64').toString();
      const i = decoded.indexOf(':');
      if (i > 0) return { username: decoded.slice(0, i), password: decoded.slice(i + 1), serveraddress: server };
    }
    if (a.username && a.password) return { username: a.username, password: a.password, serveraddress: server };
  }
  if (config.credsStore) return helper(config.credsStore, server);
  return undefined;
}
