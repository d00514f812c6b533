import type { Rule } from '../rule.js';
import { isInit } from '../../model/signals.js';
import { isLinkedImage, isShell, type Workload } from '../model.js';

/** PID 1's program for a workload, when known, and why it is (or is not) an init. */
function describe(w: Workload): string {
  const argv0 = w.pid1!.argv![0]!;
  return isShell(argv0) ? `${argv0} (a shell)` : argv0;
}

export const noInit: Rule = {
  id: 'GD002',
  name: 'no-init',
  level: 'error',
  doc: {
    what: 'A service whose PID 1 is not an init, worked out from the whole chain: the image\'s ENTRYPOINT/CMD, compose `entrypoint`/`command`/`init`, Kubernetes `command`/`args` (a `command:` or compose `entrypoint:` replaces the image\'s tini).',
    why: 'The kernel gives PID 1 no default signal actions: a Go binary without a SIGTERM handler ignores `docker stop` until SIGKILL (or exits 2 from its runtime), and nobody reaps orphaned children, which pile up as zombies. An init (tini) forwards signals, reaps zombies and exits with the service\'s status. A Kubernetes `command:` replaces the image ENTRYPOINT, tini included; a compose `entrypoint:` does the same (and drops the image CMD).',
    fix: 'Put tini in the image as PID 1 (`ENTRYPOINT ["/sbin/tini", "--", "/app/server"]`, what goneat-deploy builds) and override only the arguments (`args:` in Kubernetes, `command:` in compose), or set `init: true` in compose. Not both.',
    source: 'krallin/tini README; Dockerfile reference (ENTRYPOINT/CMD); compose-spec 05-services.md (entrypoint, command, init); Kubernetes "Define a Command and Arguments for a Container"; signal-spec.md',
  },
  check(ctx, report) {
    for (const w of ctx.model.workloads) {
      const p = w.pid1;
      if (!p?.argv?.length || p.runtimeInit || isInit(p.argv[0])) continue;
      if (w.runtime === 'image') {
        if (isLinkedImage(w)) continue;
        report(w.file, p.source ?? w.at, `PID 1 is ${describe(w)}, not an init: signals are not forwarded and zombies are not reaped; use ENTRYPOINT ["/sbin/tini", "--", ...] or run it with an init (compose init: true)`, 'warning');
        continue;
      }
      const what = `${w.label}: PID 1 is ${describe(w)}, not an init (signals are not forwarded, zombies are not reaped)`;
      if (p.replacedInit) {
        const key = w.runtime === 'k8s' ? 'command:' : 'entrypoint:';
        const keep = w.runtime === 'k8s' ? 'put the arguments in args: and drop command:' : 'put the arguments in command: and drop entrypoint:';
        report(p.source!.file, p.source!, `${what}: ${key} replaces the image's ${p.replacedInit.source.directive} (${p.replacedInit.source.file}:${p.replacedInit.source.line}); ${keep}, so the image's ${p.replacedInit.argv0.split('/').pop()} stays PID 1`);
      } else if (w.runtime === 'compose' && p.image && p.source?.file !== w.file) {
        report(w.file, w.at, `compose service "${w.name}" has no init: its image (${p.image.path}) runs ${describe(w)} as PID 1 and compose does not set init: true`);
      } else if (p.source?.file === w.file) {
        report(w.file, p.source, `${what}; start it through tini (["/sbin/tini", "--", ...])${w.runtime === 'compose' ? ' or set init: true' : ''}`);
      } else {
        report(w.file, w.at, `${what}, from ${p.source?.directive ?? 'the image'} (${p.imageLink ?? p.image?.path ?? ''}); use an image with tini as PID 1`);
      }
    }
  },
};
