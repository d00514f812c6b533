import type { Rule } from '../rule.js';
import { shownAt } from '../compose-interp.js';
import { yamlTrue } from '../files.js';
import { composes, podSpecs } from '../rule.js';

export const terminal: Rule = {
  id: 'GD007',
  name: 'terminal-on-daemon',
  level: 'error',
  doc: {
    what: 'A long-running service given a terminal or an open stdin: compose `tty: true` / `stdin_open: true`, Kubernetes `tty: true` / `stdin: true`.',
    why: 'A daemon needs no terminal. With a TTY, the terminal\'s hangup and job-control signals (SIGHUP, SIGINT from Ctrl-C on attach) can reach the service — the class of bug behind the nohup story.',
    fix: 'Set `tty: false` and `stdin_open: false` (compose), `tty: false` and `stdin: false` (Kubernetes).',
    source: 'compose-spec 05-services.md (tty, stdin_open); signal-spec.md',
  },
  check(ctx, report) {
    for (const c of composes(ctx)) {
      for (const [name, svc] of Object.entries(c.services)) {
        for (const key of ['tty', 'stdin_open']) {
          if (yamlTrue(svc?.[key])) report(c.path, c.yaml.pos(0, ['services', name, key]), `service "${name}": ${key}: ${shownAt(c, [name, key], 'true')} gives a daemon a terminal; set it to false`);
        }
      }
    }
    for (const p of podSpecs(ctx)) {
      const containers = (p.spec.containers ?? []) as Array<Record<string, unknown>>;
      containers.forEach((c, i) => {
        for (const key of ['tty', 'stdin']) {
          if (yamlTrue(c[key])) report(p.doc.path, p.doc.yaml.pos(p.index, [...p.path, 'containers', i, key]), `${p.kind} "${p.name}" container "${String(c.name ?? i)}": ${key}: true gives a daemon a terminal; set it to false`);
        }
      });
    }
  },
};
