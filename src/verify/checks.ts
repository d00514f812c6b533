/**
 * Turns what verify observed into pass/fail checks with the measured figure.
 * Pure, so every verdict is unit-tested on recorded observations.
 */
import type { ProcessRow } from '../runtime/engine.js';
import { formatElapsed } from '../model/duration.js';
import { isInit } from '../model/signals.js';
import type { VerifyPlan } from './plan.js';

export type Status = 'pass' | 'fail' | 'skip';

export interface CheckResult {
  id: string;
  title: string;
  status: Status;
  measured: string;
}

export interface Observations {
  /** The container ran long enough to be looked at (and was healthy, when there is a health check). */
  started: boolean;
  startFailure?: string;
  readyMs?: number;
  /** With a health endpoint, while the container kept running: why verify stopped waiting for a 200. */
  healthWait?: { ms: number; answered: boolean; why: string };
  processes: ProcessRow[];
  pid1Pid?: number;
  tty?: boolean;
  openStdin?: boolean;
  readOnly?: boolean;
  stop?: {
    /** When the stop signal was sent, ms after t0 (t0 = docker stop, or pod Terminating). */
    signalAt: number;
    exitAt: number;
    exitCode: number;
    /** SIGKILL was sent (k8s replay) or docker stop ran out of time. */
    killed: boolean;
  };
  inflight?: { sentAt: number; doneAt?: number; status?: number; error?: string };
  /** The preStop exec hook (--as k8s): how long it ran (ms), its exit code or why it could not run, its output. */
  preStop?: { ms: number; exitCode?: number; error?: string; output: string };
  /** health.command run in the running container (docker exec, as the engine's healthcheck does). */
  healthCommand?: { exitCode?: number; error?: string; output: string };
  /** First health answer other than 200 after the signal: ms after t0 and what it was. */
  healthNotReady?: { at: number; what: string };
}


const s = (ms: number) => formatElapsed(ms);

function base(args: string): string {
  return (args.split(/\s+/)[0] ?? '').split('/').pop() ?? '';
}

/**
 * The line of a program's output that says why it failed: the last one that reads like an error, else the
 * last line. Go's flag package prints "flag provided but not defined: -x" and then its whole usage text, so
 * the last line alone is a flag's description. Undefined for empty output.
 */
