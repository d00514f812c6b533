/**
 * `goneat-deploy verify`: runs the image on the local engine the way the
 * runtime would (no TTY, stdin closed, read-only root, all capabilities
 * dropped, ports on 127.0.0.1), looks at it, stops it the way compose or the
 * kubelet would, and measures. The container is labelled and always removed,
 * also on Ctrl-C.
 */
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { InterruptedError } from '../errors.js';
import { formatElapsed } from '../model/duration.js';
import { isInit } from '../model/signals.js';
import type { Containers } from '../runtime/engine.js';
import { evaluate, reasonLine, type CheckResult, type Observations } from './checks.js';
import type { VerifyPlan } from './plan.js';

export interface TimelineEvent {
  /** ms after t0 (negative: before the stop began). */
  t: number;
  event: string;
}

export interface VerifyReport {
  image: string;
  as: VerifyPlan['as'];
  source: VerifyPlan['source'];
  /** The config file read, when source is goneat-deploy.yaml (it may be another name, with -c). */
  configFile?: string;
  signal: string;
  stopTimeoutS: number;
  passed: boolean;
  checks: CheckResult[];
  timeline: TimelineEvent[];
  exitCode?: number;
  stopMs?: number;
}

export const VERIFY_LABEL = 'io.goneat-deploy.verify';

/**
 * How long verify waits for the first 200 from the health endpoint (ms): at most `deadlineMs`; less when a
 * 404 lasts `notFoundMs`, or connections to the health port fail for `refusedMs` while the in-flight
 * port answers.
 */
export const READINESS = { deadlineMs: 60_000, notFoundMs: 5_000, refusedMs: 10_000 };

const s = (ms: number) => formatElapsed(ms);

function get(port: number, path: string, timeoutMs: number): Promise<{ status: number }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent: false, timeout: timeoutMs, headers: { connection: 'close' } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0 }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
  });
}

/** The last non-empty line of a command's output, shortened for one report line. */
function lastLine(output: string): string {
  return (output.trim().split('\n').filter((l) => l.trim()).pop() ?? '').trim().slice(0, 160);
}

/** Rejects when the signal aborts, so a long wait does not hold up cleanup. */
function abortable<T>(p: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return p;
  return Promise.race([
    p,
    new Promise<T>((_, reject) => {
      if (signal.aborted) reject(signal.reason);
      signal.addEventListener('abort', () => reject(signal.reason), { once: true });
    }),
  ]);
}

