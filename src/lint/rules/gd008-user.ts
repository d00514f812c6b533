import type { Rule } from '../rule.js';
import { composes, dockerfiles, podSpecs } from '../rule.js';
import { shownAt, unknownAt } from '../compose-interp.js';

export const user: Rule = {
  id: 'GD008',
  name: 'root-or-named-user',
  level: 'error',
  doc: {
    what: 'A service that runs as root (no USER, USER root/0, compose user 0, runAsUser: 0), or as a user name instead of a numeric UID.',
    why: 'Root in a container is root on the host\'s kernel. The kubelet can only enforce runAsNonRoot for a numeric USER; with a name it refuses to start the pod under Pod Security "restricted".',
    fix: 'USER 65532:65532 in the image (what goneat-deploy builds), runAsNonRoot: true and a non-zero runAsUser in Kubernetes.',
    source: 'Kubernetes Pod Security Standards (restricted); Dockerfile reference (USER)',
  },
  check(ctx, report) {
    const isRoot = (u: string) => /^(root|0)(:.*)?$/.test(u.trim());
    for (const df of dockerfiles(ctx)) {
      const users = df.final.filter((i) => i.name === 'USER');
      const last = users.at(-1);
      if (!last) {
        const at = df.final.find((i) => i.name === 'FROM') ?? { line: 1, column: 1 };
        if (df.final.some((i) => i.name === 'ENTRYPOINT' || i.name === 'CMD')) report(df.path, at, 'no USER: the service runs as root; add USER 65532:65532');
      } else if (isRoot(last.args)) report(df.path, last, `USER ${last.args} runs the service as root; use a numeric non-root USER like 65532:65532`);
      else if (!/^\d+(:\d+)?$/.test(last.args.trim())) report(df.path, last, `USER ${last.args} is a name: the kubelet cannot check runAsNonRoot on it; use a numeric UID:GID`, 'warning');
    }
    for (const c of composes(ctx)) {
      for (const [name, svc] of Object.entries(c.services)) {
        if (svc?.user !== undefined && !unknownAt(c, [name, 'user']) && isRoot(String(svc.user))) report(c.path, c.yaml.pos(0, ['services', name, 'user']), `service "${name}": user ${shownAt(c, [name, 'user'], svc.user)} runs as root`);
      }
    }
    for (const p of podSpecs(ctx)) {
      const podSc = (p.spec.securityContext ?? {}) as { runAsUser?: number; runAsNonRoot?: boolean };
      const containers = (p.spec.containers ?? []) as Array<{ name?: string; securityContext?: { runAsUser?: number; runAsNonRoot?: boolean } }>;
      containers.forEach((c, i) => {
        const uid = c.securityContext?.runAsUser ?? podSc.runAsUser;
        const nonRoot = c.securityContext?.runAsNonRoot ?? podSc.runAsNonRoot;
        const at = p.doc.yaml.pos(p.index, [...p.path, 'containers', i]);
        if (uid === 0) report(p.doc.path, at, `${p.kind} "${p.name}" container "${c.name ?? i}": runAsUser 0 runs as root`);
        else if (nonRoot !== true) report(p.doc.path, at, `${p.kind} "${p.name}" container "${c.name ?? i}": runAsNonRoot is not true (Pod Security "restricted" requires it)`, 'warning');
      });
    }
  },
};
