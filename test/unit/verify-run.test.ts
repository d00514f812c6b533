/**
 * verify's orchestration (src/verify/run.ts) against the in-memory engine:
 * start, readiness, the stop the way compose or the kubelet does it, the
 * in-flight request across the signal, and cleanup — over real sockets to the
 * fake service's ports. The real engine runs the same flows in test/e2e/verify.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { InterruptedError } from '../../src/errors.js';
import type { VerifyPlan } from '../../src/verify/plan.js';
import { verifyImage } from '../../src/verify/run.js';
import { FakeEngine, type FakeService } from '../fakes/engine.js';

const IMAGE = 'goneat-test/svc:1';

function engineWith(service: FakeService): FakeEngine {
  const engine = new FakeEngine();
  engine.images.byRef.set(IMAGE, { id: 'sha256:1', size: 1, repoDigests: [], entrypoint: [], cmd: null, user: '65532:65532', workingDir: '/app', labels: {}, env: [], architecture: 'amd64', os: 'linux' });
  engine.containers.services.set(IMAGE, service);
  return engine;
}

const plan = (over: Partial<VerifyPlan> = {}): VerifyPlan => ({
  image: IMAGE,
  as: 'compose',
  signal: 'SIGTERM',
  stopTimeoutS: 3,
  successExitCodes: [0],
  health: { port: 9090, path: '/is_healthy/' },
  inflight: { port: 8080, path: '/slow?ms=700' },
  imageUser: '65532:65532',
  source: 'goneat-deploy.yaml',
  ...over,
});

const statuses = (r: { checks: Array<{ id: string; status: string }> }) => Object.fromEntries(r.checks.map((c) => [c.id, c.status]));

describe('verifyImage against the fake engine', () => {
  it('compose: a service that drains passes every check, and its container is removed', async () => {
    const engine = engineWith({ health: { port: 9090, path: '/is_healthy/' }, drainMs: 900 });
    const steps: string[] = [];
    const r = await verifyImage(engine.containers, plan(), { step: (m) => steps.push(m) });
    expect(statuses(r)).toEqual({ 'pid1-init': 'pass', 'no-tty': 'pass', 'non-root': 'pass', healthy: 'pass', 'read-only-rootfs': 'pass', 'graceful-stop': 'pass', 'inflight-completes': 'pass', 'health-not-ready': 'pass' });
    expect(r.passed).toBe(true);
    expect(r.exitCode).toBe(0);
    expect(r.stopMs).toBeGreaterThanOrEqual(900);
    expect(r.stopMs).toBeLessThan(3000);
    expect(steps[1]).toBe('docker stop (SIGTERM, SIGKILL after 3s)');
    // stop with the plan's timeout, then always removed
    const [id] = engine.containers.removed;
    expect(engine.containers.calls.filter((c) => !c.startsWith('run'))).toEqual([`stop ${id} 3`, `remove ${id}`]);
    expect(engine.containers.all.size).toBe(0);
  });

  it('a health endpoint that refuses connections after the signal while the service still drains is not-ready (tRPC-Go\'s admin server)', async () => {
    const engine = engineWith({ health: { port: 9090, path: '/is_healthy/', closesOnStop: true }, drainMs: 900 });
    const r = await verifyImage(engine.containers, plan({ inflight: undefined }));
    const by = Object.fromEntries(r.checks.map((c) => [c.id, c]));
    expect(by['health-not-ready']!.status).toBe('pass');
    expect(by['health-not-ready']!.measured).toMatch(/^\/is_healthy\/ → no connection \(ECONNREFUSED\) /);
    expect(r.passed).toBe(true);
  });

  it('a refusal that docker top cannot show the service outliving counts only when the service then exits gracefully', async () => {
    const tini = { pid: 4242, ppid: 1, uid: 65532, tty: '?', args: '/sbin/tini -- /app/svc' };
    // docker top: tini and the service before the stop; after the signal only tini (the answer came after the service's exit).
    const gone = (engine: FakeEngine) => {
      let calls = 0;
      engine.containers.processes = async () => (calls++ === 0 ? [tini, { pid: 4243, ppid: 4242, uid: 65532, tty: '?', args: '/app/svc' }] : [tini]);
      return () => calls;
    };
    // Exit 0: its own shutdown closed the listener first (Go's Server.Shutdown; etcd, docker-registry).
    const graceful = engineWith({ health: { port: 9090, path: '/is_healthy/', closesOnStop: true }, drainMs: 150 });
    const gracefulCalls = gone(graceful);
    const ok = await verifyImage(graceful.containers, plan({ inflight: undefined }));
    expect(gracefulCalls()).toBeGreaterThan(1);
    const okBy = Object.fromEntries(ok.checks.map((c) => [c.id, c]));
    expect(okBy['health-not-ready']!.status).toBe('pass');
    expect(okBy['health-not-ready']!.measured).toMatch(/^\/is_healthy\/ → no connection \(ECONNREFUSED\) /);
    // Exit 2 (a Go binary killed by the signal's default action): the refusal is the death, not a readiness change.
    const died = engineWith({ health: { port: 9090, path: '/is_healthy/', closesOnStop: true }, drainMs: 150, exitCode: 2 });
    gone(died);
    const bad = await verifyImage(died.containers, plan({ inflight: undefined }));
    expect(Object.fromEntries(bad.checks.map((c) => [c.id, c.measured]))['health-not-ready']).toBe('/is_healthy/ kept answering 200 until the process exited');
  });

  it('compose: a PID 1 that ignores SIGTERM is SIGKILLed at the timeout (137) and fails', async () => {
    const engine = engineWith({ handles: [], processes: [{ pid: 4242, ppid: 1, uid: 65532, tty: '?', args: '/bin/sh -c /app/svc' }] });
    const r = await verifyImage(engine.containers, plan({ stopTimeoutS: 1, health: undefined, inflight: undefined }));
    const by = Object.fromEntries(r.checks.map((c) => [c.id, c]));
    expect(by['graceful-stop']!.status).toBe('fail');
    expect(by['graceful-stop']!.measured).toMatch(/^exit 137 after 1\.\d\d s \(budget 1 s\): SIGKILLed when the 1s timeout ended$/);
    expect(by['pid1-init']!.measured).toMatch(/PID 1 is \/bin\/sh -c \/app\/svc, not an init/);
    expect(r.passed).toBe(false);
  });

  it('k8s: preStop sleep, then the stop signal to PID 1; the in-flight request is sent before the signal', async () => {
    const engine = engineWith({ health: { port: 9090, path: '/is_healthy/' }, drainMs: 900 });
    const r = await verifyImage(engine.containers, plan({ as: 'k8s', preStop: { kind: 'sleep', seconds: 1 } }));
    expect(r.passed, JSON.stringify(r.checks)).toBe(true);
    const events = r.timeline.map((e) => e.event);
    expect(events[0]).toBe('pod Terminating; grace period 3s starts');
    const signalAt = r.timeline.find((e) => e.event.startsWith('SIGTERM to PID 1'))!.t;
    // Node's timers run on libuv's cached millisecond loop clock (uv_now), so a 1000 ms sleep measured
    // with performance.now() can read up to 1 ms short (999.56 seen here).
    expect(signalAt).toBeGreaterThanOrEqual(999);
    expect(r.timeline.find((e) => e.event.startsWith('in-flight GET') && e.event.endsWith('sent'))!.t).toBeLessThan(signalAt);
    expect(engine.containers.calls.some((c) => /^signal \S+ SIGTERM$/.test(c))).toBe(true);
  });

  it('k8s: a preStop exec hook that exits non-zero fails prestop-hook (the kubelet\'s FailedPreStopHook), with its output', async () => {
    const engine = engineWith({ health: { port: 9090, path: '/is_healthy/' }, drainMs: 100, exec: { exitCode: 2, ms: 60, output: 'flag provided but not defined: -sleep\nUsage of /app/svc:\n' } });
    const r = await verifyImage(engine.containers, plan({ as: 'k8s', inflight: undefined, preStop: { kind: 'exec', command: ['/app/svc', '-sleep', '1s'], seconds: 1 } }));
    const by = Object.fromEntries(r.checks.map((c) => [c.id, c]));
    expect(by['prestop-hook']!.status).toBe('fail');
    expect(by['prestop-hook']!.measured).toMatch(/^exec \/app\/svc -sleep 1s exited 2 after 0\.\d\d s \(Usage of \/app\/svc:\): the kubelet records FailedPreStopHook and sends SIGTERM at once, without the 1 s for endpoint removal$/);
    expect(r.passed).toBe(false);
    expect(r.timeline.map((e) => e.event)).toContain('preStop exec exited 2 (Usage of /app/svc:)');
  });

  it('k8s: a preStop exec hook that exits 0 but returns early fails prestop-hook; one that lasts shutdown.preStop passes', async () => {
    const short = engineWith({ health: { port: 9090, path: '/is_healthy/' }, drainMs: 100, exec: { exitCode: 0, ms: 100, output: '' } });
    const r = await verifyImage(short.containers, plan({ as: 'k8s', inflight: undefined, preStop: { kind: 'exec', command: ['/app/svc', '-sleep', '1s'], seconds: 1 } }));
    const by = Object.fromEntries(r.checks.map((c) => [c.id, c]));
    expect(by['prestop-hook']).toMatchObject({ status: 'fail' });
    expect(by['prestop-hook']!.measured).toMatch(/exited 0 after 0\.\d\d s, not the 1 s of shutdown\.preStop: SIGTERM comes before endpoints are removed$/);
    const full = engineWith({ health: { port: 9090, path: '/is_healthy/' }, drainMs: 100, exec: { exitCode: 0, ms: 1000, output: '' } });
    const ok = await verifyImage(full.containers, plan({ as: 'k8s', inflight: undefined, preStop: { kind: 'exec', command: ['/app/svc', '-sleep', '1s'], seconds: 1 } }));
    expect(statuses(ok)['prestop-hook']).toBe('pass');
    expect(ok.passed, JSON.stringify(ok.checks)).toBe(true);
  });

  it('k8s: the grace period ends in SIGKILL when the service does not stop', async () => {
    const engine = engineWith({ handles: [] });
    const r = await verifyImage(engine.containers, plan({ as: 'k8s', stopTimeoutS: 1, health: undefined, inflight: undefined }));
    expect(r.exitCode).toBe(137);
    expect(r.timeline.map((e) => e.event)).toContain('grace period over: SIGKILL');
    expect(statuses(r)['graceful-stop']).toBe('fail');
  });

  it('a health port nothing listens on fails healthy (not read-only-rootfs), quickly when the service\'s other port answers, and never passes health-not-ready', async () => {
    // The service serves 8080 and 9090, but the config says health is on 9028 (tRPC-Go without server.admin).
    const engine = engineWith({ health: { port: 9090, path: '/is_healthy/' }, drainMs: 100, unserved: [9028] });
    const began = Date.now();
    const r = await verifyImage(engine.containers, plan({ health: { port: 9028, path: '/is_healthy/' }, inflight: { port: 8080, path: '/slow?ms=10' } }), { readiness: { refusedMs: 1000 } });
    expect(Date.now() - began).toBeLessThan(10_000);
    const by = Object.fromEntries(r.checks.map((c) => [c.id, c]));
    expect(by['healthy']!.status).toBe('fail');
    expect(by['healthy']!.measured).toMatch(/^nothing answers on port 9028 \(ECONNRESET for \d\.\d\d s\) while port 8080 does: the service never serves \/is_healthy\/ there \(health\.port\)$/);
    expect(by['read-only-rootfs']!.status).toBe('skip');
    expect(by['health-not-ready']).toMatchObject({ status: 'fail', measured: '/is_healthy/ never answered 200 before the signal: it never was ready, so it cannot turn not-ready' });
    expect(r.passed).toBe(false);
  });

  it('a health path that answers 404 fails healthy, naming the path, without waiting the whole deadline', async () => {
    const engine = engineWith({ health: { port: 9090, path: '/is_healthy/' }, drainMs: 100, missing: ['/healthz'] });
    const r = await verifyImage(engine.containers, plan({ health: { port: 9090, path: '/healthz' }, inflight: undefined }), { readiness: { notFoundMs: 500 } });
    const by = Object.fromEntries(r.checks.map((c) => [c.id, c]));
    expect(by['healthy']!.measured).toMatch(/^GET \/healthz on port 9090 answered 404 for 0\.\d\d s: the service has no such path \(health\.path\)$/);
    expect(by['read-only-rootfs']!.status).toBe('skip');
  });

  it('a health endpoint that never turns 200 is "not healthy within" the deadline, with its last answer', async () => {
    const engine = engineWith({ health: { port: 9090, path: '/is_healthy/' }, crash: { afterMs: 60_000, exitCode: 1, log: '' } }); // answers 503 while "crashing"
    const r = await verifyImage(engine.containers, plan({ inflight: undefined }), { readiness: { deadlineMs: 700 } });
    const by = Object.fromEntries(r.checks.map((c) => [c.id, c]));
    expect(by['healthy']!.measured).toMatch(/^not healthy within 0\.\d\d s: GET \/is_healthy\/ on port 9090 last answered HTTP 503$/);
  });

  it('a container that exits during start fails with its last log line, and is removed', async () => {
    const engine = engineWith({ health: { port: 9090, path: '/is_healthy/' }, crash: { afterMs: 100, exitCode: 1, log: 'open /data/x: read-only file system' } });
    const r = await verifyImage(engine.containers, plan());
    const by = Object.fromEntries(r.checks.map((c) => [c.id, c]));
    expect(by['read-only-rootfs']).toMatchObject({ status: 'fail', measured: 'exited during start with code 1 (open /data/x: read-only file system)' });
    expect(by['graceful-stop']!.status).toBe('fail');
    expect(engine.containers.removed).toHaveLength(1);
  });

  it('a service that exits at start is reported by the line that says why, not the last line of its usage text', async () => {
    const engine = engineWith({ health: { port: 9090, path: '/is_healthy/' }, crash: { afterMs: 100, exitCode: 2, log: 'flag provided but not defined: -bogus\nUsage of /app/svc:\n  -drain duration\n    \tdrain (default 5s)' } });
    const r = await verifyImage(engine.containers, plan());
    const by = Object.fromEntries(r.checks.map((c) => [c.id, c]));
    expect(by['healthy']).toMatchObject({ status: 'fail', measured: 'exited during start with code 2 (flag provided but not defined: -bogus)' });
    expect(by['pid1-init']!.status).toBe('skip');
    expect(r.passed).toBe(false);
  });

  it('runs health.command in the container as the engine\'s healthcheck would: a probe flag the binary does not know fails health-command', async () => {
    const failing = engineWith({ health: { port: 9090, path: '/is_healthy/' }, drainMs: 100, exec: { exitCode: 2, ms: 0, output: 'flag provided but not defined: -probe\nUsage of /app/svc:\n  -drain duration' } });
    const r = await verifyImage(failing.containers, plan({ healthCommand: ['/app/svc', '-probe', 'http://127.0.0.1:9090/is_healthy/'] }));
    const by = Object.fromEntries(r.checks.map((c) => [c.id, c]));
    expect(by['health-command']).toMatchObject({ status: 'fail', measured: '/app/svc -probe http://127.0.0.1:9090/is_healthy/ → exit 2 (flag provided but not defined: -probe): compose and swarm would mark the container unhealthy' });
    expect(by['healthy']!.status).toBe('pass');
    expect(r.passed).toBe(false);
    expect(failing.containers.calls.some((c) => c.startsWith('exec ') && c.endsWith('-probe http://127.0.0.1:9090/is_healthy/'))).toBe(true);
    const ok = engineWith({ health: { port: 9090, path: '/is_healthy/' }, drainMs: 100 });
    const good = await verifyImage(ok.containers, plan({ healthCommand: ['/app/svc', '-probe', 'http://127.0.0.1:9090/is_healthy/'], inflight: undefined }));
    expect(Object.fromEntries(good.checks.map((c) => [c.id, c.status]))['health-command']).toBe('pass');
  });

  it('an interrupt while waiting for the exit rejects with InterruptedError and still removes the container', async () => {
    const engine = engineWith({ health: { port: 9090, path: '/is_healthy/' }, drainMs: 5000 });
    const controller = new AbortController();
    const run = verifyImage(engine.containers, plan({ stopTimeoutS: 10 }), {
      signal: controller.signal,
      step: (m) => {
        if (m.startsWith('docker stop')) setTimeout(() => controller.abort(new InterruptedError('SIGINT')), 200);
      },
    });
    await expect(run).rejects.toBeInstanceOf(InterruptedError);
    expect(engine.containers.removed).toHaveLength(1);
    expect(engine.containers.all.size).toBe(0);
  });
});
