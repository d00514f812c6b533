/**
 * `goneat-deploy generate`: load one config (or every one under a directory),
 * render the target's files, and hand them to the writer — or return them for
 * stdout (-o -). The command (cli/generate.ts) only maps flags and prints.
 */
import path from 'node:path';
import { ConfigError, interruption, UsageError, type ConfigIssue } from '../errors.js';
import type { LoadedConfig } from '../config/load.js';
import { generatedState, type RenderedFile } from '../model/generated.js';
import { READ_LIMITS, readTextFile } from '../util/read.js';
import type { WriteReport } from '../write/writer.js';
import { renderAll, target, type RenderOptions, type Target } from './targets.js';

export interface GenerateOptions {
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

/** What generate did: files written (or compared, with --check), or text / files for stdout (-o -). */
export type GenerateOutcome = { kind: 'written'; report: WriteReport } | { kind: 'stdout'; text: string } | { kind: 'files'; files: RenderedFile[] };

/** Callbacks into the command, for what the core leaves to it (warnings, and which Compose is installed). */
export interface GenerateHooks {
  /** Every config loaded (with the trpc-go preset's warnings), before anything is rendered, written or returned. */
  loaded?(configs: LoadedConfig[]): Promise<void>;
}

/** Default output of a target, relative to the project directory. */
export const DEFAULT_OUTPUT: Record<string, string> = { compose: 'compose.yaml', dockerfile: 'Dockerfile', all: 'deploy' };

type Loaded = LoadedConfig;

/** `generate all` is every target; any other name is one. */
function targetFor(targetName: string): Target | undefined {
  return targetName === 'all' ? undefined : target(targetName)!;
}

/** --image, else the digest of the last push when it was of this repository and tag; --validate checks k8s objects. */
async function renderOptions(loaded: Loaded, targetName: string, opts: GenerateOptions): Promise<RenderOptions> {
  let image = opts.image;
  if (image === undefined) {
    const { readLock, pinnedRef } = await import('../image/lock.js');
    image = pinnedRef(loaded.spec, await readLock(loaded.configDir, path.dirname(loaded.displayPath)));
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
  // -o DIR/ (a trailing slash: a directory, as for cp and mv) puts a single file in it under its own name.
  if (t?.single && opts.output !== undefined && /[\\/]$/.test(opts.output)) {
    return files.map((f) => ({ ...f, path: path.join(out, path.basename(DEFAULT_OUTPUT[targetName] ?? f.path)) }));
  }
  if (t?.single) return files.map((f) => ({ ...f, path: out }));
  // `generate all` without -o writes everything under deploy/. compose.yaml and the Dockerfile also have a
  // home of their own, where `generate compose` / `generate dockerfile` put them (the project directory, where
  // `docker compose` and `docker build .` look): when goneat-deploy wrote a file there, `generate all` keeps it
  // current too (and --check compares it), so the two copies never drift apart. A file there that goneat-deploy
  // did not write — a hand-written Dockerfile — is not touched.
  if (!t && opts.output === undefined) {
    const extra: RenderedFile[] = [];
    for (const f of files) {
      const single = f.path === 'compose.yaml' ? DEFAULT_OUTPUT.compose : f.path === 'Dockerfile' ? DEFAULT_OUTPUT.dockerfile : undefined;
      if (single === undefined) continue;
      const home = path.resolve(outputBase, single);
      const text = await readTextFile(home, { maxBytes: READ_LIMITS.config }).catch(() => undefined);
      if (text !== undefined && generatedState(text) !== 'foreign') extra.push({ ...f, path: home });
    }
    return [...files.map((f) => ({ ...f, path: path.join(out, f.path) })), ...extra];
  }
  // One multi-file target: -o DIR holds its files directly (k8s/deployment.yaml → DIR/deployment.yaml).
  if (t) files = files.map((f) => ({ ...f, path: f.path.split('/').slice(1).join('/') }));
  return files.map((f) => ({ ...f, path: path.join(out, f.path) }));
}

/**
 * -o naming something that is neither a regular file nor a directory (/dev/full, /dev/stdout, a FIFO):
 * generated files are written atomically, a temp file renamed over the target, which would replace a
 * device node rather than write into it (and reading it first, to look for our header, never ends on
 * /dev/zero-like devices). A UsageError that points at `-o -` and a shell redirect instead.
 */
async function refuseSpecialOutput(abs: string, shown: string, single: boolean): Promise<void> {
  const { stat } = await import('node:fs/promises');
  const st = await stat(abs).catch(() => undefined);
  if (!st || st.isFile() || (!single && st.isDirectory())) return;
  if (st.isDirectory()) return; // the writer says EISDIR with its hint
  const kind = st.isCharacterDevice() ? 'a character device' : st.isBlockDevice() ? 'a block device' : st.isFIFO() ? 'a FIFO' : st.isSocket() ? 'a socket' : 'not a regular file';
  throw new UsageError(`-o ${shown}: ${kind}; generated files are written to a temporary file and renamed over the target, which would replace it: use -o - and redirect (-o - > ${shown})`);
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

/**
 * Runs `generate TARGET` with `opts`, relative to `cwd` (the command's working directory);
 * `hooks.loaded` sees the loaded configs first. Throws ConfigError (every config's problems at once),
 * UsageError for flag combinations, and the writer's errors.
 */
export async function generate(cwd: string, targetName: string, opts: GenerateOptions, hooks: GenerateHooks = {}, signal?: AbortSignal): Promise<GenerateOutcome> {
  // Ctrl-C before the writer's batch of renames: stop, leaving every file as it was.
  const stopIfInterrupted = () => {
    if (signal?.aborted) throw interruption(signal).leaving('no file was written: every file is as it was');
  };
  const { loadConfig, displayPath } = await import('../config/load.js');
  const { writeFiles } = await import('../write/writer.js');
  const projectDir = path.resolve(cwd, opts.dir);
  if (opts.image !== undefined) {
    // The reference goes into compose files, manifests and a `docker run` command line: the one parser decides.
    const { parseImageReference } = await import('../model/reference.js');
    const r = parseImageReference(opts.image);
    if ('problem' in r) throw new UsageError(`--image ${JSON.stringify(opts.image)}: ${r.problem}`);
  }

  let files: RenderedFile[] = [];
  if (opts.recursive) {
    if (opts.output === '-') throw new UsageError('--recursive writes each service\'s files next to its config; it cannot be used with -o -');
    if (opts.output !== undefined && path.isAbsolute(opts.output)) throw new UsageError('--recursive takes -o relative to each service\'s directory');
    const configs = await findConfigs(projectDir, opts.config);
    if (!configs.length) throw new UsageError(`no ${opts.config} under ${displayPath(projectDir, cwd)}`);
    // Load every config before writing anything: one bad service stops all, with every problem listed.
    const { mapLimit } = await import('../util/concurrency.js');
    const problems: ConfigIssue[] = [];
    const loaded = await mapLimit(configs, 16, async (c) => {
      stopIfInterrupted();
      try {
        return await loadConfig({ dir: path.dirname(c), config: path.basename(c) }, cwd);
      } catch (err) {
        if (err instanceof ConfigError) problems.push(...err.issues);
        else throw err;
        return undefined;
      }
    });
    if (problems.length) throw new ConfigError(problems);
    await hooks.loaded?.(loaded.map((l) => l!));
    for (const l of loaded) {
      stopIfInterrupted();
      files.push(...(await renderFor(l!, targetName, opts, l!.configDir)));
    }
  } else {
    const loaded = await loadConfig({ dir: opts.dir, config: opts.config }, cwd);
    await hooks.loaded?.([loaded]);
    if (opts.output === '-') {
      if (opts.check) throw new UsageError('--check compares files on disk; it cannot be used with -o -');
      const t = targetFor(targetName);
      if (t?.stdout && !opts.json) return { kind: 'stdout', text: t.stdout(loaded.spec, await renderOptions(loaded, targetName, opts)) };
      const rendered = await renderFor(loaded, targetName, { ...opts, output: '.' }, projectDir);
      if (opts.json) return { kind: 'files', files: rendered.map((f) => ({ ...f, path: path.relative(projectDir, f.path) })) };
      if (rendered.length === 1) return { kind: 'stdout', text: rendered[0]!.content };
      return { kind: 'stdout', text: rendered.map((f) => `# ==> ${path.relative(projectDir, f.path)} <==\n${f.content}`).join('') };
    }
    files = await renderFor(loaded, targetName, opts, opts.output !== undefined ? cwd : projectDir);
    if (opts.output !== undefined) await refuseSpecialOutput(path.resolve(cwd, opts.output), opts.output, Boolean(targetFor(targetName)?.single));
  }
  stopIfInterrupted();

  const report = await writeFiles(files, {
    outDir: '/',
    check: Boolean(opts.check),
    force: Boolean(opts.force),
    display: (p) => displayPath(p, cwd),
    ...(signal ? { signal } : {}),
  });
  return { kind: 'written', report };
}
