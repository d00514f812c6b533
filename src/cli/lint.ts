import { Command } from 'commander';
import { fileError, UsageError } from '../errors.js';
import { projectOptions, type CliContext } from './context.js';

interface LintOptions {
  dir: string;
  config: string;
  format: string;
  drain: string[];
}

const SKIP_DIRS = new Set(['node_modules', '.git', 'dist', 'coverage', 'vendor', 'testdata']);
const CANDIDATE = /^(Dockerfile|Containerfile)(\..+)?$|\.(dockerfile|containerfile|ya?ml|service|conf|override|go)$|^upstart$/i;

export function commandLint(ctx: CliContext): Command {
  return projectOptions(new Command('lint'), 'project directory (its goneat-deploy.yaml names the service and gives its drain)')
    .description('check Dockerfiles, compose files, Kubernetes YAML, systemd units, upstart jobs and Go source for signal and shutdown mistakes')
    .argument('[paths...]', 'files or directories, searched recursively; `./...` means the current directory (default: the project directory)')
    .option('-f, --format <format>', 'text, json or sarif', 'text')
    .option('--drain <[name=]duration>', 'a service\'s drain: NAME=DURATION for one service (repeatable); a bare DURATION when the files describe one service', (v: string, prev: string[]) => [...prev, v], [] as string[])
    .addHelpText(
      'after',
      `
Each workload (compose service, Kubernetes container, systemd unit, upstart job, Dockerfile image) is
modelled from the whole chain: what runs as PID 1, every signal that reaches it and from which directive,
and how long it has before SIGKILL. Facts about one service (its drain, tRPC-Go) apply to that service
only: the service a goneat-deploy.yaml names (found in -C DIR or among the paths, for the files under its
directory), its io.goneat-deploy.service label, or --drain NAME=D. A trpc_go.yaml beside the files marks
them tRPC-Go. Go source (.go files, *_test.go excepted) is parsed with tree-sitter-go.

Rules (docs/rules/<ID>.md): GD001 shell-form ENTRYPOINT/CMD, GD002 no init (incl. a command that replaces
tini), GD003 double init, GD004 SIGKILL/SIGSTOP (and SIGHUP/SIGUSR2 for Go services) as stop signal,
GD005 stop timeout below the drain, GD006 preStop >= grace, GD007 TTY/stdin on a daemon, GD008 root or
named user, GD009 Type=forking / expect fork, GD010 KillMode, GD011 SIGHUP to the service (ExecReload,
upstart's default reload), GD012 upstart kill timeout, GD013 compose duration without a unit, GD014 stop
signal pre-empted by ExecStop/pre-stop, GD015 reload that ends the service (SIGUSR2 hot restart),
GD016 value the consumer cannot parse, GD017 Go subscribes to SIGHUP, GD018 Go ignores SIGHUP,
GD019 Go daemonizes itself, GD020 trpc_go.yaml that will not drain, has no admin port, or binds 127.0.0.1
in a container (also the file a trpc-go goneat-deploy.yaml names). Exit 1 when any error-level finding exists.

Examples:
  goneat-deploy lint
  goneat-deploy lint ./...
  goneat-deploy lint Dockerfile compose.yaml deploy/
  goneat-deploy lint --drain ledgernode=60s docker-compose.yml
  goneat-deploy lint --format sarif deploy/ > lint.sarif`,
    )
    .action(async (paths: string[], opts: LintOptions) => {
      const { readdir, readFile, stat } = await import('node:fs/promises');
      const path = await import('node:path');
      const { lint, AmbiguousDrainError } = await import('../lint/lint.js');
      const { formatJson, formatSarif, formatText } = await import('../lint/format.js');
      const { loadConfig, loadOptionalConfig, displayPath } = await import('../config/load.js');
      const { parseDuration } = await import('../model/duration.js');
      const { RuntimeError } = await import('../errors.js');
      type Facts = import('../lint/model.js').ServiceFacts;
      type Loaded = import('../config/load.js').LoadedConfig;

      if (!['text', 'json', 'sarif'].includes(opts.format)) throw new UsageError(`--format ${opts.format}: expected text, json or sarif`);
      const services: Facts[] = [];
      let bareDrain: number | undefined;
      for (const d of opts.drain) {
        const m = /^([a-z0-9][a-z0-9._-]*)=(.+)$/i.exec(d);
        const ms = parseDuration(m ? m[2]! : d);
        if (ms === undefined) throw new UsageError(`--drain ${JSON.stringify(d)}: expected a duration like "10s", or NAME=DURATION`);
        if (m) services.push({ name: m[1]!, drainMs: ms, origin: `--drain ${d}`, goneat: false });
        else bareDrain = ms;
      }
      const facts = ({ spec, config, configPath }: Loaded, dir: string | undefined, origin: string): Facts => ({
        name: spec.name,
        drainMs: spec.shutdown.drainMs,
        preStopMs: spec.shutdown.preStopMs,
        ...(spec.framework === 'trpc-go' ? { framework: 'trpc-go' as const } : {}),
        ...(config.health ? { healthConfigured: true } : {}),
        ...(spec.framework === 'trpc-go' ? { declared: { file: path.basename(configPath), ...(config.ports ? { ports: config.ports } : {}), ...(config.health ? { health: config.health } : {}) } } : {}),
        ...(dir !== undefined ? { dir } : {}),
        imageRepository: spec.image.repository,
        origin,
        goneat: true,
      });
      // The trpc-go preset's trpc_go.yaml is linted with the files (GD020), also when named otherwise or outside the paths.
      const trpcConfigs: string[] = [];
      const trpcConfigOf = (l: Loaded) => (l.config.framework === 'trpc-go' ? void trpcConfigs.push(path.resolve(l.configDir, l.config.trpcConfig ?? 'trpc_go.yaml')) : undefined);
      const rel = (p: string) => displayPath(p, ctx.cwd);
      const project = await loadOptionalConfig(opts, ctx.cwd);
      const projectConfigPath = path.resolve(ctx.cwd, opts.dir, opts.config);
      // The project's config applies to every file given (its service is matched by name).
      if (project) {
        services.push(facts(project, undefined, rel(projectConfigPath)));
        trpcConfigOf(project);
      }

      const roots = paths.length ? paths.map((p) => (p === './...' || p === '...' ? '.' : p.replace(/\/\.\.\.$/, ''))) : [opts.dir];
      const files: string[] = [];
      const configs: string[] = [];
      // Directories are read concurrently (a monorepo has thousands of files); the order of the results stays the walk's.
      const walk = async (p: string, explicit: boolean): Promise<string[]> => {
        let st;
        try {
          st = await stat(p);
        } catch (err) {
          throw fileError(err, p, 'read');
        }
        if (!st.isDirectory()) return explicit || (CANDIDATE.test(path.basename(p)) && st.size < 1_000_000) || path.basename(p) === 'goneat-deploy.yaml' ? [p] : [];
        const entries = (await readdir(p, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
        const parts = await Promise.all(
          entries.map(async (e) => {
            const child = path.join(p, e.name);
            if (e.isDirectory()) return SKIP_DIRS.has(e.name) || e.name.startsWith('.') ? [] : walk(child, false);
            if (e.isFile()) return CANDIDATE.test(e.name) || e.name === 'goneat-deploy.yaml' ? [child] : [];
            return walk(child, false);
          }),
        );
        return parts.flat();
      };
      for (const r of roots) {
        for (const f of await walk(path.resolve(ctx.cwd, r), true)) (path.basename(f) === 'goneat-deploy.yaml' ? configs : files).push(f);
      }
      // A goneat-deploy.yaml among the paths names the service for the files under its directory.
      const { mapLimit } = await import('../util/concurrency.js');
      const loadedConfigs = await mapLimit(configs.filter((c) => path.resolve(c) !== projectConfigPath), 16, async (c) => ({ c, loaded: await loadConfig({ dir: path.dirname(c), config: 'goneat-deploy.yaml' }, ctx.cwd) }));
      for (const { c, loaded } of loadedConfigs) {
        const d = path.relative(ctx.cwd, path.dirname(c));
        services.push(facts(loaded, d === '' ? '.' : d.startsWith('..') ? path.dirname(c) : d, rel(c)));
        trpcConfigOf(loaded);
      }
      for (const t of trpcConfigs) if (!files.some((f) => path.resolve(f) === t)) files.push(t);
      const inputs = await mapLimit(files, 32, async (f) => {
        try {
          return { path: rel(f), text: await readFile(f, 'utf8') };
        } catch (err) {
          throw fileError(err, rel(f), 'read');
        }
      });
      let result;
      try {
        result = await lint(inputs, { services, trpcConfigs: trpcConfigs.map(rel), ...(bareDrain !== undefined ? { drainMs: bareDrain } : {}) });
      } catch (err) {
        if (err instanceof AmbiguousDrainError) throw new UsageError(`--drain ${opts.drain.find((d) => !d.includes('='))}: ${err.message}`);
        throw err;
      }
      const out = opts.format === 'json' ? formatJson(result) : opts.format === 'sarif' ? formatSarif(result) : formatText(result);
      ctx.stdout.write(out);
      const errors = result.findings.filter((f) => f.level === 'error').length;
      if (errors) throw new RuntimeError(`lint: ${errors} error-level finding(s)`, [], {});
    });
}
