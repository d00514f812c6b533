import { describe, expect, it } from 'vitest';
import { evaluate, type Observations } from '../../src/verify/checks.js';
import { labelDisagreements, parseEndpoint, parseSignal, planVerify, type VerifyPlan } from '../../src/verify/plan.js';
import { formatReport } from '../../src/verify/report.js';
import { specFromText } from '../../src/config/load.js';
import type { ImageInfo } from '../../src/runtime/engine.js';

const plan: VerifyPlan = {
  image: 'x',
  as: 'compose',
  signal: 'SIGTERM',
  stopTimeoutS: 10,
  successExitCodes: [0],
  health: { port: 9090, path: '/is_healthy/' },
  inflight: { port: 8080, path: '/slow?ms=2000' },
  imageUser: '65532:65532',
  source: 'defaults',
};

const good: Observations = {
  started: true,
  readyMs: 400,
  pid1Pid: 100,
  processes: [
    { pid: 100, ppid: 1, uid: 65532, tty: '?', args: '/sbin/tini -- /app/echo' },
    { pid: 101, ppid: 100, uid: 65532, tty: '?', args: '/app/echo' },
  ],
  tty: false,
  openStdin: false,
  readOnly: true,
  stop: { signalAt: 0, exitAt: 2300, exitCode: 0, killed: false },
  inflight: { sentAt: -300, doneAt: 1700, status: 200 },
  healthNotReady: { at: 30, what: '503' },
};

const byId = (o: Observations, p = plan) => Object.fromEntries(evaluate(p, o).map((c) => [c.id, c]));

