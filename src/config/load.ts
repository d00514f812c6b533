/**
 * Loading goneat-deploy.yaml: read (the only I/O here), parse with positions,
 * validate against the schema, build the spec. Every problem is reported with
 * file:line:column, all at once.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError, fileError, type ConfigIssue } from '../errors.js';
import { READ_LIMITS, readTextFile, readTextFileSync } from '../util/read.js';
import { parseDuration } from '../model/duration.js';
import { buildSpec, type ServiceSpec, type SpecInputs } from '../model/service.js';
import { analyzeTrpcConfig, type TrpcFinding } from '../model/trpc.js';
import { targetWarnings, type TargetWarning } from '../model/target-warnings.js';
import { YamlSource } from '../model/source.js';
import { validateConfig } from './validate.js';
import type { Config } from '../model/schema.js';

export const CONFIG_FILE = 'goneat-deploy.yaml';

/**
 * Text → spec, or a ConfigError listing every issue. Pure but for `readAux`,
 * which the caller gives to read files the config names (trpc_go.yaml),
 * relative to the config file; it returns undefined when there is none.
 */
export function specFromText(
  file: string,
  text: string,
  readAux: (relPath: string) => string | undefined = () => undefined,
): { spec: ServiceSpec; config: Config; warnings: TrpcFinding[]; targetWarnings: LocatedTargetWarning[] } {
  const { source, issues: syntax } = YamlSource.parse(file, text);
  if (syntax.length) throw new ConfigError(syntax);
  let data: unknown;
  try {
    data = source.toJS();
  } catch (err) {
    // yaml refuses documents whose aliases expand too far (a "billion laughs" file).
    throw new ConfigError([{ file, line: 1, column: 1, field: '', message: `invalid YAML: ${(err as Error).message}` }]);
  }
  const { config, issues } = validateConfig(data, source);
  if (!config) throw new ConfigError(issues);
  let trpc: SpecInputs['trpc'];
  let warnings: TrpcFinding[] = [];
  if (config.framework === 'trpc-go') {
    const rel = config.trpcConfig ?? 'trpc_go.yaml';
    const t = readAux(rel);
    if (t === undefined) trpc = 'missing';
    else {
      // Problems in trpc_go.yaml are located in trpc_go.yaml (file:line), not in goneat-deploy.yaml.
      const preStopMs = config.shutdown?.preStop !== undefined ? parseDuration(config.shutdown.preStop) : undefined;
      const analysis = analyzeTrpcConfig(t, {
        file: path.join(path.dirname(file), rel),
        ...(preStopMs !== undefined ? { preStopMs } : {}),
        healthConfigured: config.health !== undefined,
        declared: { file: path.basename(file), ...(config.ports ? { ports: config.ports } : {}), ...(config.health ? { health: config.health } : {}) },
      });
      if (!analysis.facts) throw new ConfigError(analysis.errors);
      trpc = analysis.facts;
      warnings = analysis.warnings;
    }
  }
  const built = buildSpec(config, trpc ? { trpc } : {});
  if (!built.spec) {
    const located: ConfigIssue[] = built.issues.map((i) => source.issue(i.path, i.message));
    throw new ConfigError(located);
  }
  const located = targetWarnings(built.spec).map((w) => ({ ...source.issue(w.path, w.message), targets: w.targets }));
  return { spec: built.spec, config, warnings, targetWarnings: located };
}

/** A model/target-warnings.ts warning, located in goneat-deploy.yaml. */
export type LocatedTargetWarning = ConfigIssue & Pick<TargetWarning, 'targets'>;

export interface LoadedConfig {
  spec: ServiceSpec;
  config: Config;
  /** Absolute path of the config file. */
  configPath: string;
  /** Directory relative paths in the config are resolved against. */
  configDir: string;
  /** The path as shown to the user (relative to cwd when shorter). */
  displayPath: string;
  /** What the trpc-go preset found worth a warning in trpc_go.yaml (each says which targets it matters for). */
  warnings: TrpcFinding[];
  /** Values one generate target carries out differently (model/target-warnings.ts), for the targets each names. */
  targetWarnings?: LocatedTargetWarning[];
}

/** Resolves -C DIR and -c FILE the way the commands all do, against the command's working directory. */
export function resolveConfigPath(opts: { dir?: string; config?: string }, cwd: string): string {
  const base = path.resolve(cwd, opts.dir ?? '.');
  return path.resolve(base, opts.config ?? CONFIG_FILE);
}

/** A path as shown to the user: relative to `cwd` when that is shorter and inside it. */
export function displayPath(p: string, cwd: string): string {
  const rel = path.relative(cwd, p);
  return rel && !rel.startsWith('..') && rel.length < p.length ? rel : p;
}

/** Reads and loads the config that -C DIR / -c FILE name, relative to `cwd` (the command's working directory). */
export async function loadConfig(opts: { dir?: string; config?: string }, cwd: string): Promise<LoadedConfig> {
  const configPath = resolveConfigPath(opts, cwd);
  const shown = displayPath(configPath, cwd);
  let text: string;
  try {
    text = await readTextFile(configPath, { maxBytes: READ_LIMITS.config });
  } catch (err) {
    throw fileError(err, shown, 'read', {
      hint: { ENOENT: 'create one with `goneat-deploy init` or point at it with -C DIR / -c FILE', EISDIR: 'expected a goneat-deploy.yaml file' },
    });
  }
  const configDir = path.dirname(configPath);
  const { spec, config, warnings, targetWarnings: tw } = specFromText(shown, text, auxReader(configDir, path.dirname(shown)));
  return { spec, config, configPath, configDir, displayPath: shown, warnings, targetWarnings: tw };
}

/** loadConfig for commands that also work without a config (lint, verify): undefined when there is no file. */
export async function loadOptionalConfig(opts: { dir: string; config: string }, cwd: string): Promise<LoadedConfig | undefined> {
  const exists = await stat(resolveConfigPath(opts, cwd)).then(() => true, () => false);
  return exists ? loadConfig(opts, cwd) : undefined;
}

/**
 * specFromText's `readAux` for a config in `dir`: the file's text, or undefined when there is
 * none. A file that is there but cannot be used (not a regular file, too large, not UTF-8, not
 * readable) is an error about that file, not a missing one. `shownDir` is `dir` as shown to the user.
 */
export function auxReader(dir: string, shownDir = dir): (relPath: string) => string | undefined {
  return (rel) => {
    try {
      return readTextFileSync(path.resolve(dir, rel), { maxBytes: READ_LIMITS.config });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw fileError(err, path.join(shownDir, rel), 'read');
    }
  };
}
