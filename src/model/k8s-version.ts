/**
 * `kubernetes.version`: the Kubernetes release the generated manifests are
 * for, and what it changes in them. Pure.
 *
 * Rules, with their sources:
 * - The preStop `sleep` action (KEP-3960, kubernetes/enhancements
 *   keps/sig-node/3960-pod-lifecycle-sleep-action): alpha in 1.29 behind the
 *   PodLifecycleSleepAction feature gate (off by default), beta and on by
 *   default from 1.30, GA in 1.34. The API server drops the fields of a
 *   disabled gate before validation (pkg/api/pod dropDisabledFields), so on
 *   1.29 a preStop with only `sleep` arrives empty and is rejected ("must
 *   specify a handler type"). Older clusters need an exec hook, i.e. a command
 *   in the image that sleeps (`kubernetes.preStopExec`), or no preStop delay.
 * - policy/v1 PodDisruptionBudget is served from 1.21 (policy/v1beta1 was
 *   removed in 1.25): the oldest release the manifests can be for.
 * Without `kubernetes.version`, the manifests are for the releases the
 * Kubernetes project supports (1.30 and later have the sleep action).
 */
import type { SpecIssue } from './issues.js';

export interface KubernetesVersion {
  major: 1;
  minor: number;
}

/** First minor release with the preStop sleep action on by default. */
export const SLEEP_ACTION_MINOR = 30;
/** Oldest minor release goneat-deploy generates for (policy/v1 PodDisruptionBudget). */
export const OLDEST_MINOR = 21;

/**
 * "1.29", "v1.29", "1.29.3" → {major: 1, minor: 29}; issues (at
 * kubernetes.version) for anything else, or a release older than 1.21.
 */
export function kubernetesVersion(text: string | undefined, issues: SpecIssue[]): KubernetesVersion | undefined {
  if (text === undefined) return undefined;
  const m = /^v?1\.(\d{1,3})(\.\d{1,4})?$/.exec(text);
  if (!m) {
    issues.push({ path: ['kubernetes', 'version'], message: `expected a Kubernetes version like "1.29", got "${text}"` });
    return undefined;
  }
  const minor = Number(m[1]);
  if (minor < OLDEST_MINOR) {
    issues.push({
      path: ['kubernetes', 'version'],
      message: `${text} is older than 1.${OLDEST_MINOR}, the first release serving policy/v1 PodDisruptionBudget; goneat-deploy generates for 1.${OLDEST_MINOR} and later`,
    });
    return undefined;
  }
  return { major: 1, minor };
}

/** Whether the kubelet and API server of this release run `lifecycle.preStop.sleep` (true when unknown). */
export function hasSleepAction(v: KubernetesVersion | undefined): boolean {
  return v === undefined || v.minor >= SLEEP_ACTION_MINOR;
}

/** The error for a preStop delay on a cluster without the sleep action and no preStopExec. */
export function noSleepActionMessage(v: KubernetesVersion, preStopSeconds: number, binaryPath: string): string {
  return (
    `Kubernetes 1.${v.minor} has no preStop sleep action (on by default from 1.${SLEEP_ACTION_MINOR}), so shutdown.preStop ${preStopSeconds}s cannot be generated as one. ` +
    `Either set kubernetes.preStopExec to a command in the image that sleeps ${preStopSeconds}s (the image is FROM scratch: only the service binary can, e.g. ["${binaryPath}", "-sleep", "${preStopSeconds}s"] if it has such a mode), ` +
    `or set shutdown.preStop to 0s and let the service keep serving for a while after SIGTERM (tRPC-Go: server.close_wait_time)`
  );
}
