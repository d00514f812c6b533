/**
 * Commands the runtime execs inside the container — health.command and kubernetes.preStopExec —
 * must name a file the image holds and the service's user can execute (model/contents.ts
 * executableProblem: one rule for both).
 */
import { describe, expect, it } from 'vitest';
import { specFromText } from '../../src/config/load.js';
import { ConfigError } from '../../src/errors.js';

const BASE = 'name: hello\nimage:\n  repository: ex/hello\n';
const HEALTH = (cmd: string) => `ports: [{name: debug, port: 9091}]\nhealth:\n  port: debug\n  path: /healthz\n  command: ${cmd}\n`;
const PRESTOP = (cmd: string) => `shutdown: {preStop: 3s}\nkubernetes:\n  version: "1.29"\n  preStopExec: ${cmd}\n`;

function firstError(text: string): string {
  try {
    specFromText('goneat-deploy.yaml', text);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).exitCode).toBe(2);
    return (err as ConfigError).message;
  }
  throw new Error('expected a ConfigError');
}

describe('health.command[0] is a file the image holds', () => {
  it.each([
    ['a shell on a scratch image', '["/bin/sh", "-c", "curl -f localhost:9091/healthz"]', /"\/bin\/sh" does not exist there/],
    ['a typo of the binary', '["/app/hellox", "-probe"]', /"\/app\/hellox" does not exist there/],
    ['a bare command name (no PATH in a scratch image)', '["curl", "-f", "http://127.0.0.1:9091/healthz"]', /"curl" does not exist there/],
  ])('%s: refused at health.command[0] with the way out', (_what, cmd, message) => {
    const e = firstError(`${BASE}${HEALTH(cmd)}`);
    expect(e).toMatch(/^goneat-deploy\.yaml:8:\d+: health\.command\[0\]: the image is FROM scratch and holds only \/sbin\/tini, \/app\/hello/);
    expect(e).toMatch(message);
    expect(e).toMatch(/the healthcheck could never pass; run the service binary as its own probe \(e\.g\. \["\/app\/hello", "-probe", "http:\/\/127\.0\.0\.1:PORT\/healthz"\]\)/);
  });

  it.each([
    ['the service binary', '["/app/hello", "-probe", "http://127.0.0.1:9091/healthz"]', ''],
    ['tini', '["/sbin/tini", "--version"]', ''],
    ['an executable image.files file', '["/usr/local/bin/probe"]', '  files: [{source: probe, target: /usr/local/bin/probe, mode: "0555"}]\n'],
    ['a file in an executable image.files directory', '["/opt/tools/probe"]', '  files: [{source: tools, target: /opt/tools, mode: "0755"}]\n'],
    ['anything on a base image', '["/bin/sh", "-c", "true"]', '  base: debian:12-slim\n'],
  ])('accepts %s', (_what, cmd, image) => {
    expect(() => specFromText('goneat-deploy.yaml', `${BASE}${image}${HEALTH(cmd)}`)).not.toThrow();
  });

  it('refuses an image.files file the non-root user cannot execute (default mode 0444)', () => {
    expect(firstError(`${BASE}  files: [{source: probe, target: /usr/local/bin/probe}]\n${HEALTH('["/usr/local/bin/probe"]')}`)).toMatch(
      /health\.command\[0\]: "\/usr\/local\/bin\/probe" is in the image with mode 0444 \(from image\.files\[0\]\), which the service's non-root user cannot execute: give it a mode like "0555"/,
    );
  });
});

describe('kubernetes.preStopExec[0]: the same rule', () => {
  it('refuses /bin/sleep, accepts the binary and an executable image.files file', () => {
    expect(firstError(`${BASE}${PRESTOP('["/bin/sleep", "3"]')}`)).toMatch(/kubernetes\.preStopExec\[0\]: the image is FROM scratch .* "\/bin\/sleep" does not exist there: run the service binary/);
    expect(() => specFromText('x.yaml', `${BASE}${PRESTOP('["/app/hello", "-sleep", "3s"]')}`)).not.toThrow();
    expect(() => specFromText('x.yaml', `${BASE}  files: [{source: s, target: /usr/local/bin/snooze, mode: "0555"}]\n${PRESTOP('["/usr/local/bin/snooze", "3"]')}`)).not.toThrow();
  });
});
