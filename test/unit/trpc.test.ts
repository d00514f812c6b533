import { describe, expect, it } from 'vitest';
import { specFromText } from '../../src/config/load.js';
import { parseTrpcConfig } from '../../src/model/trpc.js';

const TRPC = `global:
  namespace: Development
server:
  app: demo
  server: hello
  close_wait_time: 3000
  max_close_wait_time: 25000
  admin:
    ip: 0.0.0.0
    port: 11014
  service:
    - name: trpc.demo.hello.Greeter
      ip: 0.0.0.0
      port: 8000
      protocol: trpc
    - name: trpc.demo.hello.GreeterHTTP
      port: 8080
      protocol: http
`;

const CONFIG = 'name: hello\nframework: trpc-go\nimage: {repository: demo/hello}\n';
const spec = (config: string, files: Record<string, string> = { 'trpc_go.yaml': TRPC }) => specFromText('goneat-deploy.yaml', config, (p) => files[p]).spec;

describe('the trpc-go preset', () => {
  it('reads ports, the admin health endpoint and the close wait from trpc_go.yaml', () => {
    const s = spec(CONFIG);
    expect(s.ports.map((p) => [p.name, p.port])).toEqual([['rpc', 8000], ['rpc2', 8080], ['admin', 11014]]);
    expect(s.health).toMatchObject({ port: 11014, portName: 'admin', path: '/is_healthy/' });
    // max(max_close_wait_time, 10s) bounds tRPC-Go's whole close, close_wait_time included
    expect(s.shutdown.drainMs).toBe(25_000);
    expect(s.shutdown.timeoutSeconds).toBe(27);
  });

  it('ships trpc_go.yaml in the image and points -conf at it (an absolute path)', () => {
    const s = spec(CONFIG);
    expect(s.args).toEqual(['-conf', '/app/trpc_go.yaml']);
    expect(s.files).toEqual([{ source: 'trpc_go.yaml', target: '/app/trpc_go.yaml' }]);
    expect(s.entrypoint).toEqual(['/sbin/tini', '--', '/app/hello', '-conf', '/app/trpc_go.yaml']);
  });

  it('keeps the 10s floor when max_close_wait_time is short or missing', () => {
    expect(spec(CONFIG, { 'trpc_go.yaml': TRPC.replace('max_close_wait_time: 25000', 'max_close_wait_time: 2000') }).shutdown.drainMs).toBe(10_000);
    expect(spec(CONFIG, { 'trpc_go.yaml': TRPC.replace('  max_close_wait_time: 25000\n', '') }).shutdown.drainMs).toBe(10_000);
  });

  it('lets what the user wrote win', () => {
    const s = spec(`${CONFIG}args: ["-conf", "/etc/hello/trpc_go.yaml"]\nshutdown: {drain: 40s}\nports: [{name: grpc, port: 8000}]\n`);
    expect(s.args).toEqual(['-conf', '/etc/hello/trpc_go.yaml']);
    expect(s.shutdown.drainMs).toBe(40_000);
    expect(s.ports.map((p) => p.name)).toEqual(['grpc', 'admin']);
  });

  it('reads a config file named by trpcConfig', () => {
    expect(spec(`${CONFIG}trpcConfig: conf/prod.yaml\n`, { 'conf/prod.yaml': TRPC }).files[0]!.source).toBe('conf/prod.yaml');
  });

  it('refuses a missing or broken trpc_go.yaml, and SIGUSR2 with the rolling-update explanation', () => {
    expect(() => spec(CONFIG, {})).toThrow(/framework: the trpc-go preset needs the service's trpc_go\.yaml/);
    expect(() => spec(CONFIG, { 'trpc_go.yaml': 'server: [' })).toThrow(/trpc_go\.yaml not valid YAML/);
    expect(() => spec(CONFIG, { 'trpc_go.yaml': 'global: {}\n' })).toThrow(/trpc_go\.yaml has no `server` section/);
    expect(() => spec(`${CONFIG}shutdown: {signal: SIGUSR2}\n`)).toThrow(/SIGUSR2 is tRPC-Go's hot restart .* Use SIGTERM and rolling updates/);
  });

  it('parses numbers given as strings', () => {
    expect(parseTrpcConfig('server:\n  admin: {port: "9028"}\n  max_close_wait_time: "15000"\n')).toMatchObject({ adminPort: 9028, drainMs: 15_000 });
  });
});
