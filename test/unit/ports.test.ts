/**
 * Ports in goneat-deploy.yaml: which are admin/debug ports (never published beyond loopback, never by
 * swarm, never in a Kubernetes Service), and publishes that cannot all bind.
 */
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { specFromText } from '../../src/config/load.js';
import { ConfigError } from '../../src/errors.js';
import { isAdminPort } from '../../src/model/admin-port.js';
import { renderCompose } from '../../src/render/compose.js';
import { k8sObjects } from '../../src/render/k8s.js';
import { renderSwarm } from '../../src/render/swarm.js';

const BASE = 'name: svc\nimage: {repository: example/svc}\n';

function errorsOf(text: string): string[] {
  try {
    specFromText('svc.yaml', text);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).exitCode).toBe(2);
    return [(err as ConfigError).message, ...(err as ConfigError).details];
  }
  throw new Error('expected a ConfigError');
}

describe('admin/debug ports are known by a word of their name, not only "admin"', () => {
  it.each([
    ['admin', true],
    ['debug', true],
    ['pprof', true],
    ['trpc-admin', true],
    ['debug-http', true],
    ['http-pprof', true],
    ['http', false],
    ['metrics', false],
    ['administrator', false],
    ['debugger', false],
  ])('%s → %s', (name, admin) => {
    expect(isAdminPort(name, 1234)).toBe(admin);
  });

  it("tRPC-Go's server.admin.port is one whatever its name", () => {
    expect(isAdminPort('mgmt', 9028, 9028)).toBe(true);
    expect(isAdminPort('mgmt', 9029, 9028)).toBe(false);
  });

  const debugHealth = `${BASE}ports: [{name: http, port: 8081, publish: 8081}, {name: debug, port: 9091, publish: 127.0.0.1:9091}]\nhealth: {port: debug, path: /healthz, command: ["/app/svc", "-probe"]}\n`;

  it('a debug health port stays out of the Kubernetes Service but keeps its probes on the pod IP', () => {
    const { spec } = specFromText('svc.yaml', debugHealth);
    const objects = k8sObjects(spec) as Array<{ kind: string; spec: any }>;
    const service = objects.find((o) => o.kind === 'Service')!;
    expect(service.spec.ports.map((p: { name: string }) => p.name)).toEqual(['http']);
    const container = objects.find((o) => o.kind === 'Deployment')!.spec.template.spec.containers[0];
    expect(container.ports.map((p: { name: string }) => p.name)).toContain('debug');
    expect(container.readinessProbe.httpGet.port).toBe('debug');
  });

  it('swarm never publishes it; compose publishes it on loopback only', () => {
    const { spec } = specFromText('svc.yaml', debugHealth);
    const stack = YAML.parse(renderSwarm(spec).content) as { services: { svc: { ports: Array<{ target: number }> } } };
    expect(stack.services.svc.ports.map((p) => p.target)).toEqual([8081]);
    const compose = YAML.parse(renderCompose(spec).content) as { services: { svc: { ports: string[] } } };
    expect(compose.services.svc.ports).toEqual(['127.0.0.1:8081:8081', '127.0.0.1:9091:9091']);
  });

  it.each(['debug', 'pprof', 'debug-http'])('publishing "%s" on every interface is refused, at the field', (name) => {
    expect(errorsOf(`${BASE}ports:\n  - {name: ${name}, port: 9091, publish: "0.0.0.0:9091"}\n`)[0]).toMatch(
      new RegExp(`^svc\\.yaml:4:\\d+: ports\\[0\\]\\.publish: "${name}" is an admin port .*publishing it on 0\\.0\\.0\\.0 exposes them`),
    );
  });
});

describe('swarm host-mode publishing', () => {
  it('does not count admin ports, which swarm never publishes', () => {
    const { spec } = specFromText(
      'svc.yaml',
      `${BASE}replicas: 2\nswarm: {publishMode: host}\nports: [{name: http, port: 8081, publish: 0}, {name: admin, port: 9091, publish: 127.0.0.1:9091}]\n`,
    );
    const stack = YAML.parse(renderSwarm(spec).content) as { services: { svc: { ports: Array<{ target: number; mode: string }> } } };
    expect(stack.services.svc.ports).toEqual([{ target: 8081, protocol: 'tcp', mode: 'host' }]);
  });

  it('still refuses a fixed host port for a port swarm publishes', () => {
    expect(errorsOf(`${BASE}replicas: 2\nswarm: {publishMode: host}\nports: [{name: http, port: 8081, publish: 8081}]\n`).join('\n')).toMatch(/ports\[0\]\.publish: swarm\.publishMode host binds port 8081/);
  });
});

describe('host port collisions', () => {
  it.each([
    ['same address and port', '{name: http, port: 8081, publish: "127.0.0.1:9091"}', '{name: admin, port: 9091, publish: "127.0.0.1:9091"}'],
    ['a bare port and its loopback spelling', '{name: http, port: 8081, publish: 9091}', '{name: other, port: 9092, publish: "127.0.0.1:9091"}'],
    ['every address and loopback', '{name: http, port: 8081, publish: "0.0.0.0:9091"}', '{name: other, port: 9092, publish: "127.0.0.1:9091"}'],
  ])('%s: exit 2 at the second publish', (_what, a, b) => {
    const errs = errorsOf(`${BASE}ports:\n  - ${a}\n  - ${b}\n`);
    expect(errs[0]).toMatch(/^svc\.yaml:5:\d+: ports\[1\]\.publish: host port 127\.0\.0\.1:9091\/tcp is already published by ports\[0\] \("http", [0-9.]+:9091\)/);
  });

  it.each([
    ['other protocols', '{name: dns, port: 53, publish: 5353}', '{name: dnsu, port: 53, protocol: udp, publish: 5353}'],
    ['other addresses', '{name: a, port: 81, publish: "127.0.0.1:9091"}', '{name: b, port: 82, publish: "127.0.0.2:9091"}'],
    ['free ports', '{name: a, port: 81, publish: 0}', '{name: b, port: 82, publish: 0}'],
  ])('%s do not collide', (_what, a, b) => {
    expect(() => specFromText('svc.yaml', `${BASE}ports:\n  - ${a}\n  - ${b}\n`)).not.toThrow();
  });
});
