import type { Rule } from '../rule.js';
import { composes } from '../rule.js';
import { interpolationAt } from '../compose-interp.js';

export const durationNumber: Rule = {
  id: 'GD013',
  name: 'compose-duration-not-a-string',
  level: 'error',
  doc: {
    what: 'A compose duration (stop_grace_period, healthcheck interval/timeout/start_period) written as a bare number or an unparsable string. With variable interpolation, the default of `${VAR:-default}`/`${VAR-default}` is judged (the finding says so); a value that depends on a variable without a default (`${VAR}`, `$VAR`, `${VAR:?err}`, `${VAR:+x}`) is not judged: lint does not know the environment compose runs in.',
    why: 'Compose durations are strings with a unit ("20s"). A bare `20` is not 20 seconds: implementations reject it or read it in another unit, and the stop timeout silently differs from what was meant.',
    fix: 'Write the unit: `stop_grace_period: 20s`.',
    source: 'compose-spec 05-services.md (stop_grace_period, "Specifying durations"); compose-spec interpolation.md',
  },
  check(ctx, report) {
    const ok = (v: unknown) => typeof v === 'string' && /^(\d+(\.\d+)?(us|ms|s|m|h))+$/.test(v.trim());
    for (const c of composes(ctx)) {
      // A value with compose interpolation: judged by its default, or not at all when it depends on an unknown variable.
      const judge = (path: string[], v: unknown, what: string, example: string) => {
        const i = interpolationAt(c, path);
        if (v === undefined || i?.unknown.length || ok(v)) return;
        const shown = !i ? JSON.stringify(v) : i.defaults.length ? `${JSON.stringify(i.raw)} (its default ${i.defaults.join(', ')})` : `${JSON.stringify(i.raw)} (${JSON.stringify(v)} to compose)`;
        report(c.path, c.yaml.pos(0, ['services', ...path]), `service "${path[0]}": ${what} ${shown} is not a duration; write it with a unit, like "${example}"`);
      };
      for (const [name, svc] of Object.entries(c.services)) {
        if (!svc) continue;
        judge([name, 'stop_grace_period'], svc.stop_grace_period, 'stop_grace_period', '20s');
        const hc = svc.healthcheck as Record<string, unknown> | undefined;
        for (const k of ['interval', 'timeout', 'start_period']) judge([name, 'healthcheck', k], hc?.[k], `healthcheck ${k}`, '5s');
      }
    }
  },
};
