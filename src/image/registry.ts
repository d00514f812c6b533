/**
 * A small client for the Registry HTTP API V2 (distribution spec): enough to
 * push blobs, per-platform manifests and a manifest list. The Engine API of
 * Docker 20.10 cannot push a manifest list, so multi-platform pushes come
 * here; single-platform pushes go through the engine (docker push).
 */
import { RuntimeError } from '../errors.js';
import type { Credentials } from './credentials.js';
import { splitTag } from '../model/reference.js';

export interface RegistryTarget {
  /** host[:port] */
  registry: string;
  /** repository path inside the registry ("team/echo") */
  name: string;
}

export function splitRef(ref: string, registry: string): RegistryTarget & { tag: string } {
  const withoutRegistry = registry === 'docker.io' && !ref.startsWith('docker.io/') ? ref : ref.slice(registry.length + 1);
  const { repository: path, tag } = splitTag(withoutRegistry);
  const name = registry === 'docker.io' && !path.includes('/') ? `library/${path}` : path;
  return { registry: registry === 'docker.io' ? 'registry-1.docker.io' : registry, name, tag };
}

/** Loopback registries speak plain HTTP (Docker treats 127.0.0.0/8 as insecure by default too). */
export function baseUrl(registry: string): string {
  const host = registry.replace(/:\d+$/, '');
  const plain = host === 'localhost' || host.startsWith('127.') || host === '[::1]';
  return `${plain ? 'http' : 'https'}://${registry}`;
}

export class RegistryClient {
  private token: string | undefined;
  private readonly base: string;

  constructor(
    private readonly target: RegistryTarget,
    private readonly creds?: Credentials,
  ) {
    this.base = baseUrl(target.registry);
  }

  private basic(): string | undefined {
    if (this.creds?.username !== undefined) return `Basic ${Buffer.from(`${this.creds.username}:${this.creds.password ?? ''}`).toString('base64')}`;
    return undefined;
  }

  private async authenticate(challenge: string): Promise<void> {
    if (/^basic/i.test(challenge)) {
      if (!this.basic()) throw new RuntimeError(`${this.target.registry} wants a login: run \`docker login ${this.target.registry}\` first`);
      this.token = undefined;
      return;
    }
    const params = Object.fromEntries([...challenge.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
    if (!params.realm) throw new RuntimeError(`${this.target.registry}: unsupported auth challenge: ${challenge}`);
    const url = new URL(params.realm);
    if (params.service) url.searchParams.set('service', params.service);
    url.searchParams.set('scope', `repository:${this.target.name}:pull,push`);
    const res = await fetch(url, { headers: this.basic() ? { authorization: this.basic()! } : {} });
    if (!res.ok) throw new RuntimeError(`${this.target.registry}: token request failed: ${res.status} ${res.statusText}`);
    const body = (await res.json()) as { token?: string; access_token?: string };
    this.token = body.token ?? body.access_token;
  }

  private async request(method: string, url: string, init: { headers?: Record<string, string>; body?: Buffer } = {}, retried = false): Promise<Response> {
    const headers: Record<string, string> = { ...init.headers };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    else if (this.basic()) headers.authorization = this.basic()!;
    let res: Response;
    try {
      res = await fetch(url.startsWith('http') ? url : `${this.base}${url}`, { method, headers, ...(init.body ? { body: init.body } : {}) });
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause;
      throw new RuntimeError(`cannot reach the registry at ${this.base}: ${cause?.code ?? (err as Error).message}`);
    }
    if (res.status === 401 && !retried) {
      await this.authenticate(res.headers.get('www-authenticate') ?? '');
      return this.request(method, url, init, true);
    }
    return res;
  }

  private async fail(res: Response, what: string): Promise<never> {
    const text = await res.text().catch(() => '');
    throw new RuntimeError(`${what} on ${this.target.registry}/${this.target.name}: ${res.status} ${res.statusText}${text ? `: ${text.slice(0, 200)}` : ''}`);
  }

  async pushBlob(data: Buffer, digest: string): Promise<void> {
    const head = await this.request('HEAD', `/v2/${this.target.name}/blobs/${digest}`);
    if (head.status === 200) return;
    const start = await this.request('POST', `/v2/${this.target.name}/blobs/uploads/`);
    if (start.status !== 202) await this.fail(start, 'blob upload');
    const location = start.headers.get('location')!;
    const url = new URL(location, this.base);
    url.searchParams.set('digest', digest);
    const put = await this.request('PUT', url.toString(), { headers: { 'content-type': 'application/octet-stream', 'content-length': String(data.length) }, body: data });
    if (put.status !== 201) await this.fail(put, 'blob upload');
  }

  async pushManifest(reference: string, mediaType: string, data: Buffer): Promise<string> {
    const res = await this.request('PUT', `/v2/${this.target.name}/manifests/${reference}`, { headers: { 'content-type': mediaType }, body: data });
    if (res.status !== 201) await this.fail(res, `manifest ${reference}`);
    return res.headers.get('docker-content-digest') ?? '';
  }

  async getManifest(reference: string, accept: string[]): Promise<{ mediaType: string; body: Buffer; digest: string }> {
    const res = await this.request('GET', `/v2/${this.target.name}/manifests/${reference}`, { headers: { accept: accept.join(', ') } });
    if (!res.ok) await this.fail(res, `manifest ${reference}`);
    return { mediaType: res.headers.get('content-type') ?? '', body: Buffer.from(await res.arrayBuffer()), digest: res.headers.get('docker-content-digest') ?? '' };
  }

  async getBlob(digest: string): Promise<Buffer> {
    const res = await this.request('GET', `/v2/${this.target.name}/blobs/${digest}`);
    if (!res.ok) await this.fail(res, `blob ${digest}`);
    return Buffer.from(await res.arrayBuffer());
  }
}
