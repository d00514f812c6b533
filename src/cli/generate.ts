import path from 'node:path';
import { Command } from 'commander';
import { UsageError } from '../errors.js';
import type { RenderedFile } from '../render/header.js';
import { renderAll, target, TARGETS, type RenderOptions, type Target } from '../render/targets.js';
import { print, printJson, projectOptions, type CliContext } from './context.js';

interface GenerateOptions {
  dir: string;
  config: string;
  output?: string;
  image?: string;
  check?: boolean;
  force?: boolean;
  json?: boolean;
  validate?: boolean;
  recursive?: boolean;
}

const DEFAULT_OUTPUT: Record<string, string> = { compose: 'compose.yaml', dockerfile: 'Dockerfile', all: 'deploy' };

type Loaded = import('../config/load.js').LoadedConfig;

/** `generate all` is every target; any other name is one. */
function targetFor(targetName: string): Target | undefined {
  return targetName === 'all' ? undefined : target(targetName)!;
}

/** --image, else the digest of the last push when it was of this repository and tag; --validate checks k8s objects. */
async function renderOptions(loaded: Loaded, targetName: string, opts: GenerateOptions): Promise<RenderOptions> {
  let image = opts.image;
  if (image === undefined) {
    const { readLock, pinnedRef } = await import('../image/lock.js');
    image = pinnedRef(loaded.spec, await readLock(loaded.configDir));
  }
  const renderOpts = image !== undefined ? { image } : {};
  if (opts.validate && (targetName === 'k8s' || targetName === 'all')) {
    const { validateK8s } = await import('../render/validate-k8s.js');
    const { k8sObjects } = await import('../render/k8s.js');
    validateK8s(k8sObjects(loaded.spec, renderOpts));
  }
  return renderOpts;
}

/** The files one config renders for `targetName`, with absolute paths under `outputBase`. */
async function renderFor(loaded: Loaded, targetName: string, opts: GenerateOptions, outputBase: string): Promise<RenderedFile[]> {
  const renderOpts = await renderOptions(loaded, targetName, opts);
  const t = targetFor(targetName);
  let files: RenderedFile[] = t ? t.render(loaded.spec, renderOpts) : renderAll(loaded.spec, renderOpts);
  // Single-file targets: -o names the file. Multi-file: -o names the directory. Without -o, a
  // single file goes where `generate all` puts it (deploy/upstart/<name>.conf), never to a file
  // named like a directory of `generate all` (deploy/upstart), which would then fail.
  const fallback = t?.single ? path.join('deploy', files[0]!.path) : path.join('deploy', targetName);
  const out = path.resolve(outputBase, opts.output ?? DEFAULT_OUTPUT[targetName] ?? fallback);
  if (t?.single) return files.map((f) => ({ ...f, path: out }));
  // One multi-file target: -o DIR holds its files directly (k8s/deployment.yaml → DIR/deployment.yaml).
  if (t) files = files.map((f) => ({ ...f, path: f.path.split('/').slice(1).join('/') }));
  return files.map((f) => ({ ...f, path: path.join(out, f.path) }));
}

const SKIP_DIRS = new Set(['node_modules', '.git', 'dist', 'vendor', 'deploy']);

/** Every goneat-deploy.yaml under `root` (a monorepo of services). */
async function findConfigs(root: string, name: string): Promise<string[]> {
  const { readdir } = await import('node:fs/promises');
  const out: string[] = [];
  const walk = async (dir: string, depth: number): Promise<void> => {
    if (depth > 8) return;
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      if (e.isFile() && e.name === name) out.push(path.join(dir, e.name));
      else if (e.isDirectory() && !SKIP_DIRS.has(e.name) && !e.name.startsWith('.')) await walk(path.join(dir, e.name), depth + 1);
    }
  };
  await walk(root, 0);
  return out.sort();
}

