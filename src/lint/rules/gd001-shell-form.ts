import type { Rule } from '../rule.js';
import { dockerfiles } from '../rule.js';

export const shellForm: Rule = {
  id: 'GD001',
  name: 'shell-form-entrypoint',
  level: 'error',
  doc: {
    what: 'ENTRYPOINT or CMD written in shell form (`ENTRYPOINT /app/server`) instead of exec form (`ENTRYPOINT ["/app/server"]`).',
    why: 'Shell form runs `/bin/sh -c "..."`: the shell becomes PID 1 and does not pass SIGTERM on, so `docker stop` waits the whole timeout and SIGKILLs the service (exit 137). A lone command is exec\'d by some shells, which hides the bug until someone adds `; echo done`.',
    fix: 'Use exec form with an init: `ENTRYPOINT ["/sbin/tini", "--", "/app/server"]` (what `goneat-deploy build` writes).',
    source: 'Dockerfile reference (ENTRYPOINT, "exec form"); hadolint DL3025; signal-spec.md',
  },
  check(ctx, report) {
    for (const df of dockerfiles(ctx)) {
      for (const ins of df.final) {
        if ((ins.name === 'ENTRYPOINT' || ins.name === 'CMD') && !ins.json && ins.args) {
          report(df.path, ins, `${ins.name} in shell form runs /bin/sh -c as PID 1, which does not forward SIGTERM: use exec form ${ins.name} ["/sbin/tini", "--", ...]`);
        }
      }
    }
  },
};
