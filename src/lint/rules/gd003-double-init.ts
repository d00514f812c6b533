import type { Rule } from '../rule.js';
import { yamlTrue } from '../files.js';
import { isInit } from '../../model/signals.js';
import { composes, dockerfiles } from '../rule.js';
import { builtFrom, pid1 } from './gd002-no-init.js';

export const doubleInit: Rule = {
  id: 'GD003',
  name: 'double-init',
  level: 'error',
  doc: {
    what: 'Two inits in a row: tini in the image and `init: true` in compose (docker-init → tini → service), or two inits in one ENTRYPOINT.',
    why: 'The outer init is PID 1 and forwards signals to the inner one; it works, but adds a process, hides which one reaps, and makes stop behaviour depend on both. tini warns when it is not PID 1 and not a subreaper.',
    fix: 'Keep one: with a goneat-deploy image (tini inside) leave `init` unset or `false`.',
    source: 'compose-spec 05-services.md (init); krallin/tini README (subreaping)',
  },
  check(ctx, report) {
    const dfs = dockerfiles(ctx);
    for (const df of dfs) {
      const { ins } = pid1(df);
      if (ins?.json && isInit(ins.json[0])) {
        const second = ins.json.slice(1).find((a) => !a.startsWith('-'));
        if (isInit(second)) report(df.path, ins, `two inits in one ENTRYPOINT: ${ins.json[0]} runs ${second}`);
      }
    }
    for (const c of composes(ctx)) {
      for (const [name, svc] of Object.entries(c.services)) {
        if (!yamlTrue(svc?.init)) continue;
        const df = builtFrom(c.path, svc, dfs);
        const labels = (svc.labels ?? {}) as Record<string, unknown> | string[];
        const goneatImage = Array.isArray(labels) ? labels.some((l) => String(l).startsWith('io.goneat-deploy.service=')) : 'io.goneat-deploy.service' in labels;
        const inImage = (df && isInit(pid1(df).argv0)) || goneatImage;
        if (inImage) {
          report(c.path, c.yaml.pos(0, ['services', name, 'init']), `service "${name}" sets init: true but its image already runs ${df ? pid1(df).argv0 : 'tini (a goneat-deploy image)'} as PID 1: docker-init would wrap it; remove init or set it to false`);
        }
      }
    }
  },
};
