import type { Rule } from '../rule.js';
import { systemds } from '../rule.js';

export const killMode: Rule = {
  id: 'GD010',
  name: 'kill-mode',
  level: 'error',
  doc: {
    what: 'systemd `KillMode=process` or `KillMode=none`.',
    why: 'Only the main process gets the stop signal (or none does); children left behind survive the stop and restart, and the unit is "stopped" while they still run.',
    fix: '`KillMode=mixed` (signal to the main process, SIGKILL to the group at the timeout) or the default `control-group`.',
    source: 'systemd.kill(5)',
  },
  check(ctx, report) {
    for (const u of systemds(ctx)) {
      for (const e of u.entries) {
        if (e.key === 'KillMode' && (e.value === 'process' || e.value === 'none')) report(u.path, e, `KillMode=${e.value} leaves the service's children running; use KillMode=mixed or control-group`);
      }
    }
  },
};
