import type { Rule } from '../rule.js';
import { fmtMs } from '../values.js';

export const upstartKillTimeout: Rule = {
  id: 'GD012',
  name: 'upstart-kill-timeout',
  level: 'warning',
  doc: {
    what: 'An upstart job without a `kill timeout` stanza (an error when the service\'s drain is known and longer than 5s; a shorter explicit timeout is GD005).',
    why: 'The default is 5 seconds, shorter than most drains (tRPC-Go waits at least 10s): upstart SIGKILLs the service mid-drain.',
    fix: '`kill timeout N` with N >= preStop + drain + slack (goneat-deploy writes the budget).',
    source: 'upstart init(5) kill timeout ("Default is 5 seconds")',
  },
  check(ctx, report) {
    for (const w of ctx.model.workloads) {
      if (w.runtime !== 'upstart' || !w.stopTimeout?.source.implicit) continue;
      const drain = w.service?.drainMs;
      if (drain !== undefined && drain > 5000) report(w.file, w.at, `no kill timeout: upstart SIGKILLs after the default 5s, before the ${fmtMs(drain)} drain can finish`, 'error');
      else report(w.file, w.at, 'no kill timeout: upstart SIGKILLs after the default 5s, before a drain can finish');
    }
  },
};
