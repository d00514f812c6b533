/**
 * Golden checks of the compose and Dockerfile renderers for examples/echo:
 * the committed files equal the output, the Compose Specification schema
 * accepts it, and every secure default is asserted one by one so a
 * regenerated golden file cannot quietly drop one.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { describe, expect, it } from 'vitest';
import { specFromText } from '../../src/config/load.js';
import { renderCompose } from '../../src/render/compose.js';
import { renderSwarm } from '../../src/render/swarm.js';
import { imageLabels, renderDockerfile } from '../../src/image/dockerfile.js';
import { ROOT } from '../helpers/cli.js';
import { validateCompose } from '../helpers/validators.js';

const configPath = path.join(ROOT, 'examples/echo/goneat-deploy.yaml');
const { spec } = specFromText('goneat-deploy.yaml', readFileSync(configPath, 'utf8'));

describe('compose for examples/echo', () => {
  const rendered = renderCompose(spec);
  const doc = YAML.parse(rendered.content, { version: '1.1' }) as { services: Record<string, Record<string, unknown>> };
  const svc = doc.services.echo!;

  it('is the committed compose.yaml', () => {
    expect(rendered.content).toBe(readFileSync(path.join(ROOT, 'compose.yaml'), 'utf8'));
  });

  it('validates against the Compose Specification schema', () => {
    expect(validateCompose(rendered.content)).toEqual([]);
  });

  it('keeps docker-init out (tini is PID 1 in the image) and stops with SIGTERM within the budget', () => {
    expect(svc.init).toBe(false);
    expect(svc.stop_signal).toBe('SIGTERM');
    // preStop 3s + drain 5s + slack 2s = 10s, a duration string, never a bare number
    expect(svc.stop_grace_period).toBe('10s');
    expect(spec.shutdown.timeoutSeconds).toBe(10);
  });

  it('has no terminal, so no hangup can reach the service', () => {
    expect(svc.tty).toBe(false);
    expect(svc.stdin_open).toBe(false);
  });

  it('is secure by default', () => {
    expect(svc.user).toBe('65532:65532');
    expect(svc.read_only).toBe(true);
    expect(svc.tmpfs).toEqual(['/tmp']);
    expect(svc.cap_drop).toEqual(['ALL']);
    expect(svc.security_opt).toEqual(['no-new-privileges:true']);
    expect(svc.ports).toEqual(['127.0.0.1:8080:8080', '127.0.0.1:9090:9090']);
  });

  it('restarts unless stopped and rotates its logs', () => {
    expect(svc.restart).toBe('unless-stopped');
    expect(svc.logging).toEqual({ driver: 'json-file', options: { 'max-size': '10m', 'max-file': '3' } });
  });

  it('health-checks with a command the scratch image can run (exec form, no shell)', () => {
    expect(svc.healthcheck).toEqual({
      test: ['CMD', '/app/echo', '-probe', 'http://127.0.0.1:9090/is_healthy/'],
      interval: '5s',
      timeout: '2s',
      retries: 3,
      start_period: '10s',
    });
  });

  it('has no healthcheck when the image cannot run one', () => {
    const noCmd = specFromText('x.yaml', 'name: a\nimage: {repository: a}\nports: [{name: admin, port: 9090}]\nhealth: {port: admin, path: /is_healthy/}\n').spec;
    const out = YAML.parse(renderCompose(noCmd).content) as { services: { a: Record<string, unknown> } };
    expect(out.services.a.healthcheck).toBeUndefined();
  });

  it('writes no start_interval unless health.startInterval asks for it: docker-compose v1 and Engine < 25 refuse it', () => {
    expect(rendered.content).not.toContain('start_interval');
    const withIt = specFromText('x.yaml', `name: a\nimage: {repository: a}\nports: [{name: admin, port: 9090}]\nhealth: {port: admin, path: /is_healthy/, command: ["/app/a", "-probe"], startInterval: 500ms}\n`).spec;
    const out = renderCompose(withIt).content;
    expect((YAML.parse(out) as { services: { a: { healthcheck: Record<string, unknown> } } }).services.a.healthcheck.start_interval).toBe('500ms');
    expect(validateCompose(out)).toEqual([]);
    // The swarm stack is read by the docker CLI's own loader: never there.
    expect(renderSwarm(withIt).content).not.toContain('start_interval');
  });

  it('refuses a start interval the engine would not take', () => {
    expect(() => specFromText('x.yaml', 'name: a\nimage: {repository: a}\nports: [{name: admin, port: 9090}]\nhealth: {port: admin, path: /is_healthy/, startInterval: 0s}\n')).toThrow(
      /health\.startInterval: must be at least 1ms/,
    );
  });

  it('escapes $ so compose does not interpolate user values', () => {
    const s = specFromText('x.yaml', 'name: a\nimage: {repository: a}\nenv: {A: "cost $5 ${HOME}"}\n').spec;
    const out = renderCompose(s).content;
    expect(out).toContain('A: "cost $$5 $${HOME}"');
    expect(validateCompose(out)).toEqual([]);
  });

  it('is byte-identical for the same input', () => {
    expect(renderCompose(spec).content).toBe(rendered.content);
  });
});

describe('Dockerfile for examples/echo', () => {
  const rendered = renderDockerfile(spec, imageLabels(spec));

  it('is the committed Dockerfile', () => {
    expect(rendered.content).toBe(readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8'));
  });

  it('starts FROM scratch, runs as the numeric user, and uses exec-form tini', () => {
    const lines = rendered.content.split('\n').filter((l) => l && !l.startsWith('#'));
    expect(lines[0]).toBe('FROM scratch');
    expect(lines).toContain('USER 65532:65532');
    expect(lines).toContain('STOPSIGNAL SIGTERM');
    const entry = lines.find((l) => l.startsWith('ENTRYPOINT '))!;
    expect(JSON.parse(entry.slice('ENTRYPOINT '.length))).toEqual(['/sbin/tini', '--', '/app/echo', '-drain', '5s']);
  });

  it('escapes user values: JSON in exec form, $ in LABEL and ENV', () => {
    const s = specFromText('x.yaml', 'name: a\ndescription: "say \\"hi\\" to $USER"\nimage: {repository: a}\nargs: ["it\'s", "a \\"b\\"", "$HOME", "back\\\\"]\nenv: {A: "$B"}\n').spec;
    const out = renderDockerfile(s, imageLabels(s)).content;
    const entry = out.split('\n').find((l) => l.startsWith('ENTRYPOINT '))!;
    expect(JSON.parse(entry.slice('ENTRYPOINT '.length))).toEqual(['/sbin/tini', '--', '/app/a', "it's", 'a "b"', '$HOME', 'back\\']);
    expect(out).toContain('org.opencontainers.image.description="say \\"hi\\" to \\$USER"');
    expect(out).toContain('ENV A="\\$B"');
  });
});
