import type { Rule } from '../rule.js';
import { REFUSED_STOP_SIGNALS } from '../../model/signals.js';
import { knownGoService } from '../rule.js';

export const stopSignal: Rule = {
  id: 'GD004',
  name: 'refused-stop-signal',
  level: 'error',
  doc: {
    what: 'A stop signal of SIGKILL or SIGSTOP, or — for a goneat-deploy or tRPC-Go service — SIGHUP or SIGUSR2 (the signals goneat-deploy.yaml refuses): Dockerfile STOPSIGNAL, compose stop_signal, systemd KillSignal/RestartKillSignal, upstart kill signal, Kubernetes lifecycle.stopSignal. For other services SIGHUP/SIGUSR2 are warnings phrased "if this is tRPC-Go…".',
    why: 'SIGKILL cannot be handled, so nothing drains; SIGSTOP only pauses the process. SIGHUP means "terminal hung up" and is the root of the nohup bug; SIGUSR2 is tRPC-Go\'s hot restart, which under a supervisor ends the service. Some services do drain on another signal (a broker\'s "lame duck" SIGUSR2), so for a service not known to be tRPC-Go or a goneat-deploy service those two are only warnings.',
    fix: 'Use SIGTERM (tRPC-Go drains on SIGTERM and SIGINT), and rolling updates instead of hot restart.',
    source: 'trpc-group/trpc-go server/serve_unix.go; signal(7); signal-spec.md',
  },
  check(ctx, report) {
    for (const w of ctx.model.workloads) {
      for (const d of w.deliveries) {
        if (!d.stopSignal || d.source.implicit) continue;
        const why = REFUSED_STOP_SIGNALS[d.signal];
        if (!why) continue;
        const known = knownGoService(w);
        const name = d.source.directive.startsWith('kill signal') ? 'kill signal' : d.source.directive.replace(/[:= ].*$/, '');
        if (d.signal === 'SIGKILL' || d.signal === 'SIGSTOP' || known) {
          report(d.source.file, d.source, `${name} ${d.signal}: ${why}${known === 'trpc' ? ` (${w.label} is tRPC-Go: ${w.service!.trpc})` : ''}`);
        } else {
          const meaning = d.signal === 'SIGUSR2' ? 'tRPC-Go\'s hot restart (fork/exec, then the old process exits — under a supervisor that ends the service)' : 'not handled by tRPC-Go, so it exits without draining';
          report(d.source.file, d.source, `${name} ${d.signal}: if this is tRPC-Go, ${d.signal} is ${meaning}: use SIGTERM. If the service really drains on ${d.signal}, keep it (nothing here says it is tRPC-Go)`, 'warning');
        }
      }
    }
  },
};