describe('verify verdicts', () => {
  it('all pass for a well-behaved service', () => {
    expect(evaluate(plan, good).map((c) => c.status)).toEqual(Array(8).fill('pass'));
  });

  it('PID 1 that is not an init fails, naming it', () => {
    const o = { ...good, processes: [{ pid: 100, ppid: 1, uid: 65532, tty: '?', args: '/bin/sh -c /app/echo; echo exited' }] };
    expect(byId(o)['pid1-init']).toMatchObject({ status: 'fail', measured: 'PID 1 is /bin/sh -c /app/echo; echo exited, not an init: signals are not forwarded, zombies are not reaped' });
  });

  it('143 with the service a grandchild of tini (a shell in between): the hint is exec, not declaring 143', () => {
    const o: Observations = {
      ...good,
      processes: [
        { pid: 100, ppid: 1, uid: 65532, tty: '?', args: '/sbin/tini -- /bin/sh -c /app/echo -drain 5s; echo done' },
        { pid: 101, ppid: 100, uid: 65532, tty: '?', args: '/bin/sh -c /app/echo -drain 5s; echo done' },
        { pid: 102, ppid: 101, uid: 65532, tty: '?', args: '/app/echo -drain 5s' },
      ],
      stop: { signalAt: 0, exitAt: 40, exitCode: 143, killed: false },
    };
    const m = byId(o)['graceful-stop']!;
    expect(m.status).toBe('fail');
    expect(m.measured).toMatch(/tini's child `\/bin\/sh -c .*` got the signal and died without passing it on, so the service `\/app\/echo -drain 5s` \(tini's grandchild\) never saw it; make the wrapper exec the service \(`exec \/app\/echo \.\.\.`/);
    expect(m.measured).not.toMatch(/declare 143 in successExitCodes only/);
    // The service itself as tini's child, killed by SIGTERM: it has no handler, and 143 may be declared if intended.
    expect(byId({ ...good, stop: { signalAt: 0, exitAt: 40, exitCode: 143, killed: false } })['graceful-stop']!.measured).toMatch(/declare 143 in successExitCodes only if that is intended/);
  });

  it('137 after the timeout is a SIGKILL; 143 is a failure unless declared; 2 hints at Go as PID 1', () => {
    expect(byId({ ...good, stop: { signalAt: 0, exitAt: 10_100, exitCode: 137, killed: true } })['graceful-stop']!.measured).toBe('exit 137 after 10.10 s (budget 10 s): SIGKILLed when the 10s timeout ended');
    expect(byId({ ...good, stop: { signalAt: 0, exitAt: 40, exitCode: 143, killed: false } })['graceful-stop']!.status).toBe('fail');
    expect(byId({ ...good, stop: { signalAt: 0, exitAt: 40, exitCode: 143, killed: false } }, { ...plan, successExitCodes: [0, 143] })['graceful-stop']!.status).toBe('pass');
    expect(byId({ ...good, stop: { signalAt: 0, exitAt: 20, exitCode: 2, killed: false } })['graceful-stop']!.measured).toMatch(/Go's exit for an unhandled signal/);
  });

  it('a clean exit after the budget still fails', () => {
    expect(byId({ ...good, stop: { signalAt: 0, exitAt: 10_500, exitCode: 0, killed: false } })['graceful-stop']!.status).toBe('fail');
  });

  it('an in-flight request must complete after the signal', () => {
    expect(byId({ ...good, inflight: { sentAt: -300, doneAt: 1700, error: 'ECONNRESET' } })['inflight-completes']!.status).toBe('fail');
    expect(byId({ ...good, inflight: { sentAt: -300, doneAt: -10, status: 200 } })['inflight-completes']!.measured).toMatch(/finished before the signal/);
    expect(byId(good, { ...plan, inflight: undefined } as unknown as VerifyPlan)['inflight-completes']!.status).toBe('skip');
  });

  it('health must turn not-ready before exit', () => {
    const { healthNotReady: _h, ...noHealth } = good;
    expect(byId(noHealth)['health-not-ready']!.status).toBe('fail');
    expect(byId({ ...good, healthNotReady: { at: 2400, what: '503' } })['health-not-ready']!.status).toBe('fail');
  });

  it('root, a named user, or a TTY fail', () => {
    expect(byId(good, { ...plan, imageUser: '' })['non-root']!.measured).toMatch(/no USER: runs as root/);
    expect(byId(good, { ...plan, imageUser: 'app' })['non-root']!.measured).toMatch(/is a name/);
    expect(byId({ ...good, tty: true })['no-tty']!.status).toBe('fail');
    expect(byId({ ...good, processes: good.processes.map((p) => ({ ...p, tty: 'pts/0' })) })['no-tty']!.status).toBe('fail');
  });

  it('a container that exits during start fails the start checks with the reason', () => {
    const o: Observations = { started: false, processes: [], readOnly: true, tty: false, openStdin: false, startFailure: 'exited during start with code 1 (read-only file system)' };
    const r = byId(o);
    expect(r['read-only-rootfs']).toMatchObject({ status: 'fail', measured: 'exited during start with code 1 (read-only file system)' });
    expect(r['graceful-stop']!.status).toBe('fail');
  });

  it('a container that exits during start for another reason: unobserved checks are not judged, healthy and graceful-stop fail with the reason', () => {
    const o: Observations = { started: false, processes: [], readOnly: true, tty: false, openStdin: false, startFailure: 'exited during start with code 2 (flag provided but not defined: -bogus)' };
    const r = byId(o);
    expect(r['pid1-init']).toMatchObject({ status: 'skip', measured: 'not judged: the container exited during start with code 2 (flag provided but not defined: -bogus)' });
    expect(r['read-only-rootfs']!.status).toBe('skip');
    expect(r['non-root']!.measured).toMatch(/no process observed/);
    expect(r['healthy']).toMatchObject({ status: 'fail', measured: 'exited during start with code 2 (flag provided but not defined: -bogus)' });
    expect(r['graceful-stop']!.status).toBe('fail');
  });
});

describe('verify plan', () => {
  const info = (labels: Record<string, string>, stopSignal?: string): ImageInfo => ({
    id: 'sha256:x', size: 1, repoDigests: [], entrypoint: [], cmd: null, user: '1', workingDir: '', labels, env: [], architecture: 'amd64', os: 'linux', ...(stopSignal ? { stopSignal } : {}),
  });

  it('reads a goneat-deploy image\'s labels', () => {
    const p = planVerify('x', {
      info: info({ 'io.goneat-deploy.service': 'echo', 'io.goneat-deploy.stop-timeout': '12s', 'io.goneat-deploy.health': '9090/is_healthy/', 'io.goneat-deploy.success-exit-codes': '0,143', 'io.goneat-deploy.prestop': '3s' }, 'SIGINT'),
      flags: { as: 'k8s' },
    });
    expect(p).toMatchObject({ signal: 'SIGINT', stopTimeoutS: 12, successExitCodes: [0, 143], health: { port: 9090, path: '/is_healthy/' }, preStop: { kind: 'sleep', seconds: 3 }, source: 'image labels' });
  });

  it('says where the image\'s labels disagree with the config verify uses (an image built from another config or before a change)', () => {
    const { spec } = specFromText('goneat-deploy.yaml', 'name: echo\nimage: {repository: x}\nbuild: {binary: /usr/bin/true}\nports: [{name: admin, port: 9028}]\nhealth: {port: admin, path: /is_healthy/}\nshutdown: {drain: 10s}\n');
    const same = { 'io.goneat-deploy.health': '9028/is_healthy/', 'io.goneat-deploy.stop-timeout': `${spec.shutdown.timeoutSeconds}s` };
    expect(labelDisagreements(spec, same, 'goneat-deploy.yaml')).toEqual([]);
    expect(labelDisagreements(spec, {}, 'goneat-deploy.yaml')).toEqual([]);
    const other = labelDisagreements(spec, { 'io.goneat-deploy.health': '9090/healthz', 'io.goneat-deploy.stop-timeout': '10s' }, 'goneat-deploy.yaml');
    expect(other).toHaveLength(2);
    expect(other[0]).toMatch(/label io\.goneat-deploy\.health is 9090\/healthz, goneat-deploy\.yaml says 9028\/is_healthy\/: verify uses goneat-deploy\.yaml; rebuild the image/);
    expect(other[1]).toMatch(new RegExp(`stop-timeout is 10s, goneat-deploy\\.yaml gives ${spec.shutdown.timeoutSeconds}s`));
  });

  it('falls back to Docker and Kubernetes defaults, and flags override', () => {
    expect(planVerify('x', { info: info({}), flags: {} })).toMatchObject({ stopTimeoutS: 10, signal: 'SIGTERM', source: 'defaults' });
    expect(planVerify('x', { info: info({}), flags: { as: 'k8s' } }).stopTimeoutS).toBe(30);
    expect(planVerify('x', { info: info({}), flags: { stopTimeout: '4', health: '80/h', inflight: '81/slow' } })).toMatchObject({ stopTimeoutS: 4, health: { port: 80, path: '/h' }, inflight: { port: 81, path: '/slow' } });
  });

  it('refuses bad flags', () => {
    expect(() => planVerify('x', { info: info({}), flags: { as: 'nomad' } })).toThrow(/--as nomad: expected compose or k8s/);
    expect(() => parseEndpoint('is_healthy', '--health')).toThrow(/expected PORT\/PATH/);
    expect(() => planVerify('x', { info: info({}), flags: { stopTimeout: 'soon' } })).toThrow(/--stop-timeout/);
    expect(() => planVerify('x', { info: info({}), flags: { successExitCodes: '0,300' } })).toThrow(/--success-exit-codes/);
  });

  it('--signal takes the engine\'s signal names (with or without SIG, any case) and lists them otherwise', () => {
    expect(parseSignal('SIGQUIT')).toBe('SIGQUIT');
    expect(parseSignal('term')).toBe('SIGTERM');
    expect(() => parseSignal('SIGFOO')).toThrow(/^--signal SIGFOO: not a signal name; expected one of SIGABRT, .*SIGTERM, .*SIGXFSZ$/);
    expect(() => planVerify('x', { info: info({}), flags: { signal: '15x' } })).toThrow(/--signal 15x: not a signal name/);
  });

  it('the report names the config file actually read (-c), not goneat-deploy.yaml', () => {
    const p = planVerify('x', { spec: specFromText('wrong-health.yaml', 'name: svc\nimage: {repository: a/svc, tag: "1"}\n').spec, configFile: 'wrong-health.yaml', info: info({}), flags: {} });
    expect(p.configFile).toBe('wrong-health.yaml');
    const header = formatReport({ image: 'x', as: 'compose', source: p.source, configFile: p.configFile!, signal: 'SIGTERM', stopTimeoutS: 10, passed: true, checks: [], timeline: [] }).split('\n')[0];
    expect(header).toBe('verify x as compose (docker stop: SIGTERM, SIGKILL after 10s; settings from wrong-health.yaml)');
  });
});
