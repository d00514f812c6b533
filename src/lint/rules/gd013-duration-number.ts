import type { Rule } from '../rule.js';
import { composes } from '../rule.js';

export const durationNumber: Rule = {
  id: 'GD013',
  name: 'compose-duration-not-a-string',
  level: 'error',
  doc: {
    what: 'A compose duration (stop_grace_period, healthcheck interval/timeout/start_period) written as a bare number or an unparsable string.',
    why: 'Compose durations are strings with a unit ("20s"). A bare `20` is not 20 seconds: implementations reject it or read it in another unit, and the stop timeout silently differs from what was meant.',
    fix: 'Write the unit: `stop_grace_period: 20s`.',
    source: 'compose-spec 05-services.md (stop_grace_period, "Specifying durations")',
  },
  check(ctx, report) {
    const ok = (v: unknown) => typeof v === 'string' && /^(\d+(\.\d+)?(us|ms|s|m|h))+$/.test(v.trim());
    for (const c of composes(ctx)) {
      for (const [name, svc] of Object.entries(c.services)) {
        if (!svc) continue;
        if (svc.stop_grace_period !== undefined && !ok(svc.stop_grace_period)) {
          report(c.path, c.yaml.pos(0, ['services', name, 'stop_grace_period']), `service "${name}": stop_grace_period ${JSON.stringify(svc.stop_grace_period)} is not a duration; write it with a unit, like "20s"`);
        }
        const hc = svc.healthcheck as Record<string, unknown> | undefined;
        for (const k of ['interval', 'timeout', 'start_period']) {
          if (hc?.[k] !== undefined && !ok(hc[k])) report(c.path, c.yaml.pos(0, ['services', name, 'healthcheck', k]), `service "${name}": healthcheck ${k} ${JSON.stringify(hc[k])} is not a duration; write it with a unit, like "5s"`);
        }
      }
    }
  },
};
