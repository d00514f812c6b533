import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { specFromText } from '../../src/config/load.js';
import { applyCloseFix } from '../../src/init/trpc-fix.js';
import { analyzeTrpcConfig, closeFix, suggestedMaxCloseWait, trpcClose } from '../../src/model/trpc.js';
import { ROOT } from '../helpers/cli.js';

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
const load = (config: string, files: Record<string, string> = { 'trpc_go.yaml': TRPC }) => specFromText('goneat-deploy.yaml', config, (p) => files[p]);
const spec = (config: string, files?: Record<string, string>) => load(config, files).spec;
const analyze = (text: string, opts: { preStopMs?: number; healthConfigured?: boolean } = {}) => analyzeTrpcConfig(text, { file: 'trpc_go.yaml', ...opts });
const codes = (text: string, opts?: { preStopMs?: number }) => analyze(text, opts).warnings.map((w) => w.code);

describe('the trpc-go preset', () => {
  it('reads ports, the admin health endpoint and the close sequence from trpc_go.yaml', () => {
    const s = spec(CONFIG);
    expect(s.ports.map((p) => [p.name, p.port, p.admin ?? false])).toEqual([['rpc', 8000, false], ['rpc2', 8080, false], ['admin', 11014, true]]);
    expect(s.health).toMatchObject({ port: 11014, portName: 'admin', path: '/is_healthy/' });
    // counted (25000 > 3000): sleep 3s, wait up to 25s, +300ms after cancel; bounded by max(25s, 10s)
    expect(s.shutdown.drainMs).toBe(25_000);
    expect(s.shutdown.timeoutSeconds).toBe(27);
  });

  it('ships trpc_go.yaml in the image and points -conf at it (an absolute path)', () => {
    const s = spec(CONFIG);
    expect(s.args).toEqual(['-conf', '/app/trpc_go.yaml']);
    expect(s.files).toEqual([{ source: 'trpc_go.yaml', target: '/app/trpc_go.yaml' }]);
    expect(s.entrypoint).toEqual(['/sbin/tini', '--', '/app/hello', '-conf', '/app/trpc_go.yaml']);
  });

  it('takes the drain from the modelled close, not from a 10s floor that tRPC-Go does not have', () => {
    const drain = (text: string) => spec(CONFIG, { 'trpc_go.yaml': text }).shutdown.drainMs;
    // not counted (2000 <= 3000): the close is the 3s sleep, then the process exits
    expect(drain(TRPC.replace('max_close_wait_time: 25000', 'max_close_wait_time: 2000'))).toBe(3_000);
    expect(drain(TRPC.replace('  max_close_wait_time: 25000\n', ''))).toBe(3_000);
    // both keys removed (tRPC-Go's defaults): exits at once
    expect(drain(TRPC.replace('  max_close_wait_time: 25000\n', '').replace('  close_wait_time: 3000\n', ''))).toBe(0);
    // counted with a short max: bounded by the 10s floor, not by the 5s service timeout after cancel
    expect(drain(TRPC.replace('max_close_wait_time: 25000', 'max_close_wait_time: 8000').replace('port: 8080\n', 'port: 8080\n      timeout: 5000\n'))).toBe(10_000);
    // counted, no timeouts: 8s + 300ms
    expect(drain(TRPC.replace('max_close_wait_time: 25000', 'max_close_wait_time: 8000'))).toBe(8_300);
  });

  it('lets what the user wrote win', () => {
    const s = spec(`${CONFIG}args: ["-conf", "/etc/hello/trpc_go.yaml"]\nshutdown: {drain: 40s}\nports: [{name: grpc, port: 8000}]\n`);
    expect(s.args).toEqual(['-conf', '/etc/hello/trpc_go.yaml']);
    expect(s.shutdown.drainMs).toBe(40_000);
    expect(s.ports.map((p) => p.name)).toEqual(['grpc', 'admin']);
  });

  it('a trpcConfig that cannot be read is named as set, not "next to goneat-deploy.yaml (or set trpcConfig)"', () => {
    expect(() => spec(`${CONFIG}trpcConfig: conf/nope.yaml\n`, {})).toThrow(/^goneat-deploy\.yaml:4:13: trpcConfig: conf\/nope\.yaml cannot be read \(the path is relative to goneat-deploy\.yaml's directory\)/);
    expect(() => spec(`${CONFIG}trpcConfig: conf/nope.yaml\n`, {})).not.toThrow(/or set trpcConfig/);
    expect(() => spec(CONFIG, {})).toThrow(/^goneat-deploy\.yaml:2:\d+: framework: the trpc-go preset needs the service's trpc_go\.yaml next to goneat-deploy\.yaml \(or set trpcConfig to its path\)/);
  });

  it('trpcConfig without framework: trpc-go is an error: nothing would read it', () => {
    const plain = 'name: hello\nimage: {repository: demo/hello}\ntrpcConfig: conf/nope.yaml\n';
    expect(() => spec(plain, {})).toThrow(/^goneat-deploy\.yaml:3:13: trpcConfig: is only read with framework: trpc-go \(framework is plain\): set framework: trpc-go, or remove trpcConfig/);
    expect(() => spec(plain.replace('trpcConfig', 'framework: plain\ntrpcConfig'), {})).toThrow(/trpcConfig: is only read with framework: trpc-go/);
  });

  it('reads a config file named by trpcConfig, and locates its errors there', () => {
    expect(spec(`${CONFIG}trpcConfig: conf/prod.yaml\n`, { 'conf/prod.yaml': TRPC }).files[0]!.source).toBe('conf/prod.yaml');
    expect(() => spec(`${CONFIG}trpcConfig: conf/prod.yaml\n`, { 'conf/prod.yaml': TRPC.replace('port: 11014', 'port: 70000') })).toThrow(
      /^conf\/prod\.yaml:10:11: server\.admin\.port: expected a port 0\.\.65535 \(0: no admin server\), got 70000$/,
    );
  });

  it('refuses a missing or broken trpc_go.yaml, and SIGUSR2 with the rolling-update explanation', () => {
    expect(() => spec(CONFIG, {})).toThrow(/framework: the trpc-go preset needs the service's trpc_go\.yaml/);
    expect(() => spec(CONFIG, { 'trpc_go.yaml': 'server: [' })).toThrow(/^trpc_go\.yaml:1:\d+: invalid YAML/);
    expect(() => spec(CONFIG, { 'trpc_go.yaml': 'global: {}\n' })).toThrow(/^trpc_go\.yaml:1:1: has no `server` section/);
    expect(() => spec(`${CONFIG}shutdown: {signal: SIGUSR2}\n`)).toThrow(/SIGUSR2 is tRPC-Go's hot restart .* Use SIGTERM and rolling updates/);
  });

  it('validates values the way tRPC-Go decodes them (yaml.v3 into int/uint16), with file:line', () => {
    const errs = (text: string) => analyze(text).errors.map((e) => `${e.line}:${e.column} ${e.field}: ${e.message}`);
    expect(errs('server:\n  admin: {port: "9028"}\n  max_close_wait_time: "15000"\n')).toEqual([
      '3:24 server.max_close_wait_time: expected whole milliseconds >= 0, got the string "15000": tRPC-Go (gopkg.in/yaml.v3) refuses a quoted number; write it without quotes',
      '2:17 server.admin.port: expected a port 0..65535 (0: no admin server), got the string "9028": tRPC-Go (gopkg.in/yaml.v3) refuses a quoted number; write it without quotes',
    ]);
    expect(errs('server:\n  close_wait_time: -1\n  service:\n    - {name: a, port: 0}\n    - {name: b, port: 8080, ip: 1.2.3}\n    - {name: c, address: "nohost"}\n    - {port: 9000}\n    - {name: d, port: 9000}\n')).toEqual([
      '2:20 server.close_wait_time: expected whole milliseconds >= 0, got -1',
      '4:23 server.service[0].port: expected a port 1..65535, got 0',
      '5:33 server.service[1].ip: expected an IP address like 0.0.0.0, got "1.2.3"',
      '6:26 server.service[2].address: expected IP:PORT like 0.0.0.0:8080 (it replaces ip and port), got "nohost"',
      '7:7 server.service[3]: a service needs a name (tRPC-Go registers handlers on it: s.Service("trpc.app.server.service"))',
      '8:7 server.service[4]: port 9000/tcp is also used by server.service[3]',
    ]);
    // ${VAR} is expanded by tRPC-Go at start (expandenv): not an error, but unknown here
    expect(analyze('server:\n  admin: {port: "${ADMIN_PORT}"}\n  service: [{name: a, port: 8080}]\n').warnings.map((w) => w.code)).toContain('unresolved-env');
  });

  it('models the close exactly as server/service.go runs it', () => {
    expect(trpcClose(0, 0, [0])).toMatchObject({ sleepMs: 0, counted: false, boundMs: 10_000, closeMs: 0 });
    expect(trpcClose(3000, 3000, [0])).toMatchObject({ sleepMs: 3000, counted: false, closeMs: 3000 });
    // close_wait_time is capped at 10s; a max above 10s is counted even when below close_wait_time
    expect(trpcClose(20_000, 15_000, [0])).toMatchObject({ sleepMs: 10_000, counted: true, boundMs: 15_000, closeMs: 15_000 });
    expect(trpcClose(2000, 8000, [5000])).toMatchObject({ sleepMs: 2000, counted: true, boundMs: 10_000, closeMs: 10_000 });
    expect(trpcClose(0, 60_000, [1000])).toMatchObject({ counted: true, boundMs: 60_000, closeMs: 60_000 });
    expect(suggestedMaxCloseWait(trpcClose(0, 0, [5000]), [5000])).toBe(10_000);
    expect(suggestedMaxCloseWait(trpcClose(9000, 0, [3000]), [3000])).toBe(12_000);
    expect(suggestedMaxCloseWait(trpcClose(30_000, 0, [0]), [0])).toBe(31_000);
  });
});

describe('trpc_go.yaml warnings (one line each, at the line to change)', () => {
  it('warns when tRPC-Go will not wait for in-flight requests, with the values to set', () => {
    const noKeys = TRPC.replace('  close_wait_time: 3000\n', '').replace('  max_close_wait_time: 25000\n', '');
    const [w] = analyze(noKeys).warnings;
    expect(w).toMatchObject({ code: 'no-drain', scope: 'always', file: 'trpc_go.yaml', line: 3, column: 1, field: 'server.max_close_wait_time' });
    expect(w!.message).toMatch(/^max_close_wait_time unset \(0\) is not above close_wait_time unset \(0\): tRPC-Go does not count in-flight requests then .* exits at once on SIGTERM .* set server\.max_close_wait_time: 10000 and close_wait_time: 2000 \(keeps/);
    const short = analyze(TRPC.replace('max_close_wait_time: 25000', 'max_close_wait_time: 3000')).warnings[0]!;
    expect(short).toMatchObject({ code: 'no-drain', line: 7, field: 'server.max_close_wait_time' });
    expect(short.message).toMatch(/stops 3s after SIGTERM .* set server\.max_close_wait_time: 10000$/);
    expect(codes(TRPC)).toEqual([]);
  });

  it('warns about a missing admin port unless goneat-deploy.yaml has its own health', () => {
    const noAdmin = TRPC.replace(/  admin:\n    ip: 0.0.0.0\n    port: 11014\n/, '');
    expect(analyze(noAdmin).warnings).toMatchObject([{ code: 'no-admin', scope: 'container', line: 3, field: 'server.admin.port' }]);
    expect(analyze(noAdmin.replace('  app: demo', '  admin: {ip: 0.0.0.0}\n  app: demo')).warnings).toMatchObject([{ code: 'no-admin', line: 4, column: 3 }]);
    expect(analyze(noAdmin, { healthConfigured: true }).warnings).toEqual([]);
  });

  it('warns about services and an admin bound to loopback, including what they inherit (config.go RepairConfig)', () => {
    const text = 'server:\n  max_close_wait_time: 10000\n  admin: {port: 9028}\n  service:\n    - {name: a, ip: 127.0.0.1, port: 8000}\n    - {name: b, port: 8001}\n';
    const ws = analyze(text).warnings;
    expect(ws.map((w) => [w.code, w.line, w.scope])).toEqual([['loopback-bind', 3, 'container'], ['loopback-bind', 5, 'container'], ['loopback-bind', 6, 'container']]);
    expect(ws[2]!.message).toMatch(/^service b binds 127\.0\.0\.1 \(from service a's ip: config\.go RepairConfig\)/);
    expect(ws[0]!.message).toMatch(/^the admin server binds 127\.0\.0\.1 \(from service a's ip.*kubelet httpGet probes/);
    expect(codes(text.replace('127.0.0.1', '0.0.0.0'))).toEqual([]);
    expect(codes('global: {local_ip: 0.0.0.0}\n' + text)).toEqual(['loopback-bind']);
  });

  it('says so when preStop and close_wait_time both wait for endpoints (the budget counts both)', () => {
    const [w] = analyze(TRPC, { preStopMs: 3000 }).warnings;
    expect(w).toMatchObject({ code: 'prestop-and-close-wait', scope: 'kubernetes', line: 6 });
    expect(w!.message).toMatch(/the grace period counts both \(6s\)/);
    const s = spec(`${CONFIG}shutdown: {preStop: 3s}\n`);
    expect(s.shutdown.budgetMs).toBe(3_000 + 25_000 + 2_000);
  });

  it('gives the framework\'s own stop example the bind and no-health warnings', () => {
    const dir = path.join(ROOT, 'test/fixtures/cases/trpc-stop-example');
    const loaded = specFromText('goneat-deploy.yaml', readFileSync(path.join(dir, 'goneat-deploy.yaml'), 'utf8'), (p) => readFileSync(path.join(dir, p), 'utf8'));
    expect(loaded.warnings.map((w) => `${w.code}@${w.line}`)).toEqual(['no-admin@5', 'loopback-bind@11', 'loopback-bind@17']);
    expect(loaded.spec.shutdown.drainMs).toBe(120_000);
  });
});

describe('admin ports', () => {
  it('are never published beyond loopback, never by swarm, never in the Kubernetes Service', async () => {
    expect(() => spec(`${CONFIG}ports: [{name: rpc, port: 8000}, {name: admin, port: 11014, publish: "0.0.0.0:11014"}]\n`)).toThrow(
      /^goneat-deploy\.yaml:4:\d+: ports\[1\]\.publish: "admin" is an admin port/,
    );
    // the tRPC-Go admin port under another name is recognized by its number
    expect(() => spec(`${CONFIG}ports: [{name: dbg, port: 11014, publish: 11014}, {name: trpc, port: 8000, publish: "0.0.0.0:8000"}]\n`)).not.toThrow();
    expect(() => spec(`${CONFIG}ports: [{name: dbg, port: 11014, publish: "0.0.0.0:1"}]\n`)).toThrow(/"dbg" is an admin port/);
    const s = spec(`${CONFIG}ports: [{name: rpc, port: 8000, publish: 8000}, {name: admin, port: 11014, publish: 11014}]\n`);
    const { renderSwarm } = await import('../../src/render/swarm.js');
    const { k8sObjects } = await import('../../src/render/k8s.js');
    const { renderCompose } = await import('../../src/render/compose.js');
    expect(renderCompose(s).content).toMatch(/ports:\n {6}- "127\.0\.0\.1:8000:8000"\n {6}- "127\.0\.0\.1:11014:11014"\n/);
    expect(renderSwarm(s).content).toContain('target: 8000');
    expect(renderSwarm(s).content).not.toContain('11014');
    const [deployment, service] = k8sObjects(s) as Array<{ spec: Record<string, any> }>;
    expect(service!.spec.ports.map((p: { name: string }) => p.name)).toEqual(['rpc']);
    const container = deployment!.spec.template.spec.containers[0];
    expect(container.ports.map((p: { name: string }) => p.name)).toEqual(['rpc', 'admin']);
    expect(container.readinessProbe.httpGet).toEqual({ path: '/is_healthy/', port: 'admin' });
  });
});

describe('the close-settings fix init writes', () => {
  it('suggests values that make tRPC-Go count and wait, and writes only them', () => {
    expect(closeFix(trpcClose(0, 0, [5000]), [5000])).toEqual({ close_wait_time: 2000, max_close_wait_time: 10_000 });
    expect(closeFix(trpcClose(3000, 3000, [12_000]), [12_000])).toEqual({ max_close_wait_time: 15_000 });
    expect(closeFix(trpcClose(2000, 8000, [0]), [0])).toBeUndefined();
    const text = 'global: {namespace: x}\nserver:\n    app: demo   # indented by 4\n    service: [{name: a, port: 8000}]\n';
    const out = applyCloseFix(text, { close_wait_time: 2000, max_close_wait_time: 10_000 });
    expect(out).toBe('global: {namespace: x}\nserver:\n    close_wait_time: 2000   # ms: keeps accepting this long after SIGTERM (set by goneat-deploy init)\n    max_close_wait_time: 10000   # ms: waits for in-flight requests up to this (set by goneat-deploy init)\n    app: demo   # indented by 4\n    service: [{name: a, port: 8000}]\n');
    const fixed = analyzeTrpcConfig(out, { file: 'trpc_go.yaml' });
    expect(fixed.facts!.close.counted).toBe(true);
    expect(fixed.warnings.map((w) => w.code)).toEqual(['no-admin']); // no longer no-drain
  });

  it('refuses what it cannot edit exactly, rather than rewriting the file', () => {
    expect(() => applyCloseFix('server: {app: demo}\n', { max_close_wait_time: 10_000 })).toThrow(/no block-style `server:` section/);
    expect(() => applyCloseFix('global: {}\n', { max_close_wait_time: 10_000 })).toThrow(/no block-style `server:` section/);
    expect(() => applyCloseFix('server:\n  max_close_wait_time: [1]\n  app: a\n', { max_close_wait_time: 10_000 })).toThrow(/not a plain value/);
  });
});
