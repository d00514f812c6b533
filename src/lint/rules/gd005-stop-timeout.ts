import type { Rule } from '../rule.js';
import { fmtMs } from '../values.js';
import { composeDuration } from '../values.js';

export const stopTimeout: Rule = {
  id: 'GD005',
  name: 'stop-timeout-below-drain',
  level: 'error',
  doc: {
    what: 'A stop timeout shorter than the service needs to drain: compose/swarm stop_grace_period (default 10s), terminationGracePeriodSeconds (default 30s) minus the preStop (every form: sleep action, exec sleep, `sh -c "sleep N"`), systemd TimeoutStopSec (default 90s; 0 and `infinity` mean no timeout), upstart kill timeout (default 5s). The drain is a fact about one service: from the goneat-deploy.yaml that names it, its goneat-deploy label, or `--drain NAME=D`; other services in the same file are not judged by it. A goneat-deploy compose file also carries its budget in the io.goneat-deploy.stop-timeout label.',
    why: 'When the timeout ends the runtime sends SIGKILL: requests still in flight are cut off and the exit is 137. In Kubernetes the preStop hook runs inside the same grace period, before the stop signal.',
    fix: 'Derive every timeout from one budget, preStop + drain + slack: `goneat-deploy generate` does.',
    source: 'docker stop; compose-spec stop_grace_period; Kubernetes pod-lifecycle "Termination of Pods"; systemd.service(5) TimeoutStopSec (parse_sec_fix_0: 0 = infinity); upstart init(5) kill timeout',
  },
  check(ctx, report) {
    for (const w of ctx.model.workloads) {
      const t = w.stopTimeout;
      if (!t) continue;
      const drain = w.service?.drainMs;
      const where = t.source.implicit ? w.at : t.source;
      if (w.runtime === 'k8s' && w.grace) {
        if (drain === undefined) continue;
        const preStop = (w.preStop?.seconds ?? 0) * 1000;
        if (w.grace.ms < preStop + drain) {
          const form = w.preStop?.form === 'sleep' ? 'sleep action' : w.preStop?.form === 'exec' ? w.preStop.source.directive.replace(/^preStop /, '') : w.preStop?.form;
          const ps = !w.preStop ? 'no preStop' : w.preStop.seconds === undefined ? `preStop ${form} (its length is unknown: counted as 0s, though the kubelet waits for it up to the whole grace period)` : `preStop ${fmtMs(preStop)} (${form})`;
          report(w.grace.source.file, w.grace.source.implicit ? w.at : w.grace.source, `${w.label}: ${w.grace.source.implicit ? 'the default terminationGracePeriodSeconds of 30' : `terminationGracePeriodSeconds ${w.grace.ms / 1000}`} is shorter than ${ps} + its drain of ${fmtMs(drain)} (${w.service!.origin ?? w.service!.name}): the kubelet SIGKILLs before the drain ends`);
        }
        continue;
      }
      if (drain !== undefined && t.ms < drain) {
        const what = t.source.implicit ? t.source.directive : t.source.directive.replace(/=/, ' ');
        report(t.source.implicit ? w.file : t.source.file, where, `${w.label}: ${what} is shorter than its drain of ${fmtMs(drain)} (${w.service!.origin ?? w.service!.name}): in-flight work is SIGKILLed`);
        continue;
      }
      if (w.runtime === 'compose' && drain === undefined) {
        const svc = ctx.files.find((f) => f.kind === 'compose' && f.path === w.file);
        const labels = svc && svc.kind === 'compose' ? (svc.services[w.name]?.labels as Record<string, unknown> | undefined) : undefined;
        const budget = labels && !Array.isArray(labels) ? composeDuration(labels['io.goneat-deploy.stop-timeout']) : undefined;
        if (budget !== undefined && t.ms < budget) report(w.file, where, `service "${w.name}": ${t.source.implicit ? t.source.directive : t.source.directive} is below the shutdown budget ${fmtMs(budget)} it was generated with (label io.goneat-deploy.stop-timeout)`);
      }
    }
  },
};
