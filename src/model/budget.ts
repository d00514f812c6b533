/**
 * The shutdown budget (signal-spec.md, "One shutdown budget for every target"):
 * B = preStop + drain + slack, and the one stop timeout every target derives
 * from it — compose stop_grace_period, swarm's, terminationGracePeriodSeconds,
 * TimeoutStopSec, upstart kill timeout, launchd ExitTimeOut. Pure.
 */
import { formatDuration } from './duration.js';
import { DEFAULTS, defaultValue } from './defaults.js';
import { durationField, type SpecIssue } from './issues.js';
import type { Config } from './schema.js';
import { REFUSED_STOP_SIGNALS, STOP_SIGNALS } from './signals.js';

export interface ShutdownSpec {
  signal: string;
  drainMs: number;
  preStopMs: number;
  slackMs: number;
  /** B = preStop + drain + slack, in milliseconds. */
  budgetMs: number;
  /**
   * The stop timeout every target uses, in whole seconds: the pinned
   * gracePeriod, or B rounded up. Compose stop_grace_period, swarm's,
   * terminationGracePeriodSeconds, TimeoutStopSec, upstart kill timeout and
   * launchd ExitTimeOut all equal this number.
   */
  timeoutSeconds: number;
  pinned: boolean;
  successExitCodes: number[];
}

/**
 * The shutdown section of the config → ShutdownSpec; every problem goes to `issues`, with its field path.
 * `drainWritten`: whether the user wrote shutdown.drain (default: whether `s` has one). A drain of 0s with
 * a preStop delay is refused only then: a 0s drain the trpc-go preset read from trpc_go.yaml is a
 * warning located in that file (model/trpc.ts analyzeTrpcConfig, no-drain).
 */
export function shutdownSpec(s: NonNullable<Config['shutdown']>, issues: SpecIssue[], opts: { drainWritten?: boolean } = {}): ShutdownSpec {
  const signal = s.signal ?? DEFAULTS.signal;
  if (REFUSED_STOP_SIGNALS[signal]) {
    issues.push({ path: ['shutdown', 'signal'], message: `${signal} is refused as a stop signal: ${REFUSED_STOP_SIGNALS[signal]}` });
  } else if (!(STOP_SIGNALS as readonly string[]).includes(signal)) {
    issues.push({ path: ['shutdown', 'signal'], message: `expected one of ${STOP_SIGNALS.join(', ')}, got "${signal}"` });
  }
  const drainMs = durationField(s.drain, ['shutdown', 'drain'], DEFAULTS.drainMs, issues);
  const preStopMs = durationField(s.preStop, ['shutdown', 'preStop'], DEFAULTS.preStopMs, issues);
  const slackMs = durationField(s.slack, ['shutdown', 'slack'], DEFAULTS.slackMs, issues);
  const budgetMs = preStopMs + drainMs + slackMs;
  let timeoutSeconds = Math.ceil(budgetMs / 1000);
  const pinned = s.gracePeriod !== undefined;
  if (drainMs === 0 && preStopMs > 0 && (opts.drainWritten ?? s.drain !== undefined)) {
    issues.push({
      path: ['shutdown', 'drain'],
      message: `is 0s but preStop is ${formatDuration(preStopMs)}: a preStop delay only helps a service that drains in-flight work after the stop signal; set drain to the service's own close wait`,
    });
  }
  if (pinned) {
    const graceMs = durationField(s.gracePeriod, ['shutdown', 'gracePeriod'], 0, issues);
    if (preStopMs >= graceMs && graceMs > 0) {
      issues.push({
        path: ['shutdown', 'preStop'],
        message: `${formatDuration(preStopMs)} is not shorter than gracePeriod ${formatDuration(graceMs)}: the preStop delay counts against the grace period, so the service would be killed before it could drain`,
      });
    } else if (graceMs < budgetMs) {
      issues.push({
        path: ['shutdown', 'gracePeriod'],
        message: `${formatDuration(graceMs)} is shorter than the shutdown budget preStop ${formatDuration(preStopMs)} + drain ${formatDuration(drainMs)} + slack ${formatDuration(slackMs)} = ${formatDuration(budgetMs)}; raise it or remove it to use the budget`,
      });
    }
    if (graceMs % 1000 !== 0) {
      issues.push({ path: ['shutdown', 'gracePeriod'], message: 'must be whole seconds (Kubernetes and upstart count in seconds)' });
    }
    timeoutSeconds = Math.ceil(graceMs / 1000);
  }
  if (timeoutSeconds < 1) timeoutSeconds = 1;
  return {
    signal,
    drainMs,
    preStopMs,
    slackMs,
    budgetMs,
    timeoutSeconds,
    pinned,
    successExitCodes: [...(s.successExitCodes ?? defaultValue('shutdown.successExitCodes'))],
  };
}
