import type { Rule } from '../rule.js';
import { isInit } from '../../model/signals.js';
import { initChild } from '../model.js';

export const doubleInit: Rule = {
  id: 'GD003',
  name: 'double-init',
  level: 'error',
  doc: {
    what: 'Two inits in a row: tini in the image and `init: true` in compose (docker-init → tini → service), or an init that starts another init (in an ENTRYPOINT, a compose entrypoint or a Kubernetes command).',
    why: 'The outer init is PID 1 and forwards signals to the inner one; it works, but adds a process, hides which one reaps, and makes stop behaviour depend on both. tini warns when it is not PID 1 and not a subreaper.',
    fix: 'Keep one: with a goneat-deploy image (tini inside) leave `init` unset or `false`.',
    source: 'compose-spec 05-services.md (init); krallin/tini README (subreaping)',
  },
  check(ctx, report) {
    for (const w of ctx.model.workloads) {
      const p = w.pid1;
      if (!p) continue;
      const argv = p.argv ?? [];
      if (isInit(argv[0])) {
        const second = initChild(argv)[0];
        if (isInit(second) && p.source && (w.runtime === 'image' || p.source.file === w.file)) report(p.source.file, p.source, `two inits in a row: ${argv[0]} runs ${second}`);
      }
      if (w.runtime === 'compose' && p.runtimeInit) {
        if (isInit(argv[0])) report(p.runtimeInit.source.file, p.runtimeInit.source, `service "${w.name}" sets init: true but its image already runs ${argv[0]} as PID 1: docker-init would wrap it; remove init or set it to false`);
        else if (!argv.length && w.service?.goneat) report(p.runtimeInit.source.file, p.runtimeInit.source, `service "${w.name}" sets init: true but its image already runs tini (a goneat-deploy image) as PID 1: docker-init would wrap it; remove init or set it to false`);
      }
    }
  },
};
