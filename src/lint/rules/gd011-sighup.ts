import type { Rule } from '../rule.js';
import { knownGoService } from '../rule.js';
import type { Delivery, Workload } from '../model.js';

function how(w: Workload, d: Delivery): string {
  const s = d.source;
  if (w.runtime === 'upstart' && d.event === 'reload') {
    return s.implicit
      ? `upstart job ${w.name} has no \`reload signal\` stanza, so \`initctl reload ${w.name}\` sends SIGHUP (init(5): the default reload signal)`
      : `\`${s.directive}\`: \`initctl reload ${w.name}\` sends SIGHUP`;
  }
  if (d.event === 'hangup') return 'SendSIGHUP=yes sends SIGHUP right after the stop signal';
  if (d.event === 'reload') return `${s.directive.startsWith('Type=') ? s.directive : s.directive.split('=')[0] + '='} sends SIGHUP on \`systemctl reload\``;
  return `${s.directive.split('=')[0]}= sends SIGHUP`;
}

function fix(w: Workload, d: Delivery): string {
  if (w.runtime === 'upstart') return 'add `reload signal` with a signal the service handles as reload, or `reload signal CONT` (a no-op for any process) when it has no reload — restart it instead';
  if (d.event === 'hangup') return 'leave SendSIGHUP=no (the default)';
  return 'remove it and restart instead (or send a signal the service handles as reload)';
}

export const sighup: Rule = {
  id: 'GD011',
  name: 'sighup-to-service',
  level: 'error',
  doc: {
    what: 'A supervisor that sends SIGHUP to the service outside its stop signal: systemd `ExecReload=kill -HUP $MAINPID` (any kill form: -1, -s HUP, --signal=HUP, /bin/kill, sh -c), `ExecStop=` doing the same, `SendSIGHUP=yes`, `Type=notify-reload` (ReloadSignal= defaults to SIGHUP); upstart `reload signal HUP` — or no `reload signal` stanza at all, since upstart\'s reload sends SIGHUP by default. An error for a goneat-deploy or tRPC-Go service; for others a warning phrased "if this is tRPC-Go…" (their reload may be real).',
    why: 'For a Go service SIGHUP means exit (Go\'s default) unless it handles it, and tRPC-Go does not: `systemctl reload` / `initctl reload` would stop it without draining (upstart\'s respawn then restarts it). That is the nohup bug again.',
    fix: 'systemd: drop ExecReload (restart instead) and leave SendSIGHUP=no. upstart: set `reload signal` to a signal the service handles as reload, or `reload signal CONT` (a no-op) when it has none — goneat-deploy\'s generated jobs do.',
    source: 'systemd.service(5) ExecReload=, Type=notify-reload; systemd.kill(5) SendSIGHUP=, ReloadSignal=; upstart init(5) reload signal ("SIGHUP by default"); golang os/signal',
  },
  check(ctx, report) {
    for (const w of ctx.model.workloads) {
      for (const d of w.deliveries) {
        if (d.signal !== 'SIGHUP' || d.stopSignal || d.event === 'final') continue;
        const known = knownGoService(w);
        const at = d.source.implicit ? w.at : d.source;
        if (known) {
          report(d.source.file, at, `${how(w, d)}, which makes ${w.service!.name === w.name ? 'the service' : `the service ${w.service!.name}`}${known === 'trpc' ? ` (tRPC-Go: ${w.service!.trpc})` : ' (a goneat-deploy Go service)'} exit without draining; ${fix(w, d)}`);
        } else {
          report(d.source.file, at, `${how(w, d)}: if this is tRPC-Go (or any Go service without a SIGHUP handler), it exits without draining; ${fix(w, d)}. If the service really reloads on SIGHUP, keep it`, 'warning');
        }
      }
    }
  },
};
