import type { Rule } from '../rule.js';
import { knownGoService } from '../rule.js';

const STOPS = new Set(['SIGTERM', 'SIGINT', 'SIGQUIT', 'SIGKILL', 'SIGSTOP', 'SIGABRT']);

export const reloadEndsService: Rule = {
  id: 'GD015',
  name: 'reload-ends-service',
  level: 'error',
  doc: {
    what: 'A reload that stops or replaces the service instead of reloading it: systemd `ExecReload=` sending SIGTERM/SIGINT/SIGQUIT/SIGKILL/SIGSTOP, or SIGUSR2 (the usual fork/exec hot restart: tRPC-Go, facebookgo/grace, tableflip); `ReloadSignal=` of Type=notify-reload; upstart `reload signal`. SIGUSR2 is an error for tRPC-Go and a warning ("if this is a fork/exec hot restart…") otherwise. (SIGHUP is GD011.)',
    why: 'A hot restart forks a new copy and the old main process exits: systemd follows the new process only if it is written to PIDFile= before the old one exits (service.c re-reads PIDFile= when the main process dies) — otherwise the unit is stopped and the new copy killed with the control group; under upstart or tini the first process exiting ends the service. A stop signal on reload simply stops it.',
    fix: 'Restart instead (`systemctl restart`, a rolling update), and drop ExecReload=; for upstart, `reload signal` with a signal the service handles as a reload (or CONT, a no-op).',
    source: 'systemd.service(5) ExecReload=, PIDFile=; systemd src/core/service.c (service_sigchld_event: "Forking services may occasionally move to a new PID"); trpc-group/trpc-go server/serve_unix.go; upstart init(5) reload signal',
  },
  check(ctx, report) {
    for (const w of ctx.model.workloads) {
      for (const d of w.deliveries) {
        if (d.event !== 'reload' || d.signal === 'SIGHUP') continue;
        const at = d.source.implicit ? w.at : d.source;
        const what = `${w.label}: \`${d.source.directive}\` sends ${d.signal} on reload`;
        if (STOPS.has(d.signal)) {
          report(d.source.file, at, `${what}, which stops the service instead of reloading it; restart instead`);
        } else if (d.signal === 'SIGUSR2') {
          const pidFile = w.runtime === 'systemd' && ctx.files.some((f) => f.kind === 'systemd' && f.path === w.file && f.entries.some((e) => e.key === 'PIDFile' && e.value !== ''));
          const follow = w.runtime === 'systemd'
            ? pidFile
              ? 'systemd keeps the unit only if the new process writes its PID to PIDFile= before the old one exits; otherwise it stops the unit and kills the new copy with the control group'
              : 'the old main process exits and, with no PIDFile=, systemd stops the unit and kills the new copy with the control group'
            : 'the old main process exits and the supervisor loses the service';
          if (knownGoService(w) === 'trpc') report(d.source.file, at, `${what}: tRPC-Go's hot restart (fork/exec, then the old process exits; ${w.service!.trpc}): ${follow}; restart instead (rolling updates)`);
          else report(d.source.file, at, `${what}: if this is a fork/exec hot restart (tRPC-Go, facebookgo/grace, tableflip use SIGUSR2), ${follow}; a Go program cannot fork safely — restart instead`, 'warning');
        }
      }
    }
  },
};
