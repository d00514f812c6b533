import type { Rule } from '../rule.js';

export const unparsableValue: Rule = {
  id: 'GD016',
  name: 'unparsable-value',
  level: 'error',
  doc: {
    what: 'A stop setting its consumer cannot read: a systemd time span or signal systemd cannot parse (it logs "Failed to parse ..., ignoring" and the default applies — TimeoutStopSec= 90s, KillSignal= SIGTERM), an upstart `kill timeout`/`kill signal`/`reload signal` upstart refuses (the job does not load), a Kubernetes grace period or preStop sleep that is not an integer (the API server rejects the object), a kill(1) signal name kill does not know.',
    why: 'The file says one thing and the runtime does another: systemd silently runs with its default, upstart and Kubernetes refuse the whole file.',
    fix: 'Write the value in the consumer\'s grammar: systemd.time(7) ("90", "90s", "1min 30s", "infinity"), signal names like SIGTERM, whole seconds for upstart and Kubernetes.',
    source: 'systemd src/basic/time-util.c parse_sec/parse_sec_fix_0, src/basic/signal-util.c signal_from_string, src/core/load-fragment.c; upstart init(5); Kubernetes API (int64 fields)',
  },
  check(ctx, report) {
    for (const w of ctx.model.workloads) for (const v of w.valueIssues) report(v.source.file, v.source, v.message);
  },
};
