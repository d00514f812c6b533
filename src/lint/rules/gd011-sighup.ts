import type { Rule } from '../rule.js';
import { systemds } from '../rule.js';

export const sighup: Rule = {
  id: 'GD011',
  name: 'sighup-to-service',
  level: 'error',
  doc: {
    what: 'A unit that sends SIGHUP to the service: `ExecReload=kill -HUP $MAINPID` (or -1, -s HUP, --signal=HUP) or `SendSIGHUP=yes`.',
    why: 'For a Go service SIGHUP means exit (Go\'s default) unless it handles it; `systemctl reload` would stop it without draining. That is the nohup bug again.',
    fix: 'Drop ExecReload (restart instead) and leave SendSIGHUP=no (the default).',
    source: 'systemd.service(5) ExecReload=; systemd.kill(5) SendSIGHUP=; golang os/signal',
  },
  check(ctx, report) {
    for (const u of systemds(ctx)) {
      for (const e of u.entries) {
        if (e.key === 'ExecReload' && /(-HUP\b|-1\b|-s\s+(SIG)?HUP\b|--signal[= ](SIG)?HUP\b|\bSIGHUP\b)/.test(e.value)) {
          report(u.path, e, 'ExecReload sends SIGHUP, which makes a Go service exit without draining; remove it and restart instead');
        }
        if (e.key === 'SendSIGHUP' && /^(yes|true|on|1)$/i.test(e.value)) report(u.path, e, 'SendSIGHUP=yes sends SIGHUP after the stop signal; leave it at no');
      }
    }
  },
};
