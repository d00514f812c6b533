import type { Rule } from '../rule.js';
import { yamlTrue } from '../files.js';
import { isInit } from '../../model/signals.js';
import { composes, dockerfiles } from '../rule.js';
import type { DockerfileDoc, Instruction } from '../files.js';

/** What the image runs as PID 1 (exec form only), and the instruction that says so. */
export function pid1(df: DockerfileDoc): { argv0?: string; ins?: Instruction } {
  const entry = [...df.final].reverse().find((i) => i.name === 'ENTRYPOINT');
  const cmd = [...df.final].reverse().find((i) => i.name === 'CMD');
  const ins = entry ?? cmd;
  if (!ins) return {};
  if (!ins.json) return { argv0: '/bin/sh', ins };
  return { argv0: ins.json[0], ins };
}

/** The Dockerfile a compose service builds, among the linted files. */
export function builtFrom(composePath: string, svc: Record<string, unknown>, dfs: DockerfileDoc[]): DockerfileDoc | undefined {
  const build = svc.build;
  if (!build) return undefined;
  const context = typeof build === 'string' ? build : String((build as { context?: string }).context ?? '.');
  const file = typeof build === 'object' && (build as { dockerfile?: string }).dockerfile ? String((build as { dockerfile?: string }).dockerfile) : 'Dockerfile';
  const dir = composePath.includes('/') ? composePath.slice(0, composePath.lastIndexOf('/')) : '.';
  const norm = (p: string) => p.replace(/\/\.\//g, '/').replace(/^\.\//, '').replace(/\/\.$/, '');
  const want = norm(`${dir}/${context}/${file}`);
  return dfs.find((d) => norm(d.path) === want || norm(d.path).endsWith(`/${want}`));
}

export const noInit: Rule = {
  id: 'GD002',
  name: 'no-init',
  level: 'error',
  doc: {
    what: 'A service whose PID 1 is not an init: the image runs the service (or a shell) directly and the runtime adds none (`init: true`, `docker run --init`).',
    why: 'The kernel gives PID 1 no default signal actions: a Go binary without a SIGTERM handler ignores `docker stop` until SIGKILL (or exits 2 from its runtime), and nobody reaps orphaned children, which pile up as zombies. An init (tini) forwards signals, reaps zombies and exits with the service\'s status.',
    fix: 'Put tini in the image as PID 1 (`ENTRYPOINT ["/sbin/tini", "--", "/app/server"]`, what goneat-deploy builds), or set `init: true` in compose. Not both.',
    source: 'krallin/tini README; docker run --init; signal-spec.md ("A Go binary as PID 1 without an init")',
  },
  check(ctx, report) {
    const dfs = dockerfiles(ctx);
    const coveredByCompose = new Set<DockerfileDoc>();
    for (const c of composes(ctx)) {
      for (const [name, svc] of Object.entries(c.services)) {
        const df = builtFrom(c.path, svc ?? {}, dfs);
        if (!df) continue;
        coveredByCompose.add(df);
        const { argv0 } = pid1(df);
        if (!yamlTrue(svc.init) && !isInit(argv0)) {
          report(c.path, c.yaml.keyPos(0, ['services'], name), `service "${name}" has no init: its image (${df.path}) runs ${argv0 ?? 'nothing'} as PID 1 and compose does not set init: true`);
        }
      }
    }
    for (const df of dfs) {
      if (coveredByCompose.has(df)) continue;
      const { argv0, ins } = pid1(df);
      if (ins && !isInit(argv0)) {
        report(df.path, ins, `PID 1 is ${argv0}, not an init: signals are not forwarded and zombies are not reaped; use ENTRYPOINT ["/sbin/tini", "--", ...] or run it with an init (compose init: true)`, 'warning');
      }
    }
  },
};
