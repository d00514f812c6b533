import { createHash } from 'node:crypto';
import Docker from 'dockerode';
import { describe, expect, it } from 'vitest';
import { discoverEndpoint } from '../../src/runtime/docker/endpoint.js';
import { unreachable } from '../../src/runtime/docker/client.js';

function files(map: Record<string, string>) {
  return (p: string) => {
    if (p in map) return map[p]!;
    throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
  };
}
const meta = (name: string) => `/home/u/.docker/contexts/meta/${createHash('sha256').update(name).digest('hex')}/meta.json`;

describe('discoverEndpoint: the docker CLI order', () => {
  it('DOCKER_HOST wins', () => {
    const e = discoverEndpoint({ DOCKER_HOST: 'tcp://127.0.0.1:2375', DOCKER_CONTEXT: 'remote' }, files({}), '/home/u');
    expect(e).toMatchObject({ source: 'DOCKER_HOST', host: 'tcp://127.0.0.1:2375' });
  });

  it('a unix socket from the command\'s env wins over a tcp DOCKER_HOST in process.env (docker-modem reads that one itself)', () => {
    const saved = process.env.DOCKER_HOST;
    process.env.DOCKER_HOST = 'tcp://127.0.0.1:1';
    try {
      const e = discoverEndpoint({ DOCKER_HOST: 'unix:///nonexistent/docker.sock' }, files({}), '/home/u');
      const modem = new Docker(e.modemOptions as Docker.DockerOptions).modem as unknown as { host?: string; socketPath?: string };
      expect(modem.host).toBeUndefined();
      expect(modem.socketPath).toBe('/nonexistent/docker.sock');
    } finally {
      if (saved === undefined) delete process.env.DOCKER_HOST;
      else process.env.DOCKER_HOST = saved;
    }
  });

  it('DOCKER_HOST from the command\'s own env decides the socket or plain-HTTP address; TLS is left to docker-modem', () => {
    expect(discoverEndpoint({ DOCKER_HOST: 'unix:///run/user/1000/docker.sock' }, files({}), '/home/u').modemOptions).toEqual({ socketPath: '/run/user/1000/docker.sock' });
    expect(discoverEndpoint({ DOCKER_HOST: 'tcp://127.0.0.1:2375' }, files({}), '/home/u').modemOptions).toEqual({ protocol: 'http', host: '127.0.0.1', port: '2375' });
    expect(discoverEndpoint({ DOCKER_HOST: 'tcp://10.0.0.5:2376' }, files({}), '/home/u').modemOptions).toEqual({});
    expect(discoverEndpoint({ DOCKER_HOST: 'tcp://10.0.0.5:2375', DOCKER_TLS_VERIFY: '1' }, files({}), '/home/u').modemOptions).toEqual({});
  });

  it('then the current context from config.json', () => {
    const e = discoverEndpoint(
      {},
      files({
        '/home/u/.docker/config.json': JSON.stringify({ currentContext: 'colima' }),
        [meta('colima')]: JSON.stringify({ Name: 'colima', Endpoints: { docker: { Host: 'unix:///home/u/.colima/docker.sock' } } }),
      }),
      '/home/u',
    );
    expect(e).toMatchObject({ source: 'context', context: 'colima', host: 'unix:///home/u/.colima/docker.sock', modemOptions: { socketPath: '/home/u/.colima/docker.sock' } });
  });

  it('DOCKER_CONTEXT overrides config.json', () => {
    const e = discoverEndpoint(
      { DOCKER_CONTEXT: 'tcp' },
      files({
        '/home/u/.docker/config.json': JSON.stringify({ currentContext: 'colima' }),
        [meta('tcp')]: JSON.stringify({ Endpoints: { docker: { Host: 'tcp://10.0.0.5:2375' } } }),
      }),
      '/home/u',
    );
    expect(e).toMatchObject({ source: 'context', host: 'tcp://10.0.0.5:2375', modemOptions: { protocol: 'http', host: '10.0.0.5', port: '2375' } });
  });

  it('a context that does not exist is an error, like the docker CLI\'s "context not found", not a fall-back to the local socket', () => {
    expect(() => discoverEndpoint({ DOCKER_CONTEXT: 'nonexistent' }, files({}), '/home/u')).toThrow(
      new RegExp(`^docker context "nonexistent" \\(from DOCKER_CONTEXT\\) not found: no ${meta('nonexistent')}; \`docker context ls\` lists the contexts`),
    );
    try {
      discoverEndpoint({}, files({ '/home/u/.docker/config.json': '{"currentContext":"colmia"}' }), '/home/u');
      expect.unreachable();
    } catch (err) {
      expect((err as Error).message).toMatch(/^docker context "colmia" \(from currentContext in \/home\/u\/\.docker\/config\.json\) not found/);
      expect((err as { exitCode: number }).exitCode).toBe(2);
    }
  });

  it('a DOCKER_HOST (or context endpoint) scheme the docker CLI refuses is an error naming the supported schemes', () => {
    expect(() => discoverEndpoint({ DOCKER_HOST: 'bogus://x' }, files({}), '/home/u')).toThrow(
      'DOCKER_HOST=bogus://x: unsupported scheme "bogus://"; the docker CLI takes unix://, tcp://, ssh://, npipe:// (e.g. unix:///var/run/docker.sock, tcp://127.0.0.1:2375, ssh://user@host)',
    );
    expect(() => discoverEndpoint({ DOCKER_HOST: 'http://127.0.0.1:2375' }, files({}), '/home/u')).toThrow(/unsupported scheme "http:\/\/"/);
    expect(() => discoverEndpoint({ DOCKER_CONTEXT: 'x' }, files({ [meta('x')]: JSON.stringify({ Endpoints: { docker: { Host: 'bogus://y' } } }) }), '/home/u')).toThrow(/^docker context "x": endpoint bogus:\/\/y: unsupported scheme/);
    // Accepted: the four schemes, and no scheme (tcp, as the docker CLI reads it).
    for (const host of ['unix:///run/docker.sock', 'tcp://127.0.0.1:2375', 'ssh://u@h', '127.0.0.1:2375']) expect(() => discoverEndpoint({ DOCKER_HOST: host }, files({}), '/home/u')).not.toThrow();
  });

  it('falls back to the default socket', () => {
    expect(discoverEndpoint({}, files({}), '/home/u')).toMatchObject({ source: 'default', host: 'unix:///var/run/docker.sock' });
    expect(discoverEndpoint({}, files({ '/home/u/.docker/config.json': '{"currentContext":"default"}' }), '/home/u').source).toBe('default');
  });
});

describe('unreachable engine', () => {
  it('is one line with a hint, not a socket dump', () => {
    const err = unreachable({ source: 'DOCKER_HOST', host: 'unix:///nope.sock', modemOptions: {} }, Object.assign(new Error('connect ENOENT /nope.sock'), { code: 'ENOENT' }));
    expect(err.message).toBe(
      'cannot reach the Docker Engine at unix:///nope.sock (from DOCKER_HOST): no socket there; start it (`sudo systemctl start docker`, or `sudo dockerd &`) or point DOCKER_HOST at a running engine',
    );
    expect(err.message).not.toContain('\n');
    expect(err.exitCode).toBe(1);
  });
});
