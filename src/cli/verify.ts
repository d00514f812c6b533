import { Command } from 'commander';
import { RuntimeError } from '../errors.js';
import { printJson, projectOptions, useColor, warn, type CliContext, type GlobalOptions } from './context.js';

interface VerifyOptions {
  dir: string;
  config: string;
  as?: string;
  json?: boolean;
  stopTimeout?: string;
  signal?: string;
  health?: string;
  inflight?: string;
  successExitCodes?: string;
}

export function commandVerify(ctx: CliContext): Command {
  return projectOptions(new Command('verify'))
    .description('run an image on the local engine and prove how it shuts down: init as PID 1, no TTY, non-root, read-only root, exit 0 within the budget, in-flight work completes, health turns not-ready first')
    .argument('[image]', 'image to verify (default: image.repository:image.tag from goneat-deploy.yaml)')
    .option('--as <runtime>', 'stop it the way compose (docker stop) or Kubernetes (preStop, signal, SIGKILL at the grace period) does', 'compose')
    .option('--stop-timeout <seconds>', 'override the stop timeout / grace period')
    .option('--signal <signal>', 'override the stop signal')
    .option('--health <port/path>', 'health endpoint, e.g. 9090/is_healthy/')
    .option('--inflight <port/path>', 'a slow request to keep in flight across the stop, e.g. 8080/slow?ms=2000')
    .option('--success-exit-codes <codes>', 'exit codes that count as clean, e.g. 0,143')
    .option('--json', 'print the report as JSON')
    .addHelpText(
      'after',
      `
Without goneat-deploy.yaml, the image's io.goneat-deploy.* labels give the budget, health and in-flight
request; for other images, Docker's defaults apply (10s; Kubernetes: 30s). Exit 0 when every check
passes, 1 when any fails. The container is labelled ${'io.goneat-deploy.verify'} and always removed.

Examples:
  goneat-deploy verify -C examples/echo
  goneat-deploy verify goneat/echo:dev --as k8s
  goneat-deploy verify my/image:1 --health 9090/is_healthy/ --inflight 8080/slow?ms=2000 --stop-timeout 15`,
    )
    .action(async (image: string | undefined, opts: VerifyOptions, cmd: Command) => {
      const verbose = Boolean((cmd.optsWithGlobals() as GlobalOptions).verbose);
      const { loadOptionalConfig } = await import('../config/load.js');
      const { parseAs, parseSignal, planVerify } = await import('../verify/plan.js');
      const { verifyImage } = await import('../verify/run.js');
      const { formatReport } = await import('../verify/report.js');
      const { connectEngine } = await import('./engine.js');
      const { makeProgress } = await import('./progress.js');
      const { UsageError } = await import('../errors.js');

      // Before the config and the engine: a bad flag is a usage error even when Docker is down.
      parseAs(opts.as);
      if (opts.signal !== undefined) parseSignal(opts.signal);
      const loaded = await loadOptionalConfig(opts, ctx.cwd);
      const ref = image ?? loaded?.spec.image.ref;
      if (!ref) throw new UsageError('verify needs an image: pass one, or run it where goneat-deploy.yaml is (or -C DIR)');
      const engine = await connectEngine(ctx, verbose);
      const info = await engine.images.inspect(ref);
      if (!info) throw new UsageError(`image ${ref} is not on the engine: build it first (goneat-deploy build); verify never pulls`);
      const plan = planVerify(ref, {
        ...(loaded ? { spec: loaded.spec, configFile: loaded.displayPath } : {}),
        info,
        flags: {
          ...(opts.as !== undefined ? { as: opts.as } : {}),
          ...(opts.stopTimeout !== undefined ? { stopTimeout: opts.stopTimeout } : {}),
          ...(opts.signal !== undefined ? { signal: opts.signal } : {}),
          ...(opts.health !== undefined ? { health: opts.health } : {}),
          ...(opts.inflight !== undefined ? { inflight: opts.inflight } : {}),
          ...(opts.successExitCodes !== undefined ? { successExitCodes: opts.successExitCodes } : {}),
        },
      });
      if (loaded) {
        const { labelDisagreements } = await import('../verify/plan.js');
        for (const w of labelDisagreements(loaded.spec, info.labels, loaded.displayPath)) warn(ctx, w);
      }
      const progress = await makeProgress(ctx, verbose);
      const report = await verifyImage(engine.containers, plan, { signal: ctx.signal, step: (m) => progress.step(m) }).catch((err: unknown) => {
        progress.end(false);
        throw err;
      });
      progress.end(true);
      if (opts.json) printJson(ctx, report);
      else ctx.stdout.write(formatReport(report, useColor(ctx) && Boolean(ctx.stdout.isTTY)));
      if (!report.passed) {
        const failed = report.checks.filter((c) => c.status === 'fail').map((c) => c.id);
        throw new RuntimeError(`verify: ${failed.length} check(s) failed: ${failed.join(', ')}`);
      }
    });
}
