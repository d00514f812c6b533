import { describe, expect, it } from 'vitest';
import { specFromText } from '../../src/config/load.js';
import { ConfigError } from '../../src/errors.js';

const BASE = `name: echo
image:
  repository: example/echo
  tag: "1.0"
`;

function errorsOf(text: string): string[] {
  try {
    specFromText('svc.yaml', text);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    const e = err as ConfigError;
    expect(e.exitCode).toBe(2);
    return [e.message, ...e.details];
  }
  throw new Error('expected a ConfigError');
}

describe('config errors name file:line:column, the field and what was expected', () => {
  it.each([
    ['invalid YAML', 'name: echo\nimage: [a\n', /^svc\.yaml:\d+:\d+: invalid YAML: /],
    ['a duplicate key', `${BASE}name: other\n`, /^svc\.yaml:5:1: invalid YAML: Map keys must be unique/],
    ['an unknown key with a suggestion', `${BASE}replica: 2\n`, /^svc\.yaml:5:1: replica: unknown field \(did you mean "replicas"\?\); expected one of: /],
    ['an unknown nested key', `${BASE}shutdown:\n  drian: 5s\n`, /^svc\.yaml:6:3: shutdown\.drian: unknown field \(did you mean "drain"\?\)/],
    ['a wrong type', `${BASE}replicas: two\n`, /^svc\.yaml:5:11: replicas: expected a whole number, got "two"$/],
    ['a bad duration', `${BASE}shutdown:\n  drain: 5 seconds\n`, /^svc\.yaml:6:10: shutdown\.drain: expected a duration like "500ms", "5s" or "1m30s", got "5 seconds"$/],
    ['a bare number as duration', `${BASE}shutdown:\n  drain: 20\n`, /^svc\.yaml:6:10: shutdown\.drain: expected a duration .*, got the number 20$/],
    ['a missing field', 'name: echo\n', /^svc\.yaml:1:1: missing required field "image"$/],
    ['a bad service name', 'name: Echo_1\nimage: {repository: a}\n', /^svc\.yaml:1:7: name: expected a DNS label/],
    ['an uppercase repository', 'name: echo\nimage: {repository: Example/Echo}\n', /^svc\.yaml:2:21: image\.repository: expected an image repository/],
    ['a bad env name', `${BASE}env:\n  1X: a\n`, /^svc\.yaml:6:3: env\.1X: invalid name "1X": expected an environment variable name/],
    ['a port out of range', `${BASE}ports:\n  - {name: http, port: 70000}\n`, /^svc\.yaml:6:24: ports\[0\]\.port: expected a number <= 65535, got the number 70000$/],
    ['an empty file', '', /^svc\.yaml:1:1: the file is empty/],
    ['a list at the top', '- a\n', /^svc\.yaml:1:1: expected a mapping of fields/],
  ])('%s', (_what, text, expected) => {
    expect(errorsOf(text)[0]).toMatch(expected);
  });

  it('reports every problem at once, in file order', () => {
    const errs = errorsOf(`${BASE}replicas: 0\nshutdown:\n  drain: x\nuser: root\n`);
    expect(errs.map((e) => e.split(': ')[0])).toEqual(['svc.yaml:5:11', 'svc.yaml:7:10', 'svc.yaml:8:7']);
  });
});

