import type { Rule } from '../rule.js';

export const unparsableValue: Rule = {
  id: 'GD016',
  name: 'unparsable-value',
  level: 'error',
  doc: {
    what: 'A stop setting its consumer cannot read: a systemd time span or signal systemd cannot parse (it logs "Failed to parse ..., ignoring" and the default applies — TimeoutStopSec= 90s, KillSignal= SIGTERM), an upstart `kill timeout`/`kill signal`/`reload signal` upstart refuses (the job does not load), a Kubernetes grace period or preStop sleep that is not an integer (the API server rejects the object), a kill(1) signal name kill does not know; a compose file or Kubernetes manifest that is not valid YAML at all.',
    why: 'The file says one thing and the runtime does another: systemd silently runs with its default, upstart and Kubernetes refuse the whole file.',
    fix: 'Write the value in the consumer\'s grammar: systemd.time(7) ("90", "90s", "1min 30s", "infinity"), signal names like SIGTERM, whole seconds for upstart and Kubernetes.',
    source: 'systemd src/basic/time-util.c parse_sec/parse_sec_fix_0, src/basic/signal-util.c signal_from_string, src/core/load-fragment.c; upstart init(5); Kubernetes API (int64 fields)',
  },
  check(ctx, report) {
    for (const w of ctx.model.workloads) for (const v of w.valueIssues) report(v.source.file, v.source, v.message);
    // A compose file or manifest that is not valid YAML: its consumer refuses it whole (docker compose config:
    // "yaml: line N: ..."; kubectl: "error converting YAML to JSON"), whatever lint recovered from it.
    for (const f of ctx.files) {
      if (f.kind !== 'compose' && f.kind !== 'k8s') continue;
      for (const e of f.yaml.syntaxErrors()) report(f.path, e.pos, `not valid YAML: ${e.message}; ${f.kind === 'compose' ? 'docker compose' : 'kubectl'} refuses the whole file (lint judged what the parser could recover)`);
    }
  },
};
