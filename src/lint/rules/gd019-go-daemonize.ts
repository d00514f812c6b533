import type { Rule } from '../rule.js';

export const goDaemonize: Rule = {
  id: 'GD019',
  name: 'go-self-daemonizing',
  level: 'error',
  doc: {
    what: 'Go source that daemonizes itself: `syscall.Setsid()`, a re-exec of itself (os.Args[0] / os.Executable) with `SysProcAttr{Setsid: true}`, daemon libraries (sevlyar/go-daemon, VividCortex/godaemon), fork/exec hot-restart libraries (facebookgo/grace, fvbock/endless, cloudflare/tableflip), raw fork syscalls.',
    why: 'fork(2) copies only the calling thread, and a Go program always has several: the child inherits locks nobody will release. Re-exec daemonizing avoids that but leaves the supervisor watching a process that exits at once, so it cannot stop, restart or time out the real one.',
    fix: 'Run in the foreground; let the runtime detach, restart and stop the service (docker compose up -d, systemd, Kubernetes). Replace hot restarts with rolling updates.',
    source: 'fork(2); daemon(7) "New-Style Daemons"; signal-spec.md',
  },
  check(ctx, report) {
    for (const g of ctx.go) for (const f of g.findings) if (f.rule === 'daemonize') report(g.file, f, f.message, f.level);
  },
};
