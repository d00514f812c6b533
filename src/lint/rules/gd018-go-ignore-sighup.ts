import type { Rule } from '../rule.js';

export const goIgnoreSighup: Rule = {
  id: 'GD018',
  name: 'go-ignores-sighup',
  level: 'warning',
  doc: {
    what: 'Go source that ignores SIGHUP itself: `signal.Ignore(syscall.SIGHUP)`. (`signal.Ignore()` with no signals ignores the stop signal too: GD021.)',
    why: 'The service should keep Go\'s default for SIGHUP: whether a hangup is ignored is the operator\'s choice (nohup), and under a supervisor no terminal exists to send one.',
    fix: 'Remove the call.',
    source: 'golang os/signal (Ignore); signal-spec.md',
  },
  check(ctx, report) {
    for (const g of ctx.go) for (const f of g.findings) if (f.rule === 'ignore') report(g.file, f, f.message, f.level);
  },
};
