import { Command } from 'commander';
import { UsageError } from '../errors.js';
import { projectOptions, type CliContext } from './context.js';

interface LintOptions {
  dir: string;
  config: string;
  format: string;
  drain?: string;
}

const SKIP_DIRS = new Set(['node_modules', '.git', 'dist', 'coverage', 'vendor']);
const CANDIDATE = /^(Dockerfile|Containerfile)(\..+)?$|\.(dockerfile|containerfile|ya?ml|service|conf)$/i;

export function commandLint(ctx: CliContext): Command {
  return projectOptions(new Command('lint'), 'project directory (its goneat-deploy.yaml gives the drain)')
    .description('check Dockerfiles, compose files, Kubernetes YAML, systemd units and upstart jobs for signal and shutdown mistakes')
    .argument('[paths...]', 'files or directories (default: the project directory)')
    .option('-f, --format <format>', 'text, json or sarif', 'text')
    .option('--drain <duration>', 'the service\'s drain, when there is no goneat-deploy.yaml (e.g. 10s)')
    .addHelpText(
      'after',
      `
Rules (docs/rules/<ID>.md): GD001 shell-form ENTRYPOINT/CMD, GD002 no init, GD003 double init,
GD004 SIGHUP/SIGUSR2/SIGKILL/SIGSTOP as stop signal, GD005 stop timeout below the drain, GD006 preStop >= grace,
GD007 TTY/stdin on a daemon, GD008 root or named user, GD009 Type=forking / expect fork, GD010 KillMode,
GD011 SIGHUP to the service, GD012 upstart kill timeout, GD013 compose duration without a unit,
GD014 trpc_go.yaml that will not drain, has no admin port, or binds 127.0.0.1 in a container.
Exit 1 when any error-level finding exists.

Examples:
  goneat-deploy lint
  goneat-deploy lint Dockerfile compose.yaml deploy/
  goneat-deploy lint --format sarif deploy/ > lint.sarif`,
    )
    .action(async (paths: string[], opts: LintOptions) => {
      const { readdir, readFile, stat } = await import('node:fs/promises');
      const path = await import('node:path');
      const { lint } = await import('../lint/lint.js');
      const { formatJson, formatSarif, formatText } = await import('../lint/format.js');
      const { loadOptionalConfig, displayPath } = await import('../config/load.js');
      const { parseDuration } = await import('../config/duration.js');
      const { RuntimeError } = await import('../errors.js');

      if (!['text', 'json', 'sarif'].includes(opts.format)) throw new UsageError(`--format ${opts.format}: expected text, json or sarif`);
      let drainMs: number | undefined;
      const loaded = await loadOptionalConfig(opts, ctx.cwd);
      if (opts.drain !== undefined) {
        drainMs = parseDuration(opts.drain);
        if (drainMs === undefined) throw new UsageError(`--drain ${JSON.stringify(opts.drain)}: expected a duration like "10s"`);
      } else {
        drainMs = loaded?.spec.shutdown.drainMs;
      }

      const roots = paths.length ? paths : [opts.dir];
      const files: string[] = [];
      const walk = async (p: string, explicit: boolean): Promise<void> => {
        let st;
        try {
          st = await stat(p);
        } catch {
          throw new UsageError(`${p}: no such file or directory`);
        }
        if (st.isDirectory()) {
          for (const e of (await readdir(p, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
            if (e.isDirectory() && (SKIP_DIRS.has(e.name) || e.name.startsWith('.'))) continue;
            await walk(path.join(p, e.name), false);
          }
        } else if (explicit || (CANDIDATE.test(path.basename(p)) && st.size < 1_000_000)) files.push(p);
      };
      for (const r of roots) await walk(path.resolve(ctx.cwd, r), true);
      // The trpc-go preset's trpc_go.yaml is linted with the files (GD014), also when named otherwise or outside the paths.
      const trpcConfig = loaded?.config.framework === 'trpc-go' ? path.resolve(loaded.configDir, loaded.config.trpcConfig ?? 'trpc_go.yaml') : undefined;
      if (trpcConfig && !files.includes(trpcConfig)) files.push(trpcConfig);
      const inputs = [];
      for (const f of files) {
        try {
          inputs.push({ path: displayPath(f, ctx.cwd), text: await readFile(f, 'utf8') });
        } catch (err) {
          throw new UsageError(`${displayPath(f, ctx.cwd)}: cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
        }
      }
      const result = lint(inputs, {
        ...(drainMs !== undefined ? { drainMs } : {}),
        ...(loaded?.spec.shutdown.preStopMs ? { preStopMs: loaded.spec.shutdown.preStopMs } : {}),
        ...(trpcConfig ? { trpcConfigs: [displayPath(trpcConfig, ctx.cwd)] } : {}),
        ...(loaded?.config.health ? { healthConfigured: true } : {}),
      });
      const out = opts.format === 'json' ? formatJson(result) : opts.format === 'sarif' ? formatSarif(result) : formatText(result);
      ctx.stdout.write(out);
      const errors = result.findings.filter((f) => f.level === 'error').length;
      if (errors) throw new RuntimeError(`lint: ${errors} error-level finding(s)`, [], {});
    });
}
