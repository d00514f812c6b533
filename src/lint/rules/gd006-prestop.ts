import type { Rule } from '../rule.js';
import { execSleepSeconds } from '../model.js';

/** Seconds a preStop hook sleeps: the sleep action, or an exec of `sleep N` (directly or through sh -c), or `<binary> -sleep Ns`. */
export function preStopSeconds(preStop: unknown): number | undefined {
  const p = preStop as { sleep?: { seconds?: number }; exec?: { command?: string[] } } | undefined;
  if (typeof p?.sleep?.seconds === 'number') return p.sleep.seconds;
  const cmd = p?.exec?.command;
  return cmd?.length ? execSleepSeconds(cmd.map(String)) : undefined;
}

export const preStopGrace: Rule = {
  id: 'GD006',
  name: 'prestop-exceeds-grace',
  level: 'error',
  doc: {
    what: 'A Kubernetes preStop hook that sleeps as long as or longer than terminationGracePeriodSeconds (default 30): the sleep action, an exec `sleep N`, or `sh -c "... sleep N"`.',
    why: 'The grace period starts when the pod is marked Terminating, before preStop runs. A preStop that uses it all leaves no time to drain: the stop signal arrives late (the kubelet gives 2s more once) and SIGKILL follows. Validation of the sleep action rejects it; exec hooks are not checked.',
    fix: 'terminationGracePeriodSeconds >= preStop + drain + slack; goneat-deploy derives it.',
    source: 'Kubernetes pod-lifecycle "Termination of Pods"; KEP-3960; kuberuntime_container.go (minimumGracePeriodInSeconds = 2)',
  },
  check(ctx, report) {
    for (const w of ctx.model.workloads) {
      if (w.runtime !== 'k8s' || !w.grace || w.preStop?.seconds === undefined) continue;
      const grace = w.grace.ms / 1000;
      if (w.preStop.seconds >= grace) {
        report(w.preStop.source.file, w.preStop.source, `${w.label}: ${w.preStop.source.directive} sleeps ${w.preStop.seconds}s, not less than terminationGracePeriodSeconds ${grace}: nothing is left to drain`);
      }
    }
  },
};