export async function verifyImage(
  containers: Containers,
  plan: VerifyPlan,
  opts: { signal?: AbortSignal; step?: (message: string) => void; readiness?: Partial<typeof READINESS> } = {},
): Promise<VerifyReport> {
  const step = opts.step ?? (() => undefined);
  const timeline: TimelineEvent[] = [];
  const obs: Observations = { started: false, processes: [] };
  const ports = [...new Set([plan.health?.port, plan.inflight?.port].filter((p): p is number => p !== undefined))];
  const name = `goneat-verify-${randomBytes(4).toString('hex')}`;
  let id: string | undefined;
  const began = performance.now();
  let t0 = 0;
  const now = () => performance.now() - t0;
  let finished = false; // ends the background health watch, also when interrupted
  let deadline: NodeJS.Timeout | undefined;

  try {
    step(`starting ${plan.image} (read-only root, no TTY, stdin closed, ports on 127.0.0.1)`);
    id = await containers.run({
      image: plan.image,
      name,
      labels: { [VERIFY_LABEL]: String(process.pid) },
      stopSignal: plan.signal,
      stopTimeoutS: plan.stopTimeoutS,
      ports,
      readOnly: true,
    });
    let state = await containers.state(id);
    const hostPort = (p: number) => state.ports[p];

    // 1. Up and ready. Waits up to `deadlineMs` for a 200, but gives up early, saying why, when the answer
    // is already clear: the path answers 404 (it does not exist), or nothing listens on the health port
    // while another port of the service answers (the service is up; the health port is wrong).
    const wait = { ...READINESS, ...opts.readiness };
    const readyDeadline = performance.now() + wait.deadlineMs;
    if (plan.health) {
      const health = plan.health;
      const other = plan.inflight && plan.inflight.port !== health.port ? plan.inflight : undefined;
      let last = 'no answer';
      let answered = false;
      let notFoundSince: number | undefined;
      let refusedSince: number | undefined;
      while (performance.now() < readyDeadline) {
        state = await containers.state(id);
        if (!state.running) break;
        const r = await get(hostPort(health.port)!, health.path, 1000).catch((err: NodeJS.ErrnoException) => ({ error: err.code ?? err.message }));
        const t = performance.now();
        if ('status' in r && r.status === 200) {
          obs.started = true;
          obs.readyMs = t - began;
          break;
        }
        if ('status' in r) {
          answered = true;
          last = `HTTP ${r.status}`;
          refusedSince = undefined;
          notFoundSince = r.status === 404 ? (notFoundSince ?? t) : undefined;
          if (notFoundSince !== undefined && t - notFoundSince >= wait.notFoundMs) {
            obs.healthWait = { ms: t - began, answered, why: `GET ${health.path} on port ${health.port} answered 404 for ${s(t - notFoundSince)}: the service has no such path (health.path)` };
            break;
          }
        } else {
          last = `no connection (${r.error})`;
          notFoundSince = undefined;
          refusedSince ??= t;
          if (other && t - refusedSince >= wait.refusedMs) {
            const up = await get(hostPort(other.port)!, '/', 1000).then(() => true, () => false);
            if (up) {
              obs.healthWait = { ms: t - began, answered, why: `nothing answers on port ${health.port} (${r.error} for ${s(t - refusedSince)}) while port ${other.port} does: the service never serves ${health.path} there (health.port)` };
              break;
            }
          }
        }
        await delay(100, undefined, { signal: opts.signal });
      }
      if (!obs.started && !obs.healthWait) {
        const ms = performance.now() - began;
        obs.healthWait = { ms, answered, why: `not healthy within ${s(ms)}: GET ${health.path} on port ${health.port} ${answered ? `last answered ${last}` : `never answered (${last})`}` };
      }
    } else {
      await delay(1500, undefined, { signal: opts.signal });
    }
    state = await containers.state(id);
    if (!plan.health) {
      obs.started = state.running;
      obs.readyMs = performance.now() - began;
    }
    obs.tty = state.tty;
    obs.openStdin = state.openStdin;
    obs.readOnly = state.readOnly;
    if (!state.running) {
      const logs = reasonLine(await containers.logs(id, 40));
      obs.startFailure = `exited during start with code ${state.exitCode}${logs ? ` (${logs.slice(0, 160)})` : ''}`;
      delete obs.healthWait;
    }

    if (state.running) {
      obs.pid1Pid = state.pid;
      obs.processes = await containers.processes(id);
      if (plan.healthCommand && obs.started) {
        // As the engine's healthcheck runs it (an exec in the container); bounded, like its timeout.
        const cmd = plan.healthCommand;
        const bound = new AbortController();
        const stop = () => bound.abort();
        opts.signal?.addEventListener('abort', stop, { once: true });
        try {
          obs.healthCommand = await Promise.race([
            containers.exec(id, cmd).then((r) => ({ exitCode: r.exitCode, output: r.output })),
            delay(10_000, undefined, { signal: bound.signal }).then(() => ({ error: 'did not finish within 10 s', output: '' })),
          ]).catch((err: Error) => {
            if (opts.signal?.aborted) throw err;
            return { error: `could not run: ${err.message}`, output: '' };
          });
        } finally {
          bound.abort();
          opts.signal?.removeEventListener('abort', stop);
        }
        timeline.push({ t: now(), event: `healthcheck ${cmd.join(' ')} → ${obs.healthCommand.error ?? `exit ${obs.healthCommand.exitCode}`}` });
      }

      // 2. A request in flight across the stop signal: sent 300 ms before the signal goes out
      // (compose: before docker stop; k8s: near the end of the preStop hook).
      let inflight: Promise<void> | undefined;
      const sendInflight = () => {
        if (!plan.inflight || !hostPort(plan.inflight.port)) return;
        obs.inflight = { sentAt: now() };
        timeline.push({ t: now(), event: `in-flight GET ${plan.inflight.path} sent` });
        inflight = get(hostPort(plan.inflight.port)!, plan.inflight.path, (plan.stopTimeoutS + 30) * 1000).then(
          (r) => {
            obs.inflight = { ...obs.inflight!, doneAt: now(), status: r.status };
            timeline.push({ t: now(), event: `in-flight GET ${plan.inflight!.path} → ${r.status}` });
          },
          (err: NodeJS.ErrnoException) => {
            obs.inflight = { ...obs.inflight!, doneAt: now(), error: err.code ?? err.message };
            timeline.push({ t: now(), event: `in-flight GET ${plan.inflight!.path} failed: ${err.code ?? err.message}` });
          },
        );
      };
      const LEAD_MS = 300;
      if (plan.as === 'compose') {
        t0 = performance.now() + LEAD_MS;
        sendInflight();
        await delay(LEAD_MS, undefined, { signal: opts.signal });
      } else {
        t0 = performance.now();
      }

      // 3. Watch health from now until exit.
      let exited = false;
      let signalAt: number | undefined;
      let killed = false;
      // The service's processes before the stop (PID 1 itself when it is not an init).
      const servicePids = new Set(obs.processes.filter((p) => p.pid !== obs.pid1Pid || !isInit(p.args.split(/\s+/)[0])).map((p) => p.pid));
      let refusalChecked = false;
      // The first refusal after the signal that docker top could not show the service outliving
      // (its answer may come after a fast exit): counted below only if the exit is graceful.
      let tentativeRefusal: { at: number; error: string } | undefined;
      const healthWatch = (async () => {
        if (!plan.health) return;
        const port = hostPort(plan.health.port)!;
        while (!exited && !finished) {
          const at0 = now();
          const r = await get(port, plan.health.path, 500).catch((err: NodeJS.ErrnoException) => ({ error: err.code ?? err.message }));
          const afterSignal = signalAt !== undefined && at0 >= signalAt;
          if ('status' in r && r.status !== 200 && !obs.healthNotReady && obs.stop === undefined) {
            const at = now();
            if (!signalAt || at >= signalAt) {
              obs.healthNotReady = { at, what: String(r.status) };
              timeline.push({ t: at, event: `${plan.health.path} → ${obs.healthNotReady.what} (not ready)` });
            }
          } else if ('error' in r && afterSignal && !obs.healthNotReady && !refusalChecked && obs.stop === undefined) {
            // A probe that cannot connect fails just like a 503 (kubelet and docker healthchecks count
            // both as failures: kubernetes pkg/probe/http treats a request error as a failure); tRPC-Go
            // closes its admin server at once on SIGTERM (admin/admin.go Close), and so does Go's
            // http.Server.Shutdown its listeners (docker-registry, etcd).
            // It counts only if the service is still alive after the refusal — not when it already exited.
            refusalChecked = true;
            const alive = (await containers.processes(id!).catch(() => [])).some((p) => servicePids.has(p.pid));
            if (alive && !exited) {
              obs.healthNotReady = { at: at0, what: `no connection (${r.error})` };
              timeline.push({ t: at0, event: `${plan.health.path} → no connection (${r.error}) while the service still runs (not ready)` });
            } else tentativeRefusal = { at: at0, error: r.error };
          }
          await delay(25);
        }
      })();

      // 4. Stop the way the runtime does.
      const waiting = containers.wait(id);
      if (plan.as === 'compose') {
        timeline.push({ t: 0, event: `docker stop: ${plan.signal}, SIGKILL at +${plan.stopTimeoutS}s` });
        signalAt = 0;
        step(`docker stop (${plan.signal}, SIGKILL after ${plan.stopTimeoutS}s)`);
        void containers.stop(id, plan.stopTimeoutS).catch(() => undefined);
      } else {
        timeline.push({ t: 0, event: `pod Terminating; grace period ${plan.stopTimeoutS}s starts` });
        step(`replaying the kubelet's termination (grace ${plan.stopTimeoutS}s)`);
        deadline = setTimeout(() => {
          killed = true;
          timeline.push({ t: now(), event: 'grace period over: SIGKILL' });
          void containers.signal(id!, 'SIGKILL');
        }, plan.stopTimeoutS * 1000);
        void waiting.finally(() => clearTimeout(deadline));
        const preStopMs = plan.preStop?.kind === 'sleep' ? plan.preStop.seconds * 1000 : 0;
        if (plan.preStop?.kind === 'sleep') {
          timeline.push({ t: now(), event: `preStop: sleep ${plan.preStop.seconds}s (endpoints are removed meanwhile)` });
          await abortable(Promise.race([delay(Math.max(0, preStopMs - LEAD_MS)), waiting.then(() => undefined)]), opts.signal);
          sendInflight();
          await abortable(Promise.race([delay(Math.min(LEAD_MS, preStopMs)), waiting.then(() => undefined)]), opts.signal);
        } else {
          if (plan.preStop?.kind === 'exec') {
            // The kubelet runs the exec hook and waits for it (at most the grace period, the SIGKILL timer
            // above), then sends the stop signal whatever its outcome: a hook that fails is only a
            // FailedPreStopHook event (kubernetes pkg/kubelet/kuberuntime/kuberuntime_container.go
            // executePreStopHook; pkg/kubelet/lifecycle/handlers.go Run returns the exec's error for a
            // non-zero exit). So the signal goes out early and the endpoint-removal delay never happens;
            // checks.ts judges it as prestop-hook.
            timeline.push({ t: now(), event: `preStop: exec ${plan.preStop.command.join(' ')}` });
            const startedAt = now();
            const r = await abortable(
              containers.exec(id, plan.preStop.command).then(
                (x): NonNullable<Observations['preStop']> => ({ ms: 0, exitCode: x.exitCode, output: x.output }),
                (err: Error): NonNullable<Observations['preStop']> => ({ ms: 0, error: err.message, output: '' }),
              ),
              opts.signal,
            );
            r.ms = now() - startedAt;
            obs.preStop = r;
            const last = lastLine(r.output);
            timeline.push({ t: now(), event: r.error !== undefined ? `preStop exec failed: ${r.error}` : `preStop exec exited ${r.exitCode}${last ? ` (${last})` : ''}` });
          }
          sendInflight();
          await delay(LEAD_MS, undefined, { signal: opts.signal });
        }
        if (!killed) {
          signalAt = now();
          timeline.push({ t: signalAt, event: `${plan.signal} to PID 1 (the image's STOPSIGNAL)` });
          await containers.signal(id, plan.signal);
        }
      }
      const exitCode = await abortable(waiting, opts.signal);
      const exitAt = now();
      exited = true;
      timeline.push({ t: exitAt, event: `exited ${exitCode}` });
      if (plan.as === 'compose' && exitCode === 137 && exitAt >= plan.stopTimeoutS * 1000 - 250) killed = true;
      obs.stop = { signalAt: signalAt ?? exitAt, exitAt, exitCode, killed };
      await abortable(Promise.all([healthWatch, inflight]), opts.signal);
      // A service that exits gracefully (a success code, not SIGKILLed) ran its own shutdown, which
      // is what closed the listener before the exit: Go's http.Server.Shutdown closes listeners
      // first (net/http Server.Shutdown), and docker top is often slower than such a service's whole
      // stop (etcd: ~170 ms). A death by the signal's default action (exit 2, an undeclared 143)
      // refuses connections because the process is gone, so it does not count.
      if (!obs.healthNotReady && tentativeRefusal && !killed && plan.successExitCodes.includes(exitCode) && tentativeRefusal.at < exitAt) {
        obs.healthNotReady = { at: tentativeRefusal.at, what: `no connection (${tentativeRefusal.error})` };
        timeline.push({ t: tentativeRefusal.at, event: `${plan.health!.path} → no connection (${tentativeRefusal.error}); the service then exited gracefully (not ready)` });
      }
    }
  } catch (err) {
    if (opts.signal?.aborted) throw opts.signal.reason instanceof InterruptedError ? opts.signal.reason : new InterruptedError('SIGINT');
    throw err;
  } finally {
    finished = true;
    if (deadline) clearTimeout(deadline);
    if (id) await containers.remove(id).catch(() => undefined);
  }

  const checks = evaluate(plan, obs);
  timeline.sort((a, b) => a.t - b.t);
  return {
    image: plan.image,
    as: plan.as,
    source: plan.source,
    ...(plan.configFile ? { configFile: plan.configFile } : {}),
    signal: plan.signal,
    stopTimeoutS: plan.stopTimeoutS,
    passed: checks.every((c) => c.status !== 'fail'),
    checks,
    timeline,
    ...(obs.stop ? { exitCode: obs.stop.exitCode, stopMs: Math.round(obs.stop.exitAt) } : {}),
  };
}
