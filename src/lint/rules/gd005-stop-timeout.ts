import type { Rule } from '../rule.js';
import { composeDurationMs, composes, fmtMs, podSpecs, systemdSpanMs, systemds, upstarts } from '../rule.js';

export const stopTimeout: Rule = {
  id: 'GD005',
  name: 'stop-timeout-below-drain',
  level: 'error',
  doc: {
    what: 'A stop timeout shorter than the service needs to drain: compose/swarm stop_grace_period (default 10s), terminationGracePeriodSeconds (default 30s) minus the preStop delay, systemd TimeoutStopSec (default 90s), upstart kill timeout (default 5s). The drain comes from goneat-deploy.yaml (or --drain); a goneat-deploy compose file also carries its budget in the io.goneat-deploy.stop-timeout label.',
    why: 'When the timeout ends the runtime sends SIGKILL: requests still in flight are cut off and the exit is 137. In Kubernetes the preStop delay counts against the same grace period.',
    fix: 'Derive every timeout from one budget, preStop + drain + slack: `goneat-deploy generate` does.',
    source: 'docker stop; compose-spec stop_grace_period; Kubernetes pod-lifecycle "Termination of Pods"; systemd.service(5) TimeoutStopSec; upstart init(5) kill timeout',
  },
  check(ctx, report) {
    const drain = ctx.drainMs;
    for (const c of composes(ctx)) {
      for (const [name, svc] of Object.entries(c.services)) {
        if (!svc) continue;
        const raw = svc.stop_grace_period;
        const timeout = raw === undefined ? 10_000 : composeDurationMs(raw);
        if (timeout === undefined) continue; // GD013 reports a number that is not a duration
        const where = raw === undefined ? c.yaml.keyPos(0, ['services'], name) : c.yaml.pos(0, ['services', name, 'stop_grace_period']);
        const what = raw === undefined ? 'the default stop_grace_period of 10s' : `stop_grace_period ${raw}`;
        const labels = (svc.labels ?? {}) as Record<string, unknown>;
        const budget = !Array.isArray(labels) && typeof labels['io.goneat-deploy.stop-timeout'] === 'string' ? composeDurationMs(labels['io.goneat-deploy.stop-timeout']) : undefined;
        if (drain !== undefined && timeout < drain) report(c.path, where, `service "${name}": ${what} is shorter than its drain of ${fmtMs(drain)}: in-flight work is SIGKILLed`);
        else if (budget !== undefined && timeout < budget) report(c.path, where, `service "${name}": ${what} is below the shutdown budget ${fmtMs(budget)} it was generated with (label io.goneat-deploy.stop-timeout)`);
      }
    }
    for (const p of podSpecs(ctx)) {
      const grace = typeof p.spec.terminationGracePeriodSeconds === 'number' ? p.spec.terminationGracePeriodSeconds * 1000 : 30_000;
      const containers = (p.spec.containers ?? []) as Array<{ lifecycle?: { preStop?: { sleep?: { seconds?: number } } } }>;
      const preStop = Math.max(0, ...containers.map((c) => (c.lifecycle?.preStop?.sleep?.seconds ?? 0) * 1000));
      if (drain !== undefined && grace < preStop + drain) {
        const at = typeof p.spec.terminationGracePeriodSeconds === 'number' ? p.doc.yaml.pos(p.index, [...p.path, 'terminationGracePeriodSeconds']) : p.doc.yaml.pos(p.index, p.path);
        report(p.doc.path, at, `${p.kind} "${p.name}": terminationGracePeriodSeconds ${grace / 1000} is shorter than preStop ${fmtMs(preStop)} + drain ${fmtMs(drain)}: the kubelet SIGKILLs before the drain ends`);
      }
    }
    if (drain === undefined) return;
    for (const u of systemds(ctx)) {
      const e = [...u.entries].reverse().find((x) => x.section === 'Service' && (x.key === 'TimeoutStopSec' || x.key === 'TimeoutSec'));
      const t = e ? systemdSpanMs(e.value) : 90_000;
      if (t !== undefined && t < drain) report(u.path, e ?? { line: 1, column: 1 }, `TimeoutStopSec ${e ? e.value : '(default 90s)'} is shorter than the drain of ${fmtMs(drain)}`);
    }
    for (const u of upstarts(ctx)) {
      const s = u.stanzas.find((x) => x.keyword === 'kill' && /^timeout\s+/.test(x.args));
      const t = s ? Number(s.args.replace(/^timeout\s+/, '')) * 1000 : 5000;
      if (s && t < drain) report(u.path, s, `kill timeout ${t / 1000} is shorter than the drain of ${fmtMs(drain)}`);
    }
  },
};
