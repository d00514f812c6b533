/**
 * GD020: tRPC-Go's own config (trpc_go.yaml, or the file a trpc-go
 * goneat-deploy.yaml names) read with the trpc-go preset's analysis
 * (src/model/trpc.ts analyzeTrpcConfig), so lint, init and generate say the
 * same thing about the same line. Bind-address and health findings apply when
 * the linted files run the service in a container (a Dockerfile, compose file
 * or Kubernetes object among them); the preStop one when a Kubernetes workload
 * is among them. The service's facts (preStop, its own health section) are the
 * ones whose goneat-deploy.yaml directory holds the file.
 */
import { analyzeTrpcConfig, trpcFindingApplies } from '../../model/trpc.js';
import type { TrpcConfigDoc } from '../files.js';
import type { ServiceFacts } from '../model.js';
import type { LintContext, Rule } from '../rule.js';
import { composes, dockerfiles, podSpecs } from '../rule.js';

/** The facts that apply to a file: the innermost directory holding it (a trpc-go service first), else facts for anywhere. */
function factsFor(ctx: LintContext, file: string): ServiceFacts | undefined {
  const under = (dir: string | undefined) => dir === undefined || dir === '.' || file.startsWith(`${dir.replace(/\/$/, '')}/`);
  const depth = (s: ServiceFacts) => (s.dir === undefined ? -1 : s.dir === '.' ? 0 : s.dir.split('/').length);
  return ctx.services
    .filter((s) => under(s.dir))
    .sort((a, b) => depth(b) - depth(a) || Number(b.framework === 'trpc-go') - Number(a.framework === 'trpc-go'))[0];
}

export const trpcConfig: Rule = {
  id: 'GD020',
  name: 'trpc-close-and-binds',
  level: 'warning',
  doc: {
    what: 'A trpc_go.yaml whose close settings will not drain in-flight requests (server.max_close_wait_time not above close_wait_time), without an admin port (no /is_healthy/), with a service or the admin server bound to 127.0.0.1 while it runs in a container, or that does not listen on the ports and health port its goneat-deploy.yaml declares; values tRPC-Go itself would refuse (a quoted number, a port out of range) are errors.',
    why: 'tRPC-Go counts in-flight requests only when max_close_wait_time > close_wait_time (or > 10s); otherwise SIGTERM closes the process after the close_wait_time sleep and cuts them off. Without server.admin.port there is no health endpoint, so no probe or healthcheck. Inside a container, 127.0.0.1 is the container\'s own loopback: published ports, Kubernetes Services and kubelet probes all arrive on the container\'s address.',
    fix: 'Set server.max_close_wait_time above close_wait_time (e.g. 10000, room for the longest service timeout), add server.admin: {ip: 0.0.0.0, port: 9028}, bind services to 0.0.0.0, and make goneat-deploy.yaml\'s ports and health.port those trpc_go.yaml listens on (or leave them out: the trpc-go preset reads them from trpc_go.yaml). `goneat-deploy init` offers the close settings fix.',
    source: 'trpc-group/trpc-go server/service.go (Handle, Close, waitBeforeClose), server/server.go (tryClose), config.go (RepairConfig), trpc.go (setupAdmin), admin/admin.go',
  },
  check(ctx, report) {
    const configs = ctx.files.filter((f): f is TrpcConfigDoc => f.kind === 'trpc-config');
    if (!configs.length) return;
    const targets = {
      container: dockerfiles(ctx).length > 0 || composes(ctx).length > 0 || podSpecs(ctx).length > 0,
      kubernetes: podSpecs(ctx).length > 0,
    };
    for (const t of configs) {
      const facts = factsFor(ctx, t.path);
      const a = analyzeTrpcConfig(t.yaml.text, {
        file: t.path,
        ...(facts?.preStopMs !== undefined ? { preStopMs: facts.preStopMs } : {}),
        ...(facts?.healthConfigured ? { healthConfigured: true } : {}),
        ...(facts?.framework === 'trpc-go' && facts.declared ? { declared: facts.declared } : {}),
      });
      const pos = (i: { line?: number; column?: number }) => ({ line: i.line ?? 1, column: i.column ?? 1 });
      const text = (i: { field: string; message: string }) => (i.field ? `${i.field}: ${i.message}` : i.message);
      for (const e of a.errors) report(t.path, pos(e), text(e), 'error');
      for (const w of a.warnings) if (trpcFindingApplies(w, targets)) report(t.path, pos(w), text(w));
    }
  },
};
