import type { Rule } from '../rule.js';
import { podSpecs } from '../rule.js';

/** Seconds a preStop hook sleeps: the sleep action, or an exec of `sleep N` (directly or through sh -c). */
export function preStopSeconds(preStop: unknown): number | undefined {
  const p = preStop as { sleep?: { seconds?: number }; exec?: { command?: string[] } } | undefined;
  if (typeof p?.sleep?.seconds === 'number') return p.sleep.seconds;
  const cmd = p?.exec?.command;
  if (!cmd?.length) return undefined;
  const text = cmd.join(' ');
  const m = /(?:^|[\s;&|])(?:\/\S*\/)?sleep\s+(\d+(?:\.\d+)?)s?\b/.exec(text) ?? /-sleep\s+(\d+(?:\.\d+)?)s\b/.exec(text);
  return m ? Number(m[1]) : undefined;
}

export const preStopGrace: Rule = {
  id: 'GD006',
  name: 'prestop-exceeds-grace',
  level: 'error',
  doc: {
    what: 'A Kubernetes preStop hook that sleeps as long as or longer than terminationGracePeriodSeconds (default 30).',
    why: 'The grace period starts when the pod is marked Terminating, before preStop runs. A preStop that uses it all leaves no time to drain: the stop signal arrives late (the kubelet gives 2s more once) and SIGKILL follows. Validation of the sleep action rejects it; exec hooks are not checked.',
    fix: 'terminationGracePeriodSeconds >= preStop + drain + slack; goneat-deploy derives it.',
    source: 'Kubernetes pod-lifecycle "Termination of Pods"; KEP-3960',
  },
  check(ctx, report) {
    for (const p of podSpecs(ctx)) {
      const grace = typeof p.spec.terminationGracePeriodSeconds === 'number' ? p.spec.terminationGracePeriodSeconds : 30;
      const containers = (p.spec.containers ?? []) as Array<{ name?: string; lifecycle?: { preStop?: unknown } }>;
      containers.forEach((c, i) => {
        const s = preStopSeconds(c.lifecycle?.preStop);
        if (s !== undefined && s >= grace) {
          report(p.doc.path, p.doc.yaml.pos(p.index, [...p.path, 'containers', i, 'lifecycle', 'preStop']), `${p.kind} "${p.name}" container "${c.name ?? i}": preStop sleeps ${s}s, not less than terminationGracePeriodSeconds ${grace}: nothing is left to drain`);
        }
      });
    }
  },
};
