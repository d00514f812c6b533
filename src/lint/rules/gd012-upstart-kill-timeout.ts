import type { Rule } from '../rule.js';
import { fmtMs, upstarts } from '../rule.js';

export const upstartKillTimeout: Rule = {
  id: 'GD012',
  name: 'upstart-kill-timeout',
  level: 'warning',
  doc: {
    what: 'An upstart job without a `kill timeout` stanza (an error when the drain is known and longer than 5s; a shorter explicit timeout is GD005).',
    why: 'The default is 5 seconds, shorter than most drains (tRPC-Go waits at least 10s): upstart SIGKILLs the service mid-drain.',
    fix: '`kill timeout N` with N >= preStop + drain + slack (goneat-deploy writes the budget).',
    source: 'upstart init(5) kill timeout',
  },
  check(ctx, report) {
    for (const u of upstarts(ctx)) {
      const exec = u.stanzas.find((s) => s.keyword === 'exec' || s.keyword === 'script');
      if (exec && !u.stanzas.some((s) => s.keyword === 'kill' && /^timeout\s+/.test(s.args))) {
        const drain = ctx.drainMs;
        if (drain !== undefined && drain > 5000) report(u.path, exec, `no kill timeout: upstart SIGKILLs after the default 5s, before the ${fmtMs(drain)} drain can finish`, 'error');
        else report(u.path, exec, 'no kill timeout: upstart SIGKILLs after the default 5s, before a drain can finish');
      }
    }
  },
};