describe('semantic checks', () => {
  it.each([
    ['SIGHUP as stop signal', `${BASE}shutdown: {signal: SIGHUP}\n`, /shutdown\.signal: SIGHUP is refused as a stop signal: .*nohup/],
    ['SIGUSR2 as stop signal', `${BASE}shutdown: {signal: SIGUSR2}\n`, /shutdown\.signal: SIGUSR2 is refused .*hot restart/],
    ['SIGKILL as stop signal', `${BASE}shutdown: {signal: SIGKILL}\n`, /shutdown\.signal: SIGKILL is refused/],
    ['an unknown signal', `${BASE}shutdown: {signal: SIGFOO}\n`, /shutdown\.signal: expected one of SIGTERM, SIGINT, SIGQUIT, SIGUSR1, got "SIGFOO"/],
    ['preStop with zero drain', `${BASE}shutdown: {drain: 0s, preStop: 5s}\n`, /shutdown\.drain: is 0s but preStop is 5s/],
    ['preStop not shorter than a pinned grace period', `${BASE}shutdown: {drain: 5s, preStop: 30s, gracePeriod: 30s}\n`, /shutdown\.preStop: 30s is not shorter than gracePeriod 30s/],
    ['a pinned grace period below the budget', `${BASE}shutdown: {drain: 20s, gracePeriod: 15s}\n`, /shutdown\.gracePeriod: 15s is shorter than the shutdown budget preStop 0s \+ drain 20s \+ slack 2s = 22s/],
    ['root user', `${BASE}user: 0\n`, /expected a numeric non-root/],
    ['root user as string', `${BASE}user: "0:0"\n`, /^svc\.yaml:5:7: user: runs as root/],
    ['main and binary', `${BASE}build: {main: ., binary: bin/x}\n`, /build\.binary: set either build\.main .* or build\.binary/],
    ['a health port name that does not exist', `${BASE}ports: [{name: http, port: 80}]\nhealth: {port: admin, path: /h}\n`, /health\.port: no port named "admin" in ports \(have: http\)/],
    ['duplicate port names', `${BASE}ports: [{name: http, port: 80}, {name: http, port: 81}]\n`, /ports\[1\]\.name: duplicate port name "http"/],
    ['a newline in an argument', `${BASE}args: ["a\\nb"]\n`, /args\[0\]: control characters/],
    ['a newline in an env value', `${BASE}env: {A: "x\\ny"}\n`, /env\.A: control characters/],
    ['a preStop that is not whole seconds', `${BASE}shutdown: {preStop: 1500ms, drain: 5s}\n`, /shutdown\.preStop: must be whole seconds/],
    ['an exec preStop without a preStop delay', `${BASE}kubernetes: {preStopExec: ["/app/echo", "-sleep", "1s"]}\n`, /kubernetes\.preStopExec: is set but shutdown\.preStop is 0s/],
    ['GOMAXPROCS set twice', `${BASE}resources: {cpu: "1", memory: 64Mi}\nkubernetes: {goRuntimeEnv: true}\nenv: {GOMAXPROCS: "2"}\n`, /env\.GOMAXPROCS: is also set by kubernetes\.goRuntimeEnv/],
    ['a description ending in a backslash', `${BASE}description: "a\\\\"\n`, /description: must not end with a backslash/],
    ['host-mode publishing of a fixed port with replicas', `${BASE}replicas: 2\nswarm: {publishMode: host}\nports: [{name: http, port: 80, publish: 8080}]\n`, /ports\[0\]\.publish: swarm\.publishMode host binds port 8080 on the node itself/],
    ['a host path with a space', `${BASE}host: {binaryPath: "/opt/my app"}\n`, /host\.binaryPath: expected an absolute path/],
    ['an invalid publish IP', `${BASE}ports: [{name: http, port: 80, publish: "300.1.1.1:80"}]\n`, /ports\[0\]\.publish: "300\.1\.1\.1" is not an IPv4 address/],
  ])('%s', (_what, text, expected) => {
    expect(errorsOf(text).join('\n')).toMatch(expected);
  });
});

describe('defaults', () => {
  it('fills secure, documented defaults', () => {
    const { spec } = specFromText('svc.yaml', BASE);
    expect(spec.image.ref).toBe('example/echo:1.0');
    expect(spec.user).toEqual({ uid: 65532, gid: 65532 });
    expect(spec.shutdown).toMatchObject({ signal: 'SIGTERM', drainMs: 10_000, preStopMs: 0, slackMs: 2000, budgetMs: 12_000, timeoutSeconds: 12, successExitCodes: [0] });
    expect(spec.entrypoint).toEqual(['/sbin/tini', '--', '/app/echo']);
    expect(spec.build).toEqual({ kind: 'go', main: '.', ldflags: '-s -w -buildid=', tags: [] });
    expect(spec.replicas).toBe(1);
  });

  it('binds a bare published port to 127.0.0.1 only', () => {
    const { spec } = specFromText('svc.yaml', `${BASE}ports: [{name: http, port: 8080, publish: 8080}, {name: b, port: 81, publish: "0.0.0.0:81"}]\n`);
    expect(spec.ports[0]!.publish).toEqual({ hostIp: '127.0.0.1', hostPort: 8080 });
    expect(spec.ports[1]!.publish).toEqual({ hostIp: '0.0.0.0', hostPort: 81 });
  });

  it('stringifies scalar env values', () => {
    const { spec } = specFromText('svc.yaml', `${BASE}env: {PORT: 8080, DEBUG: true, NAME: x}\n`);
    expect(spec.env).toEqual([['PORT', '8080'], ['DEBUG', 'true'], ['NAME', 'x']]);
  });
});

describe('the shutdown budget', () => {
  it.each([
    // preStop, drain, slack, gracePeriod → timeoutSeconds
    ['0s', '5s', '2s', undefined, 7],
    ['3s', '5s', '2s', undefined, 10],
    ['3s', '5s', '500ms', undefined, 9],
    ['0s', '10s', '0s', undefined, 10],
    ['5s', '10s', '2s', '60s', 60],
    ['0s', '0s', '0s', undefined, 1],
  ])('preStop %s + drain %s + slack %s (grace %s) → %ds', (preStop, drain, slack, grace, seconds) => {
    const g = grace ? `, gracePeriod: ${grace}` : '';
    const { spec } = specFromText('svc.yaml', `${BASE}shutdown: {preStop: ${preStop}, drain: ${drain}, slack: ${slack}${g}}\n`);
    expect(spec.shutdown.timeoutSeconds).toBe(seconds);
    expect(spec.shutdown.timeoutSeconds * 1000).toBeGreaterThanOrEqual(spec.shutdown.budgetMs);
  });
});