async function runGenerate(ctx: CliContext, targetName: string, opts: GenerateOptions): Promise<void> {
  const { loadConfig, displayPath } = await import('../config/load.js');
  const { writeFiles } = await import('../write/writer.js');
  const { ConfigError } = await import('../errors.js');
  const projectDir = path.resolve(ctx.cwd, opts.dir);

  let files: RenderedFile[] = [];
  if (opts.recursive) {
    if (opts.output === '-') throw new UsageError('--recursive writes each service\'s files next to its config; it cannot be used with -o -');
    if (opts.output !== undefined && path.isAbsolute(opts.output)) throw new UsageError('--recursive takes -o relative to each service\'s directory');
    const configs = await findConfigs(projectDir, opts.config);
    if (!configs.length) throw new UsageError(`no ${opts.config} under ${displayPath(projectDir, ctx.cwd)}`);
    // Load every config before writing anything: one bad service stops all, with every problem listed.
    const { mapLimit } = await import('../util/concurrency.js');
    const problems: import('../errors.js').ConfigIssue[] = [];
    const loaded = await mapLimit(configs, 16, async (c) => {
      try {
        return await loadConfig({ dir: path.dirname(c), config: path.basename(c) });
      } catch (err) {
        if (err instanceof ConfigError) problems.push(...err.issues);
        else throw err;
        return undefined;
      }
    });
    if (problems.length) throw new ConfigError(problems);
    for (const l of loaded) files.push(...(await renderFor(l!, targetName, opts, l!.configDir)));
  } else {
    const loaded = await loadConfig({ dir: opts.dir, config: opts.config });
    if (opts.output === '-') {
      if (opts.check) throw new UsageError('--check compares files on disk; it cannot be used with -o -');
      const t = targetFor(targetName);
      if (t?.stdout && !opts.json) return void ctx.stdout.write(t.stdout(loaded.spec, await renderOptions(loaded, targetName, opts)));
      const rendered = await renderFor(loaded, targetName, { ...opts, output: '.' }, projectDir);
      if (opts.json) return printJson(ctx, rendered.map((f) => ({ ...f, path: path.relative(projectDir, f.path) })));
      if (rendered.length === 1) ctx.stdout.write(rendered[0]!.content);
      else for (const f of rendered) ctx.stdout.write(`# ==> ${path.relative(projectDir, f.path)} <==\n${f.content}`);
      return;
    }
    files = await renderFor(loaded, targetName, opts, opts.output !== undefined ? ctx.cwd : projectDir);
  }

  const report = await writeFiles(files, {
    outDir: '/',
    check: Boolean(opts.check),
    force: Boolean(opts.force),
    display: (p) => displayPath(p, ctx.cwd),
  });
  if (opts.json) {
    printJson(ctx, report);
  } else if (opts.check) {
    for (const d of report.drift) ctx.stdout.write(d.diff);
  } else {
    for (const w of report.written) print(ctx, `wrote ${w}`);
    for (const u of report.unchanged) print(ctx, `unchanged ${u}`);
  }
  if (opts.check && report.drift.length) {
    const { RuntimeError } = await import('../errors.js');
    throw new RuntimeError(
      `${report.drift.length} generated file(s) differ from goneat-deploy.yaml: ${report.drift.map((d) => d.path).join(', ')}; run the same command without --check to update them`,
    );
  }
}

export function commandGenerate(ctx: CliContext): Command {
  const generate = new Command('generate').description('write deployment files derived from goneat-deploy.yaml');
  const addTarget = (name: string, description: string, single: boolean, defaultOutput?: string) => {
    projectOptions(generate.command(name))
      .description(description)
      .option('-o, --output <path>', single ? `output file, or - for stdout (default: <dir>/${DEFAULT_OUTPUT[name] ?? defaultOutput ?? `deploy/${name}/…`})` : `output directory, or - for stdout (default: <dir>/${DEFAULT_OUTPUT[name] ?? `deploy/${name}`})`)
      .option('--image <ref>', 'image reference to run (default: repository:tag@digest from goneat-deploy.lock.json after build --push, else image.repository:image.tag)')
      .option('--check', 'do not write; exit 1 and print a diff when files on disk differ')
      .option('--force', 'overwrite files that were not generated by goneat-deploy or were edited by hand')
      .option('--json', 'print what was written (or the rendered files with -o -) as JSON')
      .option('-r, --recursive', 'every goneat-deploy.yaml under --dir (a monorepo): each service\'s files next to its config')
      .option('--validate', 'also validate Kubernetes objects against the Kubernetes OpenAPI schema before writing (the test suite does this for every renderer change)')
      .addHelpText(
        'after',
        `
Examples:
  goneat-deploy generate ${name} -C examples/echo
  goneat-deploy generate ${name} -o -${name === 'all' ? '' : ` > ${DEFAULT_OUTPUT[name] ?? name}`}
  goneat-deploy generate ${name} --check`,
      )
      .action((opts: GenerateOptions) => runGenerate(ctx, name, opts));
  };
  for (const t of TARGETS) addTarget(t.name, t.description, t.single, t.defaultOutput);
  addTarget('all', 'every target at once (default output: <dir>/deploy/)', false);
  return generate;
}
