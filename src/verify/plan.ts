/**
 * What `verify` expects of an image: stop signal, stop timeout, clean exit
 * codes, where health and an in-flight request go, and (for --as k8s) the
 * preStop hook. From goneat-deploy.yaml when there is one, else from the
 * image's io.goneat-deploy.* labels, else Docker's defaults; flags override.
 * Pure.
 */
import { parseDuration } from '../model/duration.js';
import { UsageError } from '../errors.js';
import type { ImageInfo } from '../runtime/engine.js';
import type { ServiceSpec } from '../model/service.js';

export type VerifyAs = 'compose' | 'k8s';

export interface Endpoint {
  port: number;
  path: string;
}

export interface VerifyPlan {
  image: string;
  as: VerifyAs;
  signal: string;
  /** docker stop timeout (compose) or terminationGracePeriodSeconds (k8s). */
  stopTimeoutS: number;
  successExitCodes: number[];
  health?: Endpoint;
  inflight?: Endpoint;
  preStop?: { kind: 'sleep'; seconds: number } | { kind: 'exec'; command: string[]; seconds: number };
  /** health.command: the compose/swarm healthcheck's CMD, run in the container once it is healthy. */
  healthCommand?: string[];
  /** The image's USER ("" when it has none). */
  imageUser: string;
  /** Where the numbers came from, for the report. */
  source: 'goneat-deploy.yaml' | 'image labels' | 'defaults';
  /** With source 'goneat-deploy.yaml': the config file actually read (-C/-c), as shown to the user. */
  configFile?: string;
}

export interface VerifyFlags {
  as?: string;
  stopTimeout?: string;
  signal?: string;
  health?: string;
  inflight?: string;
  successExitCodes?: string;
}

/** "9090/is_healthy/" → {port: 9090, path: "/is_healthy/"}. */
export function parseEndpoint(text: string, what: string): Endpoint {
  const m = /^(\d{1,5})(\/.*)$/.exec(text.trim());
  if (!m || Number(m[1]) < 1 || Number(m[1]) > 65535) throw new UsageError(`${what} ${JSON.stringify(text)}: expected PORT/PATH like "9090/is_healthy/"`);
  return { port: Number(m[1]), path: m[2]! };
}

function seconds(text: string, what: string): number {
  const ms = /^\d+$/.test(text) ? Number(text) * 1000 : parseDuration(text);
  if (ms === undefined || ms <= 0) throw new UsageError(`${what} ${JSON.stringify(text)}: expected seconds or a duration like "10s"`);
  return Math.ceil(ms / 1000);
}

/**
 * Signal names the Docker Engine accepts for a Linux container's stop signal and `docker kill`: the
 * engine's map (moby/sys signal/signal_linux.go SignalMap, the same names as Go's syscall package on
 * Linux), here with the SIG prefix; real-time signals are left out.
 */
export const LINUX_SIGNALS = [
  'SIGABRT', 'SIGALRM', 'SIGBUS', 'SIGCHLD', 'SIGCLD', 'SIGCONT', 'SIGFPE', 'SIGHUP', 'SIGILL', 'SIGINT', 'SIGIO', 'SIGIOT',
  'SIGKILL', 'SIGPIPE', 'SIGPOLL', 'SIGPROF', 'SIGPWR', 'SIGQUIT', 'SIGSEGV', 'SIGSTKFLT', 'SIGSTOP', 'SIGSYS', 'SIGTERM',
  'SIGTRAP', 'SIGTSTP', 'SIGTTIN', 'SIGTTOU', 'SIGURG', 'SIGUSR1', 'SIGUSR2', 'SIGVTALRM', 'SIGWINCH', 'SIGXCPU', 'SIGXFSZ',
] as const;

/**
 * --signal: a signal name ("SIGTERM"; "TERM" and lower case are accepted as the docker CLI does) →
 * "SIGTERM". Throws UsageError (exit 2) listing the accepted names otherwise.
 */
export function parseSignal(text: string): string {
  const name = text.trim().toUpperCase();
  const full = name.startsWith('SIG') ? name : `SIG${name}`;
  if (!(LINUX_SIGNALS as readonly string[]).includes(full)) {
    throw new UsageError(`--signal ${text}: not a signal name; expected one of ${LINUX_SIGNALS.join(', ')}`);
  }
  return full;
}

/** --as: how to stop the container (compose is the default). */
export function parseAs(text: string | undefined): VerifyAs {
  if (text === undefined) return 'compose';
  if (text !== 'compose' && text !== 'k8s') throw new UsageError(`--as ${text}: expected compose or k8s`);
  return text;
}

/**
 * Where the image's own io.goneat-deploy.* labels (what `build` wrote from the config it built with) disagree
 * with the config verify takes its settings from: one message per label, empty when they agree or the image
 * has no such labels. An image built from another config, or before the config changed, would otherwise be
 * judged by the wrong health endpoint or budget without a word.
 */
