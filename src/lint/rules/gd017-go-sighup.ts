import type { Rule } from '../rule.js';

export const goSighup: Rule = {
  id: 'GD017',
  name: 'go-subscribes-sighup',
  level: 'error',
  doc: {
    what: 'Go source that subscribes to SIGHUP: `signal.Notify`/`signal.NotifyContext` with `syscall.SIGHUP`, `unix.SIGHUP`, `syscall.Signal(1)` (through import aliases, dot-imports, constants, `sigs...`), or `signal.Notify(c)` with no signals, which relays every signal.',
    why: 'The bug this project exists for: a process started under nohup ignores SIGHUP, but a Go program that subscribes to SIGHUP undoes that (os/signal: ignored signals stay ignored only while nobody subscribes), and if its handler exits, a closed SSH session stops the service.',
    fix: 'Subscribe to SIGINT and SIGTERM only (`signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)`) and run under a supervisor, which gives the service no terminal.',
    source: 'golang os/signal doc.go ("If the Go program is started with either SIGHUP or SIGINT ignored..."); signal-spec.md',
  },
  check(ctx, report) {
    for (const g of ctx.go) for (const f of g.findings) if (f.rule === 'sighup') report(g.file, f, f.message, f.level);
  },
};
