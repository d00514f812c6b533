import { Command } from 'commander';
import { fileError, formatBytes, interruption, UsageError } from '../errors.js';
import { projectOptions, warn, type CliContext } from './context.js';
import { jsonFormat } from './lint-options.js';
import { helmNote, splitHelmTemplates } from './lint-helm.js';

interface LintOptions {
  dir: string;
  config: string;
  format: string;
  json?: boolean;
  drain: string[];
}

const SKIP_DIRS = new Set(['node_modules', '.git', 'dist', 'coverage', 'vendor', 'testdata']);
const CANDIDATE = /^(Dockerfile|Containerfile)(\..+)?$|\.(dockerfile|containerfile|ya?ml|service|conf|override|go)$|^upstart$/i;

export function commandLint(ctx: CliContext): Command {
  return projectOptions(new Command('lint'), 'project directory (its goneat-deploy.yaml names the service and gives its drain)')
    .description('check Dockerfiles, compose files, Kubernetes YAML, systemd units, upstart jobs and Go source for signal and shutdown mistakes')
    .argument('[paths...]', 'files or directories, searched recursively; `./...` means the current directory (default: the project directory)')
    .option('-f, --format <format>', 'text, json or sarif', 'text')
    .option('--json', 'same as --format json (the flag build, generate and verify take)')
    .option('--drain <[name=]duration>', 'a service\'s drain: NAME=DURATION for one service (repeatable); a bare DURATION when the files describe one service', (v: string, prev: string[]) => [...prev, v], [] as string[])
    .addHelpText(
      'after',
      `
Each workload (compose service, Kubernetes container, systemd unit, upstart job, Dockerfile image) is
modelled from the whole chain: what runs as PID 1, every signal that reaches it and from which directive,
and how long it has before SIGKILL. Facts about one service (its drain, tRPC-Go) apply to that service
only: the service a goneat-deploy.yaml names (found in -C DIR or among the paths, for the files under its
directory), its io.goneat-deploy.service label, or --drain NAME=D. A trpc_go.yaml beside the files marks
them tRPC-Go. Go source (.go files, *_test.go excepted) is parsed with tree-sitter-go. Helm chart
templates (templates/ under a Chart.yaml) are Go templates, not YAML: skipped, and counted.

Rules (docs/rules/<ID>.md): GD001 shell-form ENTRYPOINT/CMD, GD002 no init (incl. a command that replaces
tini), GD003 double init, GD004 SIGKILL/SIGSTOP (and SIGHUP/SIGUSR2 for Go services) as stop signal,
GD005 stop timeout below the drain, GD006 preStop >= grace, GD007 TTY/stdin on a daemon, GD008 root or
named user, GD009 Type=forking / expect fork, GD010 KillMode, GD011 SIGHUP to the service (ExecReload,
upstart's default reload), GD012 upstart kill timeout, GD013 compose duration without a unit, GD014 stop
signal pre-empted by ExecStop/pre-stop, GD015 reload that ends the service (SIGUSR2 hot restart),
GD016 value the consumer cannot parse, GD017 Go subscribes to SIGHUP, GD018 Go ignores SIGHUP,
GD019 Go daemonizes itself, GD020 trpc_go.yaml that will not drain, has no admin port, or binds 127.0.0.1
in a container (also the file a trpc-go goneat-deploy.yaml names), GD021 Go ignores the stop signal (SIGTERM,
or the shutdown.signal of the goneat-deploy.yaml above it), GD022 goneat-deploy:ignore comment without a
reason (it still suppresses) or naming no real rule (it suppresses nothing). Exit 1 when any error-level
finding exists; exit 2 when a goneat-deploy.yaml among the paths is invalid (each is reported, located, and
the other files are still linted). \`goneat-deploy:ignore GDnnn <reason>\` in a comment on a finding's line
or the line above suppresses it. Directories named node_modules, testdata, vendor, dist, coverage or starting
with "." are not searched; Helm chart templates (templates/ beside a Chart.yaml) are skipped and counted.

Examples:
  goneat-deploy lint
  goneat-deploy lint ./...
  goneat-deploy lint Dockerfile compose.yaml deploy/
  goneat-deploy lint --drain ledgernode=60s docker-compose.yml
  goneat-deploy lint --json ./... | jq '.findings[] | select(.level == "error")'
  goneat-deploy lint --format sarif deploy/ > lint.sarif`,
    )
    .action(async (paths: string[], opts: LintOptions) => {
      const { readdir, stat } = await import('node:fs/promises');
      const path = await import('node:path');
      const { lintStoppable, AmbiguousDrainError, LintMemoryError } = await import('../lint/lint.js');
      const { formatJson, formatSarif, formatText } = await import('../lint/format.js');
      const { loadConfig, loadOptionalConfig, displayPath } = await import('../config/load.js');
      const { parseDuration } = await import('../model/duration.js');
      const { RuntimeError } = await import('../errors.js');
      type Facts = import('../lint/model.js').ServiceFacts;
      type Loaded = import('../config/load.js').LoadedConfig;

      if (!['text', 'json', 'sarif'].includes(opts.format)) throw new UsageError(`--format ${opts.format}: expected text, json or sarif`);
      if (opts.json) opts.format = jsonFormat(opts.format);
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
        stopSignal: spec.shutdown.signal,
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
      // An invalid goneat-deploy.yaml — the project's own too — is reported with its location, and the rest is
      // linted: a typo in the service's config must not hide every other finding; the exit code is then 2.
      const { ConfigError, GoneatError, EXIT_USAGE, formatIssue } = await import('../errors.js');
      const invalid: string[] = [];
      let invalidConfigs = 0;
      const invalidConfig = (err: unknown, shown: string): void => {
        if (!(err instanceof GoneatError) || err.exitCode !== EXIT_USAGE) throw err;
        invalidConfigs++;
        invalid.push(...(err instanceof ConfigError ? err.issues.map(formatIssue) : [err.message.includes(shown) ? err.message : `${shown}: ${err.message}`, ...err.details]));
      };
      const projectConfigPath = path.resolve(ctx.cwd, opts.dir, opts.config);
      const project = await loadOptionalConfig(opts, ctx.cwd).catch((err: unknown) => void invalidConfig(err, rel(projectConfigPath)));
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
          // A dangling symbolic link found while walking is nobody's file: skipped, like git and ripgrep do.
          if (!explicit) return [];
          throw fileError(err, p, 'read');
        }
        // Found while walking a directory, only regular files count (a FIFO or a device is nobody's Dockerfile);
        // a path given explicitly goes to the reader, which says what it is if it is not a regular file.
        if (!st.isDirectory()) return explicit || (st.isFile() && ((CANDIDATE.test(path.basename(p)) && st.size < 1_000_000) || path.basename(p) === 'goneat-deploy.yaml')) ? [p] : [];
        const entries = (await readdir(p, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
        const parts = await Promise.all(
          entries.map(async (e) => {
            const child = path.join(p, e.name);
            if (e.isDirectory()) return SKIP_DIRS.has(e.name) || e.name.startsWith('.') ? [] : walk(child, false);
            if (e.isFile()) return CANDIDATE.test(e.name) || e.name === 'goneat-deploy.yaml' ? [child] : [];
            // Symbolic links to directories are not followed while walking (Go's ./... and ripgrep do not follow
            // them either): a link to "." or ".." would otherwise make the walk endless. Links to files count.
            if (e.isSymbolicLink()) {
              const target = await stat(child).catch(() => undefined);
              if (!target || target.isDirectory()) return [];
            }
            return walk(child, false);
          }),
        );
        return parts.flat();
      };
      const named: string[] = [];
      for (const r of roots) {
        const abs = path.resolve(ctx.cwd, r);
        const found = await walk(abs, true);
        for (const f of found) (path.basename(f) === 'goneat-deploy.yaml' ? configs : files).push(f);
        if (found.length === 1 && found[0] === abs) {
          named.push(abs);
          // A file named on its own is judged with the goneat-deploy.yaml beside it, as when its directory is
          // linted: `lint services/x/compose.yaml` from the repository root must not lose the drain check.
          const beside = path.join(path.dirname(abs), 'goneat-deploy.yaml');
          if (path.basename(abs) !== 'goneat-deploy.yaml' && !configs.includes(beside) && (await stat(beside).then((st) => st.isFile(), () => false))) configs.push(beside);
        }
      }
      // Helm chart templates are Go templates, not YAML: not linted, and counted in the output (lint-helm.ts).
      const helm = await splitHelmTemplates(files.splice(0)).then((h) => (files.push(...h.files), h));
      // A goneat-deploy.yaml among the paths names the service for the files under its directory.
      const { mapLimit } = await import('../util/concurrency.js');
      // An invalid goneat-deploy.yaml among the paths is reported with its location, and the rest is linted:
      // `lint ./...` over a repository shows every broken config at once; the exit code is then 2 (see below).
      const loadedConfigs = (
        await mapLimit(configs.filter((c) => path.resolve(c) !== projectConfigPath), 16, async (c) => {
          try {
            return [{ c, loaded: await loadConfig({ dir: path.dirname(c), config: 'goneat-deploy.yaml' }, ctx.cwd) }];
          } catch (err) {
            invalidConfig(err, rel(c));
            return [];
          }
        })
      ).flat();
      for (const { c, loaded } of loadedConfigs) {
        const d = path.relative(ctx.cwd, path.dirname(c));
        services.push(facts(loaded, d === '' ? '.' : d.startsWith('..') ? path.dirname(c) : d, rel(c)));
        trpcConfigOf(loaded);
      }
      for (const t of trpcConfigs) if (!files.some((f) => path.resolve(f) === t)) files.push(t);
      // The one reader (util/read.ts): regular files only, each at most READ_LIMITS.lintFile, all together at most
      // READ_LIMITS.lintTotal, so memory stays bounded whatever the paths name.
      // Read synchronously, in batches with a turn of the event loop between them (so SIGINT/SIGTERM are taken
      // at once): a monorepo's many small files read 4-5x faster so than through fs/promises (2,800 files:
      // ~70 ms against ~300 ms, measured here), and the reader opens with O_NONBLOCK, so a FIFO cannot block it.
      const { READ_LIMITS, readTextFileSync } = await import('../util/read.js');
      let total = 0;
      const inputs: Array<{ path: string; text: string }> = [];
      for (const [i, f] of files.entries()) {
        if (i % 64 === 0) {
          await new Promise((resolve) => setImmediate(resolve));
          if (ctx.signal.aborted) throw interruption(ctx.signal).leaving('lint stopped; it writes nothing');
        }
        let text: string;
        try {
          text = readTextFileSync(f, { maxBytes: READ_LIMITS.lintFile });
        } catch (err) {
          throw fileError(err, rel(f), 'read');
        }
        total += text.length;
        if (total > READ_LIMITS.lintTotal) throw new UsageError(`lint reads at most ${formatBytes(READ_LIMITS.lintTotal)} of files at once; these paths hold more: lint fewer files per run`);
        inputs.push({ path: rel(f), text });
      }
      let result;
      try {
        // In a worker thread for large inputs: SIGINT/SIGTERM stop it at once, even inside a parser's loop.
        result = await lintStoppable(inputs, { services, trpcConfigs: trpcConfigs.map(rel), ...(bareDrain !== undefined ? { drainMs: bareDrain } : {}) }, ctx.signal);
      } catch (err) {
        if (err instanceof AmbiguousDrainError) throw new UsageError(`--drain ${opts.drain.find((d) => !d.includes('='))}: ${err.message}`);
        if (ctx.signal.aborted) throw interruption(ctx.signal).leaving('lint stopped; it writes nothing');
        if (err instanceof LintMemoryError) throw new UsageError(`lint: ${err.message}`);
        throw err;
      }
      // A file the user named that lint does not know how to read is said, not silently counted out.
      for (const n of named) {
        if (result.skipped.includes(rel(n))) warn(ctx, `${rel(n)}: not linted: not recognized as a Dockerfile, compose file, Kubernetes manifest, systemd unit (*.service), upstart job (*.conf with stanzas), launchd plist, trpc_go.yaml or Go source`);
      }
      result.skipped.push(...helm.templates.map(rel));
      const out = opts.format === 'json' ? formatJson(result) : opts.format === 'sarif' ? formatSarif(result) : formatText(result) + (helm.templates.length ? helmNote(helm.templates.length) : '');
      ctx.stdout.write(out);
      const errors = result.findings.filter((f) => f.level === 'error').length;
      if (invalid.length) {
        const what = `${invalidConfigs} invalid goneat-deploy.yaml`;
        throw new GoneatError(`lint: ${what} (the other files were linted${errors ? `, with ${errors} error-level finding(s)` : ''}):`, EXIT_USAGE, invalid);
      }
      if (errors) throw new RuntimeError(`lint: ${errors} error-level finding(s)`, [], {});
    });
}