export function labelDisagreements(spec: ServiceSpec, labels: Record<string, string>, configFile: string): string[] {
  const out: string[] = [];
  const health = spec.health ? `${spec.health.port}${spec.health.path}` : undefined;
  const labelled = labels['io.goneat-deploy.health'];
  if (labelled !== undefined && labelled !== health) {
    out.push(`the image's label io.goneat-deploy.health is ${labelled}, ${configFile} says ${health ?? 'no health'}: verify uses ${configFile}; rebuild the image, or verify it from the config it was built with (-C DIR)`);
  }
  const timeout = labels['io.goneat-deploy.stop-timeout'];
  if (timeout !== undefined && timeout !== `${spec.shutdown.timeoutSeconds}s`) {
    out.push(`the image's label io.goneat-deploy.stop-timeout is ${timeout}, ${configFile} gives ${spec.shutdown.timeoutSeconds}s: verify uses ${configFile}; rebuild the image after changing the shutdown budget`);
  }
  return out;
}

export function planVerify(image: string, input: { spec?: ServiceSpec; configFile?: string; info: ImageInfo; flags: VerifyFlags }): VerifyPlan {
  const { spec, info, flags } = input;
  const as = parseAs(flags.as);
  const labels = info.labels;
  let plan: VerifyPlan;
  if (spec) {
    plan = {
      image,
      as,
      signal: spec.shutdown.signal,
      stopTimeoutS: spec.shutdown.timeoutSeconds,
      successExitCodes: spec.shutdown.successExitCodes,
      ...(spec.health ? { health: { port: spec.health.port, path: spec.health.path } } : {}),
      ...(spec.health?.command ? { healthCommand: spec.health.command } : {}),
      ...(spec.verify ? { inflight: spec.verify } : {}),
      ...(spec.kubernetes.preStop ? { preStop: spec.kubernetes.preStop } : {}),
      imageUser: info.user,
      source: 'goneat-deploy.yaml',
      ...(input.configFile ? { configFile: input.configFile } : {}),
    };
  } else {
    const fromLabels = Boolean(labels['io.goneat-deploy.service']);
    const timeout = labels['io.goneat-deploy.stop-timeout'] ? parseDuration(labels['io.goneat-deploy.stop-timeout']) : undefined;
    const preStop = labels['io.goneat-deploy.prestop'] ? parseDuration(labels['io.goneat-deploy.prestop']) : undefined;
    plan = {
      image,
      as,
      signal: info.stopSignal ?? 'SIGTERM',
      // Docker's own default stop timeout, and Kubernetes' default grace period.
      stopTimeoutS: timeout ? Math.ceil(timeout / 1000) : as === 'k8s' ? 30 : 10,
      successExitCodes: labels['io.goneat-deploy.success-exit-codes']
        ? labels['io.goneat-deploy.success-exit-codes'].split(',').map(Number)
        : [0],
      ...(labels['io.goneat-deploy.health'] ? { health: parseEndpoint(labels['io.goneat-deploy.health'], 'label io.goneat-deploy.health') } : {}),
      ...(labels['io.goneat-deploy.verify.inflight']
        ? { inflight: parseEndpoint(labels['io.goneat-deploy.verify.inflight'], 'label io.goneat-deploy.verify.inflight') }
        : {}),
      ...(preStop ? { preStop: { kind: 'sleep' as const, seconds: Math.ceil(preStop / 1000) } } : {}),
      imageUser: info.user,
      source: fromLabels ? 'image labels' : 'defaults',
    };
  }
  if (flags.stopTimeout !== undefined) plan.stopTimeoutS = seconds(flags.stopTimeout, '--stop-timeout');
  if (flags.signal !== undefined) {
    plan.signal = parseSignal(flags.signal);
  }
  if (flags.health !== undefined) plan.health = parseEndpoint(flags.health, '--health');
  if (flags.inflight !== undefined) plan.inflight = parseEndpoint(flags.inflight, '--inflight');
  if (flags.successExitCodes !== undefined) {
    const codes = flags.successExitCodes.split(',').map((c) => Number(c.trim()));
    if (codes.some((c) => !Number.isInteger(c) || c < 0 || c > 255)) throw new UsageError(`--success-exit-codes ${flags.successExitCodes}: expected codes 0..255 like "0,143"`);
    plan.successExitCodes = codes;
  }
  if (plan.as === 'k8s' && plan.preStop?.kind === 'sleep' && plan.preStop.seconds >= plan.stopTimeoutS) {
    throw new UsageError(`preStop sleeps ${plan.preStop.seconds}s, not less than the grace period ${plan.stopTimeoutS}s: the kubelet would reject it`);
  }
  return plan;
}