export function reasonLine(output: string): string | undefined {
  const lines = output.trim().split('\n').filter(Boolean);
  return [...lines].reverse().find((l) => /\b(error|fatal|panic|flag provided but not defined|invalid|cannot|can't|failed|denied|refused|not found|no such)\b/i.test(l)) ?? lines.pop();
}

export function evaluate(plan: VerifyPlan, o: Observations): CheckResult[] {
  const out: CheckResult[] = [];
  const add = (id: string, title: string, status: Status, measured: string) => out.push({ id, title, status, measured });

  // PID 1
  const pid1 = o.processes.find((p) => p.pid === o.pid1Pid);
  if (!o.started && !pid1 && o.startFailure) {
    // Nothing to judge: the container was gone before docker top could look (healthy and graceful-stop fail).
    add('pid1-init', 'PID 1 is an init, the service its child', 'skip', `not judged: the container ${o.startFailure}`);
  } else if (!o.started && !pid1) {
    add('pid1-init', 'PID 1 is an init, the service its child', 'fail', 'the container did not start');
  } else if (!pid1) {
    add('pid1-init', 'PID 1 is an init, the service its child', 'fail', 'PID 1 not found in docker top');
  } else {
    const children = o.processes.filter((p) => p.ppid === pid1.pid);
    const pid1IsInit = isInit(base(pid1.args));
    if (pid1IsInit && children.length) add('pid1-init', 'PID 1 is an init, the service its child', 'pass', `PID 1 is ${base(pid1.args)}; its child is ${children.map((c) => c.args).join(', ')}`);
    else if (pid1IsInit) add('pid1-init', 'PID 1 is an init, the service its child', 'fail', `PID 1 is ${base(pid1.args)} but it has no child process`);
    else add('pid1-init', 'PID 1 is an init, the service its child', 'fail', `PID 1 is ${pid1.args}, not an init: signals are not forwarded, zombies are not reaped`);
  }

  // Terminal
  if (o.tty === undefined) add('no-tty', 'no TTY, stdin closed', 'fail', 'not observed');
  else {
    const withTty = o.processes.filter((p) => p.tty !== '?' && p.tty !== '');
    const ok = !o.tty && !o.openStdin && withTty.length === 0;
    add(
      'no-tty',
      'no TTY, stdin closed',
      ok ? 'pass' : 'fail',
      ok ? `no TTY, stdin closed, ${o.processes.length ? 'no process has a controlling terminal' : 'no process observed'}` : `tty ${o.tty}, stdin ${o.openStdin ? 'open' : 'closed'}${withTty.length ? `, ${withTty.map((p) => `${p.args} on ${p.tty}`).join(', ')}` : ''}`,
    );
  }

  // User
  const numeric = /^[0-9]+(:[0-9]+)?$/.test(plan.imageUser);
  const rootProcs = o.processes.filter((p) => p.uid === 0);
  const userRoot = plan.imageUser === '' || /^(root|0)(:.*)?$/.test(plan.imageUser);
  if (userRoot || rootProcs.length) {
    add('non-root', 'runs as a non-root numeric user', 'fail', `${plan.imageUser === '' ? 'no USER: runs as root' : `USER ${plan.imageUser}`}${rootProcs.length ? `; UID 0: ${rootProcs.map((p) => p.args).join(', ')}` : ''}`);
  } else if (!numeric) {
    add('non-root', 'runs as a non-root numeric user', 'fail', `USER ${plan.imageUser} is a name: the kubelet cannot check runAsNonRoot`);
  } else {
    add('non-root', 'runs as a non-root numeric user', 'pass', `USER ${plan.imageUser}; ${o.processes.length ? `process UIDs ${[...new Set(o.processes.map((p) => p.uid))].join(', ')}` : 'no process observed'}`);
  }

  // Healthy after start (its own check, so that a wrong health port or path is not blamed on the
  // read-only root: the container runs read-only either way).
  if (!plan.health) add('healthy', 'the health endpoint answers 200 after start', 'skip', 'no health endpoint (health in goneat-deploy.yaml or --health)');
  else if (o.started) add('healthy', 'the health endpoint answers 200 after start', 'pass', `GET ${plan.health.path} on port ${plan.health.port} → 200 after ${s(o.readyMs ?? 0)}`);
  else add('healthy', 'the health endpoint answers 200 after start', 'fail', o.healthWait?.why ?? o.startFailure ?? 'the container did not start');

  // The compose/swarm healthcheck's own command: the engine execs it in the container; an HTTP answer on the
  // endpoint proves nothing about a command the image cannot run or a flag the binary does not know.
  if (plan.healthCommand) {
    const cmd = plan.healthCommand.join(' ');
    const hc = o.healthCommand;
    if (!hc) add('health-command', 'the healthcheck command (health.command) succeeds', 'skip', `not judged: ${o.startFailure ?? 'the container was not running'}`);
    else if (hc.exitCode === 0) add('health-command', 'the healthcheck command (health.command) succeeds', 'pass', `${cmd} → exit 0`);
    else {
      const why = reasonLine(hc.output) ?? '';
      add('health-command', 'the healthcheck command (health.command) succeeds', 'fail', `${cmd} → ${hc.error ?? `exit ${hc.exitCode}`}${why ? ` (${why.slice(0, 160)})` : ''}: compose and swarm would mark the container unhealthy`);
    }
  }

  // Read-only root
  if (o.started && o.readOnly) add('read-only-rootfs', 'works with a read-only root filesystem', 'pass', `${plan.health ? `healthy after ${s(o.readyMs ?? 0)}` : 'running'} with a read-only root and tmpfs /tmp`);
  else if (o.healthWait && o.readOnly) add('read-only-rootfs', 'works with a read-only root filesystem', 'skip', 'not judged: running read-only, but never healthy (see healthy)');
  else if (o.startFailure && o.readOnly && !/read-only file system|EROFS/i.test(o.startFailure)) add('read-only-rootfs', 'works with a read-only root filesystem', 'skip', 'not judged: the container exited during start (see healthy); run it writable to tell whether the read-only root is the cause');
  else add('read-only-rootfs', 'works with a read-only root filesystem', 'fail', o.startFailure ?? 'did not start read-only');

  // Stop
  if (!o.stop) {
    add('graceful-stop', 'stops gracefully within the budget', 'fail', o.started ? 'the stop was not observed' : 'the container did not start');
  } else {
    const { exitCode, exitAt, killed } = o.stop;
    const budgetMs = plan.stopTimeoutS * 1000;
    const clean = plan.successExitCodes.includes(exitCode);
    const inTime = exitAt <= budgetMs;
    let why = '';
    if (exitCode === 137 || killed) why = `: SIGKILLed when the ${plan.stopTimeoutS}s timeout ended`;
    else if (exitCode === 143) {
      // tini exits with its child's status. If that child has children of its own (a shell or wrapper that did not
      // exec the service), the SIGTERM tini forwarded killed the wrapper, whose parent never passes it on: the
      // service never saw the signal. The fix is `exec`, not accepting 143.
      const pid1 = o.processes.find((p) => p.pid === o.pid1Pid);
      const child = pid1 && isInit(base(pid1.args)) ? o.processes.find((p) => p.ppid === pid1.pid && o.processes.some((g) => g.ppid === p.pid)) : undefined;
      const grandchild = child ? o.processes.find((g) => g.ppid === child.pid) : undefined;
      why = child && grandchild
        ? `: killed by SIGTERM — tini's child \`${child.args}\` got the signal and died without passing it on, so the service \`${grandchild.args}\` (tini's grandchild) never saw it; make the wrapper exec the service (\`exec ${grandchild.args.split(/\s+/)[0]} ...\` in the script, or drop the wrapper) so it is tini's child — declaring 143 would hide this`
        : ': killed by SIGTERM (no handler; declare 143 in successExitCodes only if that is intended)';
    }
    else if (exitCode === 2 && !clean) why = ': Go\'s exit for an unhandled signal (a Go binary as PID 1?)';
    add(
      'graceful-stop',
      'stops gracefully within the budget',
      clean && inTime && !killed ? 'pass' : 'fail',
      `exit ${exitCode} after ${s(exitAt)} (budget ${plan.stopTimeoutS} s)${why}`,
    );
  }

  // In-flight request
  if (!plan.inflight) add('inflight-completes', 'a request in flight at the stop signal completes', 'skip', 'no in-flight path (verify.inflightPath or --inflight)');
  else if (!o.inflight || !o.stop) add('inflight-completes', 'a request in flight at the stop signal completes', 'fail', 'not observed');
  else {
    const i = o.inflight;
    const acrossSignal = i.doneAt !== undefined && i.doneAt > o.stop.signalAt;
    if (i.status === 200 && acrossSignal) add('inflight-completes', 'a request in flight at the stop signal completes', 'pass', `GET ${plan.inflight.path} → 200, ${s(i.doneAt! - o.stop.signalAt)} after the signal`);
    else if (i.status === 200) add('inflight-completes', 'a request in flight at the stop signal completes', 'fail', `GET ${plan.inflight.path} finished before the signal: use a slower request`);
    else add('inflight-completes', 'a request in flight at the stop signal completes', 'fail', `GET ${plan.inflight.path} → ${i.status ?? i.error ?? 'no answer'}`);
  }

  // The preStop hook (Kubernetes only). The sleep action is the kubelet's own; an exec hook is a command
  // in the image that can fail or return early, and the kubelet then sends the stop signal at once
  // (FailedPreStopHook; kuberuntime_container.go executePreStopHook): no time to remove the endpoints.
  if (plan.as === 'k8s' && plan.preStop) {
    const title = 'the preStop hook succeeds and lasts shutdown.preStop';
    const want = plan.preStop.seconds;
    if (plan.preStop.kind === 'sleep') add('prestop-hook', title, o.stop ? 'pass' : 'fail', o.stop ? `the kubelet's sleep action: ${want} s, then ${plan.signal}` : 'not observed');
    else if (!o.preStop) add('prestop-hook', title, 'fail', o.started ? 'not observed' : 'the container did not start');
    else {
      const p = o.preStop;
      const cmd = plan.preStop.command.join(' ');
      const out = (p.output.trim().split('\n').filter((l) => l.trim()).pop() ?? '').trim().slice(0, 160);
      const after = `after ${s(p.ms)}`;
      if (p.error !== undefined) add('prestop-hook', title, 'fail', `exec ${cmd} could not run (${p.error}): the kubelet records FailedPreStopHook and sends ${plan.signal} at once, without the ${want} s for endpoint removal`);
      else if (p.exitCode !== 0) add('prestop-hook', title, 'fail', `exec ${cmd} exited ${p.exitCode} ${after}${out ? ` (${out})` : ''}: the kubelet records FailedPreStopHook and sends ${plan.signal} at once, without the ${want} s for endpoint removal`);
      // 50 ms: timer granularity; docker exec's own start-up only adds time.
      else if (p.ms < want * 1000 - 50) add('prestop-hook', title, 'fail', `exec ${cmd} exited 0 ${after}, not the ${want} s of shutdown.preStop: ${plan.signal} comes before endpoints are removed`);
      else add('prestop-hook', title, 'pass', `exec ${cmd} exited 0 ${after} (shutdown.preStop ${want} s)`);
    }
  }

  // Health turns not-ready before exit
  if (!plan.health) add('health-not-ready', 'health turns not-ready before the process exits', 'skip', 'no health endpoint (health in goneat-deploy.yaml or --health)');
  else if (!o.stop) add('health-not-ready', 'health turns not-ready before the process exits', 'fail', 'not observed');
  // An endpoint that never answered 200 before the signal cannot turn not-ready: a refused connection
  // after the signal says nothing then.
  else if (!o.started) add('health-not-ready', 'health turns not-ready before the process exits', 'fail', `${plan.health.path} never answered 200 before the signal: it never was ready, so it cannot turn not-ready`);
  else if (o.healthNotReady && o.healthNotReady.at < o.stop.exitAt) {
    add('health-not-ready', 'health turns not-ready before the process exits', 'pass', `${plan.health.path} → ${o.healthNotReady.what} ${s(o.healthNotReady.at - o.stop.signalAt)} after the signal, ${s(o.stop.exitAt - o.healthNotReady.at)} before exit`);
  } else {
    add('health-not-ready', 'health turns not-ready before the process exits', 'fail', `${plan.health.path} kept answering 200 until the process exited`);
  }
  return out;
}
